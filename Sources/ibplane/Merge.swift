import ArgumentParser
import Foundation
import IBPlane

struct Merge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Join the shard CSVs of one analysis, check them, and render the reports.",
    discussion: """
      Each input is a directory holding plane-shard-i-of-n.csv files (with the plane-shard-i-of-n.json manifests written when each shard finished), or such a CSV file. In a directory holding shard files, an existing plane.csv (an earlier merge) is ignored. The merge fails, naming the file, when a shard is missing or unfinished, when a job appears twice, or when the shards belong to different analyses. Writes DIR/plane.csv, DIR/plane.json and the SVG/HTML reports.

      Example (Slurm job array of 8):
        sbatch --array=1-8 --wrap 'ibplane analyze rec --shard $SLURM_ARRAY_TASK_ID/8 --out shards'
        ibplane merge shards --out reports/rec
      """)

  @Argument(help: "Directories (or CSV files) holding the shards.")
  var inputs: [String]

  @Option(help: "Output directory (default: the first input directory). Locked like `analyze --out`: a second process writing there gets an error naming the first one's PID.")
  var out: String?

  @Flag(help: "Print a JSON summary on stdout.")
  var json = false

  @Flag(help: "Print nothing but errors (and --json).")
  var quiet = false

  func run() throws {
    guard let first = inputs.first else { throw BadInput("merge needs at least one directory") }
    if let out, out.isEmpty { throw BadInput("--out is empty; give an output directory (or leave --out out for the first input directory)") }
    if let empty = inputs.firstIndex(where: \.isEmpty) { throw BadInput("input \(empty + 1) is an empty path; give a shard directory or CSV file") }
    let started = Date()
    do {
      let urls = inputs.map { URL(fileURLWithPath: $0) }
      var isDirectory: ObjCBool = false
      FileManager.default.fileExists(atPath: first, isDirectory: &isDirectory)
      let directory = URL(fileURLWithPath: out ?? (isDirectory.boolValue ? first : urls[0].deletingLastPathComponent().path))
      // Held across the merge and the reports (PlaneMerge.write takes it again, re-entrantly).
      try OutputFiles.createDirectory(directory)
      let lock = try OutputLock.acquire(PlaneShard.whole.csvFileName, in: directory)
      defer { lock.release() }
      let (manifest, rows) = try PlaneMerge.write(urls, to: directory)
      let reports = try PlaneReport.write(rows, manifest: manifest, to: directory).map { directory.appendingPathComponent($0).path }
      let csv = directory.appendingPathComponent("plane.csv").path
      if json {
        // The fields of `analyze --json`; a merge computes no job, so computed and skipped are 0.
        let estimators: [[String: Any]] = manifest.estimators.map { spec in
          let made = try? EstimatorRegistry.makePlane(EstimatorRegistry.reproducing(label: spec.name, params: spec.params))
          return made.map(Analyze.estimatorJSON) ?? ["name": spec.name, "label": spec.name, "params": spec.params, "parameters": [String: Any]()]
        }
        print(try JSONOutput.render([
          "csv": csv, "manifest": directory.appendingPathComponent(PlaneShard.whole.manifestFileName).path, "reports": reports,
          "rows": rows.count, "computed": 0, "skipped": 0, "seconds": Date().timeIntervalSince(started),
          "unit": manifest.unit.rawValue, "shard": PlaneShard.whole.description, "estimators": estimators,
          "recordings": [manifest.recording], "seed": manifest.seed,
        ]))
      } else if !quiet {
        print("merged \(rows.count) rows into \(csv); report: \(directory.appendingPathComponent("index.html").path)")
      }
    } catch let e as CSVError {
      throw BadInput(e.description)
    }
  }
}
