import ArgumentParser
import Foundation
import IBPlane

/// `ibplane generalisation`: the final generalisation gap of each run against I(X;T|Y) of
/// each layer, across analyses that differ in a setting (the library's `Generalisation`).
struct GeneralisationCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generalisation",
    abstract: "Relate each run's final generalisation gap to I(X;T|Y) of each layer, across settings.",
    discussion: """
      Each DIR is the output of `ibplane analyze` (plane.csv + plane.json), typically one directory per setting holding the runs of several seeds (`train --seeds 1-5 --record runs/l2-0 && analyze runs/l2-0/seed-*.bin --out an/l2-0`). Every recording of a directory is one run; its final snapshot (largest epoch) gives the accuracy gap (train_accuracy − test_accuracy) and the loss gap (test_loss − loss, nats) from the trainer's metrics and, per layer × estimator, I(X;T|Y). Runs are labelled by the plane.json `run` settings that differ between directories (seed excluded); the seed comes from the recording name seed-<s>.

      Writes OUT/generalisation.csv (run × layer × estimator), OUT/generalisation-correlation.csv (Spearman ρ over runs, ties averaged, per layer × estimator, with n; no p-value), one SVG per estimator and OUT/index.html. Errors (exit 2) name the file: a missing plane.csv/plane.json, a run without test metrics (recorded without a test split), different estimators or units between directories, fewer than 3 runs in all.

      Example:
        ibplane generalisation an/l2-0 an/l2-1e-4 an/l2-1e-3 --out reports/gen
      """)

  @Argument(help: "Analysis directories (outputs of `ibplane analyze`).")
  var directories: [String]

  @Option(help: "Output directory for the CSVs, figures and index.html.")
  var out: String

  @Flag(help: "Print a JSON summary on stdout.")
  var json = false

  @Flag(help: "Print nothing but errors (and --json).")
  var quiet = false

  func run() throws {
    guard !directories.isEmpty else { throw BadInput("generalisation needs at least one analysis directory") }
    if out.isEmpty { throw BadInput("--out is empty; give an output directory") }
    if let empty = directories.firstIndex(where: \.isEmpty) { throw BadInput("directory \(empty + 1) is an empty path; give an analysis directory") }
    let study: Generalisation.Study
    do {
      study = try Generalisation.study(Generalisation.read(directories.map { URL(fileURLWithPath: $0) }))
    } catch let e as CSVError {
      throw BadInput(e.description)
    }
    guard study.runs.count >= SpearmanCorrelation.minimumCount else {
      throw BadInput(
        "the directories \(directories.joined(separator: ", ")) hold \(study.runs.count) run(s); a rank correlation needs at least \(SpearmanCorrelation.minimumCount) runs")
    }
    let directory = URL(fileURLWithPath: out)
    let files = try GeneralisationReport.write(study, to: directory)
    if json {
      let correlations: [[String: Any]] = study.correlations.map { c in
        [
          "layer": c.layer, "layer_index": c.layerIndex, "estimator": c.estimator, "params": c.params, "n": c.accuracyGap.n,
          "rho_accuracy_gap": c.accuracyGap.rho ?? Double.nan, "rho_loss_gap": c.lossGap.rho ?? Double.nan,
        ]
      }
      print(try JSONOutput.render([
        "out": directory.path, "runs": study.runs.count, "settings": study.settingKeys, "files": files,
        "correlations": correlations, "unit": study.unit.rawValue,
      ]))
    } else if !quiet {
      print("\(study.runs.count) runs, \(study.correlations.count) layer × estimator correlations; report: \(directory.appendingPathComponent("index.html").path)")
    }
  }
}
