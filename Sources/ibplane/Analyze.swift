import ArgumentParser
import Foundation
import IBPlane

struct Analyze: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Compute the information plane of a recording: CSV, SVG planes and an HTML report.",
    discussion: """
      Runs every (snapshot, layer, estimator) job once, in parallel, and streams one CSV row per finished job to DIR/plane.csv (values in bits unless --unit nats). A killed run keeps its finished rows; --resume continues it (Ctrl-C prints that command and exits with 130). When every job is done, the reports are written: DIR/plane-<estimator>.svg, DIR/curves-<estimator>.svg, DIR/planes-compared.svg and DIR/index.html.

      Several runs of one design (e.g. `ibplane train --seeds 1-10 --record runs/`): `ibplane analyze runs/seed-*.bin --out DIR` writes every recording's rows into one DIR/plane.csv, plus DIR/plane-summary.csv (per epoch × layer × estimator: count, mean, sd, 5/50/95 % quantiles of every value across runs) and DIR/compression.csv (peak, epoch of peak, final I(X;T) and drop % per layer, across runs); the figures show the mean with a 5–95 % band across runs. Recordings whose layers, analysed epochs or samples (inputs and labels) differ are refused. --resume skips exactly the finished (recording, job) rows.

      Input: an activations.bin recording (docs/activations-format.md), a NumPy .npz archive or a folder of .npy files in the recording convention, or a directory with recording.json (docs/information-plane.md).

      Estimators (default: \(EstimatorRegistry.defaultPlaneSpecifications.joined(separator: " "))). Give parameters inline as NAME:key=value,..., e.g. --estimator kde:sigma2=0.05; repeat --estimator for several. Names and keys are case-insensitive. In DIR/plane.csv, the estimator column is the label (the name, then :key=value,... of the parameters that differ from their defaults; figure files are named after it) and the params column is every parameter as used, key=value joined by ','; --estimator with the label, or with NAME:params, reproduces the row.
      \(EstimatorRegistry.help(form: .plane, flags: false))

      Binning rows report in the column clipped_fraction the share of values outside the bin edges (merged into an end bin; only convention=idnns clips, the default convention=auto widens its edges to cover the layer); above 1 % a warning goes to stderr and to the HTML report.

      Confidence intervals (--resamples B, or its older name --bootstrap B; seeded by --seed): by default (--interval jackknife) the half-sample jackknife: B random halves of the samples drawn without replacement, se = sqrt(1/(B-1) Σ (θ_b − θ̄)²) (the delete-d jackknife with d = N/2), interval θ̂ ± z·se, which always contains the estimate. It shows the estimator's sampling spread at N (how far the estimate lies from the estimator's own expectation at N), not its bias (how far that expectation lies from the true mutual information). --interval bootstrap is the older with-replacement percentile bootstrap, kept for comparison only: duplicated rows change what binning, kNN, KDE and lossy estimate, so its interval can exclude the estimate; the column ci_excludes_estimate says so (none, or the quantities, e.g. i_xt;i_ty). Intervals go to the CSV columns i_xt_ci_lo, i_xt_ci_hi, i_ty_ci_lo, i_ty_ci_hi, i_xt_given_y_ci_lo, i_xt_given_y_ci_hi (settings in ci_method, ci_level, ci_resamples, ci_seed); an estimator's own bounds (KDE) are the separate columns i_xt_lower, i_xt_upper, i_ty_lower, i_ty_upper. What each estimator's interval covers is in its description above.

      Across machines: run `ibplane analyze REC --shard i/n --out DIR` for i = 1..n (e.g. a Slurm job array with --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT), then `ibplane merge DIR`.

      Example:
        ibplane analyze run.bin --estimator binning --estimator kde --resamples 100 --seed 1 --out reports/run
      """)

  @Argument(help: "The recording: an activations.bin file, a .npz archive or .npy folder (docs/activations-format.md), or a directory with recording.json (see above). Several recordings of one design (e.g. the seeds of `ibplane train --seeds`) go into one plane.csv, plus plane-summary.csv and compression.csv across them.")
  var inputs: [String]

  @Option(name: .customLong("estimator"), help: "Estimator NAME or NAME:key=value,... (parameters below); repeat for several (default: every plane family).")
  var estimators: [String] = []

  @Option(help: "Layers to analyse: comma-separated names or 0-based indices (default: all).")
  var layers: String?

  @Option(help: "Epochs to analyse: 'all' or a list of epochs and ranges, e.g. 0,10,100-500.")
  var epochs: String = "all"

  @Option(help: "Samples to analyse: all, or the train or test samples of the recording's train/test split (recorded by `ibplane train`, a NumPy `split` array or the Python recorder's split=). The layer rows, the inputs X and the labels Y are all restricted to the subset, so n in plane.csv is its size and I(X;T) is at most log2 n; plane.json records the subset. A recording without a split refuses train and test.")
  var samples: SampleSubset = .all

  @Option(help: "Unit of the CSV and reports: bits or nats.")
  var unit: InformationUnit = .bits

  @Option(parsing: .unconditional, help: "Resamples B of the confidence interval (0: none; 50 or more for reporting; at most 10,000, and B resampled copies of the inputs and labels must fit in half the memory).")
  var resamples: Int?

  @Option(parsing: .unconditional, help: "The older name of --resamples (B resamples of the --interval method, now the half-sample jackknife by default); if both are given they must agree.")
  var bootstrap: Int?

  @Option(help: "Interval method: jackknife (half-sample jackknife, the default: θ̂ ± z·se, contains the estimate) or bootstrap (with-replacement percentile bootstrap, demoted: may exclude the estimate, flagged in ci_excludes_estimate).")
  var interval: String = "jackknife"

  @Option(parsing: .unconditional, help: "Coverage of the confidence interval, in (0, 1).")
  var confidence: Double = 0.95

  @Option(parsing: .unconditional, help: "Seed of every random choice (the interval's resamples).")
  var seed: UInt64 = 0

  @Option(help: "Output directory (default: reports/<recording name>, the name made a safe file name: characters other than letters, digits, '.', '-' and '_' become '_', and a leading '.' too). One process at a time may write an output: a second gets an error naming the first one's PID.")
  var out: String?

  @Flag(help: "Keep the rows already in the output CSV and compute only the missing jobs; refused when the CSV holds rows of another recording (their recording_fingerprint differs) or was written before fingerprints existed.")
  var resume = false

  @Option(help: "Compute only shard i of n (1-based, n at most the number of jobs) into DIR/plane-shard-i-of-n.csv; join with `ibplane merge`.")
  var shard: String?

  @Option(parsing: .unconditional, help: "Worker threads, 1…4096: at most this many computations run at once, the jobs and the loops inside them together (default: IBPLANE_THREADS or the number of cores). Results do not depend on it.")
  var threads: Int?

  @Flag(help: "Print a JSON summary on stdout.")
  var json = false

  @Flag(help: "Print nothing on stdout (no progress on stderr, no summary; errors, warnings and --json still print).")
  var quiet = false

  func run() throws {
    do {
      try analyze()
    } catch let e as CSVError {
      throw BadInput(e.description)
    }
  }

  private func analyze() throws {
    try ThreadsOption.apply(threads)
    if let out, out.isEmpty { throw BadInput("--out is empty; give an output directory (or leave --out out for reports/<recording name>)") }
    guard let input = inputs.first else { throw BadInput("give the recording to analyse") }
    // The estimators first: a misspelt name is refused before any recording is read.
    let specs = estimators.isEmpty ? EstimatorRegistry.defaultPlaneSpecifications : estimators
    let made = try specs.map { try EstimatorRegistry.makePlane($0) }
    let sources = try inputs.map { try openSource($0) }
    let source = sources[0]
    var options = PlaneAnalysisOptions()
    options.unit = unit
    options.epochs = try EpochSelection(parsing: epochs)
    options.layers = try layers.map { try Self.layerIndices($0, source.layers) }
    if let resamples, let bootstrap, resamples != bootstrap {
      throw BadInput("--resamples \(resamples) and --bootstrap \(bootstrap) disagree; give one of them (--bootstrap is the older name of --resamples)")
    }
    let resampleCount = resamples ?? bootstrap ?? 0
    options.bootstrapResamples = resampleCount
    do { options.intervalMethod = try PlaneIntervalSettings.Method(parsing: interval) } catch let e as EstimatorError {
      throw BadInput("--interval: \(e.description)")
    }
    options.confidenceLevel = confidence
    options.seed = seed
    options.sourceDescription = input
    options.samples = samples
    if let shard { options.shard = try PlaneShard(parsing: shard) }
    if let threads { options.threads = threads }
    guard resampleCount == 0 || resampleCount >= 2 else {
      throw BadInput("--\(resamples == nil ? "bootstrap" : "resamples") must be 0 or at least 2, got \(resampleCount)")
    }
    guard inputs.count == 1 || options.shard.isWhole else { throw BadInput("--shard works on one recording; got \(inputs.count)") }
    guard inputs.count == 1 || out != nil else { throw BadInput("--out is required with several recordings") }
    let directory = URL(fileURLWithPath: out ?? "reports/\(Self.directoryName(source.name))")
    let analysis = try PlaneAnalysis(source: source, estimators: made, options: options)
    // One analysis per recording, each with its own context (the samples are compared, not assumed).
    let analyses = try [analysis] + zip(inputs, sources).dropFirst().map { path, other in
      var o = options
      o.sourceDescription = path
      return try PlaneAnalysis(source: other, estimators: made, options: o)
    }
    do { try PlaneAnalysis.checkOneDesign(analyses) } catch let e as RecordingMismatchError { throw BadInput(e.description) }
    guard !analysis.allJobs.isEmpty else { throw BadInput("no jobs: the layer and epoch selection matches no snapshot") }
    // Held across the run and the reports, so no other process writes this output meanwhile.
    try OutputFiles.createDirectory(directory)
    let lock = try OutputLock.acquire(options.shard.csvFileName, in: directory)
    defer { lock.release() }
    InterruptHint.install(csv: directory.appendingPathComponent(options.shard.csvFileName).path)
    let progress = AnalysisProgressPrinter(quiet: quiet)
    let summary = try PlaneAnalysis.run(analyses, directory: directory, resume: resume, progress: progress.update)
    // Not silenced by --quiet: a clipped binning row is a wrong number, not progress.
    for w in PlaneClipping.warnings(summary.rows) { CLIFailure.printError("warning: \(w.message)") }
    var reports: [String] = []
    if options.shard.isWhole {
      let manifest = inputs.count > 1 ? try PlaneManifest.read(summary.manifest) : analysis.manifest
      reports = try PlaneReport.write(summary.rows, manifest: manifest, to: directory)
        .map { directory.appendingPathComponent($0).path }
    }
    if json {
      print(try JSONOutput.render([
        "csv": summary.csv.path, "manifest": summary.manifest.path, "reports": reports,
        "rows": summary.rows.count, "computed": summary.computed, "skipped": summary.skipped,
        "seconds": summary.seconds, "unit": unit.rawValue, "shard": options.shard.description,
        "estimators": made.map(Self.estimatorJSON),
        "recordings": inputs, "seed": seed,
      ]))
    } else if !quiet {
      print(
        "wrote \(summary.rows.count) rows (\(summary.computed) computed, \(summary.skipped) resumed) to \(summary.csv.path) in "
          + String(format: "%.2f s", summary.seconds) + "; values in \(unit.rawValue)")
      if !reports.isEmpty { print("report: \(directory.appendingPathComponent("index.html").path)") }
      if !options.shard.isWhole { print("shard \(options.shard): join the shards with `ibplane merge \(directory.path)`") }
    }
  }

  /// One estimator in `--json` (analyze and merge): its name, label, canonical `params` string
  /// and the same parameters typed.
  static func estimatorJSON(_ e: any InformationPlaneEstimator) -> [String: Any] {
    [
      "name": e.name, "label": EstimatorRegistry.label(of: e), "params": EstimatorRegistry.parameters(of: e),
      "parameters": JSONOutput.typedParameters(of: e, name: e.name, form: .plane),
    ]
  }

  /// A recording name as one safe path component for the default output directory: a name
  /// comes from inside the recording (`recording.json`'s `name`), so `../../x` must not
  /// climb out of `reports/`. Letters, digits, `.`, `-` and `_` are kept, everything else
  /// becomes `_`, as does a leading `.` (no `..`, no hidden directory); at most 200 UTF-8
  /// bytes (file systems allow 255); an empty result is `recording`.
  static func directoryName(_ name: String) -> String {
    var s = PlaneReport.fileNameComponent(name, keeping: ".")
    if s.hasPrefix(".") { s = "_" + s.dropFirst() }
    while s.utf8.count > 200 { s.removeLast() }
    return s.isEmpty ? "recording" : s
  }

  /// Layer names or 0-based indices, comma-separated.
  static func layerIndices(_ text: String, _ layers: [LayerSpec]) throws -> [Int] {
    try text.split(separator: ",").map { item -> Int in
      let t = item.trimmingCharacters(in: .whitespaces)
      if let k = layers.firstIndex(where: { $0.name == t }) { return k }
      if let k = Int(t), layers.indices.contains(k) { return k }
      throw BadInput("--layers: no layer \"\(t)\"; the recording has \(layers.enumerated().map { "\($0.offset):\($0.element.name)" }.joined(separator: ", "))")
    }
  }
}

extension SampleSubset: ExpressibleByArgument {}
