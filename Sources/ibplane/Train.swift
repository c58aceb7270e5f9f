import ArgumentParser
import Foundation
import IBPlane
import IBTrain

#if canImport(Glibc)
  import Glibc
#endif

/// `ibplane train`: trains the bundled MLP on a bundled data set and records its layers.
struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Train the bundled fully-connected network and record its layers at scheduled epochs.",
    discussion: """
      The defaults reproduce Shwartz-Ziv & Tishby's 12-bit experiment (IDNNs code): network 12-10-7-5-4-3-2, tanh, softmax cross-entropy, truncated-normal initialisation with std 1/sqrt(fan_in), Adam with learning rate 0.0004, batch 256, 8,000 epochs, first 80 % of the patterns (file order) for training (--split idnns; --split shuffled draws a seeded, class-stratified 80/20 split instead; the recording stores the split, see `ibplane analyze --samples`), and snapshots of every layer on all 4,096 patterns at 274 log-spaced epochs.

      Loss values are in nats (cross-entropy) or squared units (mse). Progress goes to stderr (a live bar on a terminal, plain lines otherwise); the summary goes to stdout.

      Examples:
        ibplane train --record run.bin
        ibplane train --dataset mnist10k --arch 1024,20,20,20 --activation relu --init he \\
          --optimizer sgd --momentum 0.9 --lr 0.01 --batch 128 --epochs 40 --log-every 5
        ibplane train --seeds 1-10 --record runs/ && ibplane analyze runs/seed-*.bin --out reports/runs

      Several seeds (--seeds): one run per seed with every other setting the same, one after another; with --record DIR each run is recorded to DIR/seed-<seed>.bin (DIR is created). On ib12, ib12-g1, ib12-g2 and mnist10k the seed changes the initialisation and the batch order only, so the recordings share their samples and `ibplane analyze` can summarise them across runs; on gaussian-mixture the seed also draws the data.
      """)

  @Option(help: "Data set: ib12, ib12-g1, ib12-g2, mnist10k or gaussian-mixture.")
  var dataset: BundledDataset = .ib12

  @Option(help: "Hidden layer widths, comma-separated; the output layer has one unit per class. At most \(TrainingLimits.maximumParameters) weights and biases in all, and (patterns × the sum of all layer widths) at most \(TrainingLimits.maximumActivationValues) activation values per forward pass (e.g. widths summing to 32,768 on the 4,096 patterns of ib12).")
  var arch: String = "10,7,5,4,3"

  @Option(help: "Hidden activation: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")).")
  var activation: Activation = .tanh

  @Option(help: "Loss: cross-entropy (softmax output) or mse (one-hot targets).")
  var loss: Loss = .softmaxCrossEntropy

  @Option(name: .customLong("init"), help: "Weight initialisation: truncated-normal (std 1/sqrt(fan_in)), glorot or he.")
  var initialization: Initialization = .truncatedNormal

  @Option(help: "Optimiser: adam or sgd.")
  var optimizer: String = "adam"

  @Option(parsing: .unconditional, help: "Learning rate.")
  var lr: Double = 0.0004

  @Option(parsing: .unconditional, help: "Momentum of sgd (0 = plain SGD); ignored by adam.")
  var momentum: Double = 0

  @Option(parsing: .unconditional, help: "L2 weight decay λ: adds (λ/2)·Σ‖W‖² to the loss.")
  var l2: Double = 0

  @Option(parsing: .unconditional, help: "Mini-batch size; 0 means full batch.")
  var batch: Int = 256

  @Option(parsing: .unconditional, help: "Number of epochs (at most \(TrainingLimits.maximumEpochs)).")
  var epochs: Int = 8000

  @Option(parsing: .unconditional, help: "Snapshot at K log-spaced epochs, unique(int(logspace(0, log2 E, K, base 2))) - 1 (274 distinct of 8,000 for K = 400); 0 for none; K at most \(TrainingLimits.maximumSnapshots).")
  var logEpochs: Int = 400

  @Option(parsing: .unconditional, help: "Snapshot every n epochs instead (0, n, 2n, …, up to and including the last); at most \(TrainingLimits.maximumSnapshots) snapshots.")
  var logEvery: Int?

  @Option(parsing: .unconditional, help: "Seed of every random choice (initialisation, shuffling, generated data).")
  var seed: UInt64 = 1

  @Option(help: "Train/test split: idnns (the data set's own: on the 12-bit sets the first 80 % of the patterns in file order, as in the IDNNs code, which leaves a test set that is 84 % class 1; every fifth digit on mnist10k) or shuffled (a seeded random 80/20 split, stratified by class). The recording stores the split and the test metrics use it.")
  var split: DatasetSplit = .idnns

  @Option(parsing: .unconditional, help: "Seed of --split shuffled (default: derived from the run's seed, so each --seeds run gets its own split; give one to share a split across runs).")
  var splitSeed: UInt64?

  @Option(help: "Several runs, one per seed: a list of seeds and ranges, e.g. 1-10 or 1,2,7-9 (at most \(Self.maximumSeeds)); replaces --seed. With --record DIR, run s is recorded to DIR/seed-s.bin.")
  var seeds: String?

  @Option(help: "Write snapshots to this recording (activations.bin format); with --seeds, the directory of the recordings.")
  var record: String?

  @Option(help: "Directory of the bundled data sets (default: $IBPLANE_DATA, ./notebooks-data, or the one next to the executable's checkout).")
  var dataDir: String?

  @Option(parsing: .unconditional, help: "OpenBLAS threads during training (default 1: measured fastest on the shared 2-core machine, see bench/README.md); at most the number of cores this process may use (\(TrainingLimits.maximumBLASThreads) here). More than 1 changes the trained weights in the last bits (OpenBLAS splits its products differently), so a recording is reproducible only with the same value.")
  var blasThreads: Int?

  @Option(parsing: .unconditional, help: "gaussian-mixture only: number of classes (at most \(TrainingLimits.maximumClasses); classes × samples × dimension at most \(TrainingLimits.maximumDatasetValues) values).")
  var mixtureClasses: Int = 3
  @Option(parsing: .unconditional, help: "gaussian-mixture only: dimension.")
  var mixtureDimension: Int = 10
  @Option(parsing: .unconditional, help: "gaussian-mixture only: samples per class.")
  var mixtureSamples: Int = 1000
  @Option(parsing: .unconditional, help: "gaussian-mixture only: standard deviation of the class means (unit-variance classes).")
  var mixtureSeparation: Double = 2

  @Flag(help: "Print the summary as JSON.")
  var json = false

  @Flag(help: "Print nothing on stdout (no progress on stderr, no summary; errors and --json still print).")
  var quiet = false

  func validate() throws {
    if let record, record.isEmpty { throw ValidationError("--record is empty; give the path of the recording to write") }
    if let seeds { _ = try Self.parseSeeds(seeds) }
    guard parsedArchitecture != nil else {
      throw ValidationError("--arch must be comma-separated positive widths, e.g. 10,7,5,4,3; got '\(arch)'")
    }
    guard ["adam", "sgd"].contains(optimizer) else { throw ValidationError("--optimizer must be adam or sgd; got '\(optimizer)'") }
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
    guard (0..<1).contains(momentum) else { throw ValidationError("--momentum must lie in [0, 1), got \(momentum)") }
    guard l2 >= 0 else { throw ValidationError("--l2 must be at least 0, got \(l2)") }
    guard batch >= 0 else { throw ValidationError("--batch must be at least 0 (0 = full batch), got \(batch)") }
    guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
    guard logEpochs >= 0 else { throw ValidationError("--log-epochs must be at least 0, got \(logEpochs)") }
    if let n = logEvery, n < 1 { throw ValidationError("--log-every must be at least 1, got \(n)") }
    if let t = blasThreads, !(1...TrainingLimits.maximumBLASThreads).contains(t) {
      throw ValidationError("--blas-threads must lie in 1…\(TrainingLimits.maximumBLASThreads), the number of cores this process may use; got \(t)")
    }
    if splitSeed != nil && split != .shuffled {
      throw ValidationError("--split-seed applies only to --split shuffled; add --split shuffled or drop --split-seed")
    }
    guard epochs <= TrainingLimits.maximumEpochs else { throw ValidationError("--epochs must be at most \(TrainingLimits.maximumEpochs); got \(epochs)") }
    guard logEpochs <= TrainingLimits.maximumSnapshots else {
      throw ValidationError("--log-epochs must be at most \(TrainingLimits.maximumSnapshots); got \(logEpochs)")
    }
  }

  var parsedArchitecture: [Int]? {
    let parts = arch.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
    return parts.map { $0! }
  }

  var trainingConfiguration: TrainingConfiguration {
    var c = TrainingConfiguration()
    c.hiddenWidths = parsedArchitecture ?? []
    c.activation = activation
    c.loss = loss
    c.initialization = initialization
    c.optimizer = optimizer == "sgd" ? .sgd(momentum: momentum) : .adam
    c.learningRate = lr
    c.batchSize = batch == 0 ? nil : batch
    c.epochs = epochs
    c.l2 = l2
    c.seed = seed
    c.schedule = logEvery.map { .every($0) } ?? (logEpochs == 0 ? .none : .logSpaced(count: logEpochs))
    c.blasThreads = blasThreads
    return c
  }

  static let maximumSeeds = 1000

  /// `--seeds`: comma-separated seeds and `a-b` ranges (inclusive), distinct, in the order given.
  static func parseSeeds(_ text: String) throws -> [UInt64] {
    var out: [UInt64] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let t = item.trimmingCharacters(in: .whitespaces)
      let bounds = t.split(separator: "-", omittingEmptySubsequences: false).map { UInt64($0) }
      guard (1...2).contains(bounds.count), let lo = bounds.first!, let hi = bounds.last!, lo <= hi else {
        throw ValidationError("--seeds must be seeds and ranges such as 1-10 or 1,2,7-9; got '\(t)' in '\(text)'")
      }
      guard hi - lo < UInt64(maximumSeeds), out.count + Int(hi - lo + 1) <= maximumSeeds else {
        throw ValidationError("--seeds gives more than \(maximumSeeds) seeds; got '\(text)'")
      }
      for s in lo...hi {
        guard !out.contains(s) else { throw ValidationError("--seeds lists seed \(s) twice; got '\(text)'") }
        out.append(s)
      }
    }
    return out
  }

  func run() throws {
    guard let seedList = try seeds.map(Self.parseSeeds) else {
      _ = try train(seed: seed, record: record)
      return
    }
    var directory: URL?
    if let record {
      let url = URL(fileURLWithPath: record, isDirectory: true)
      do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
        throw BadInput("--record \(record): cannot create the directory of the recordings (\(OutputError.cause(of: error)))")
      }
      directory = url
    }
    var runs: [[String: Any]] = []
    for s in seedList {
      runs.append(try train(seed: s, record: directory.map { $0.appendingPathComponent("seed-\(s).bin").path }))
    }
    if json { print(try JSONOutput.render(["runs": runs])) }
  }

  /// One training run; prints its summary (text, or JSON without --seeds) and returns the JSON object.
  private func train(seed: UInt64, record: String?) throws -> [String: Any] {
    let data: ClassificationDataset
    do {
      let mixture = GaussianMixture(
        classes: mixtureClasses, dimension: mixtureDimension, samplesPerClass: mixtureSamples,
        separation: mixtureSeparation)
      data = try dataset.load(directory: try Self.dataDirectory(dataDir), seed: seed, mixture: mixture)
        .applying(split, seed: splitSeed(for: seed))
    } catch let error as DatasetError {
      throw BadInput(error.description)
    }
    var config = trainingConfiguration
    config.seed = seed
    if seeds != nil && !json && !quiet { print("seed \(seed):") }
    let trainer = try Trainer<Float>(configuration: config, dataset: data)
    let architecture = ([data.inputWidth] + config.hiddenWidths + [data.classCount]).map(String.init).joined(separator: "-")
    var run: [String: String] = [
      "dataset": dataset.rawValue, "architecture": architecture, "activation": activation.rawValue,
      "loss": loss.rawValue, "init": initialization.rawValue, "optimizer": optimizer, "lr": "\(lr)",
      "momentum": "\(momentum)", "l2": "\(l2)", "batch": "\(batch)", "epochs": "\(epochs)", "seed": "\(seed)",
      "train_patterns": "\(data.trainIndices.count)", "test_patterns": "\(data.testIndices.count)",
      "trainer": "ibplane \(IBPlaneVersion.string)", "split": split.rawValue,
    ]
    if split == .shuffled { run["split_seed"] = "\(splitSeed(for: seed))" }
    let sink: (TrainingSnapshot) throws -> Void =
      try record.map { try recordSnapshots(to: $0, trainer: trainer, run: run) } ?? { _ in }

    let progress = TrainingProgress(quiet: quiet)
    let summary = try trainer.train(onProgress: progress.update) { try sink($0) }
    progress.finish()

    let m = summary.finalMetrics
    if json {
      var object: [String: Any] = [
        "dataset": dataset.rawValue, "architecture": architecture, "epochs": summary.epochs, "steps": summary.steps,
        "snapshots": summary.snapshotCount, "training_seconds": summary.trainingSeconds,
        "snapshot_seconds": summary.snapshotSeconds, "epochs_per_second": summary.epochsPerSecond,
        "training_cpu_seconds": summary.trainingCPUSeconds, "epochs_per_cpu_second": summary.epochsPerCPUSecond,
        "blas_threads": summary.blasThreads, "loss_unit": "nats",
      ]
      for (k, v) in m { object[k] = v }
      if let r = record { object["record"] = r }
      object["seed"] = NSNumber(value: seed)
      if seeds == nil { print(try JSONOutput.render(object)) }
      return object
    } else if !quiet {
      print(
        "trained \(dataset.rawValue) \(architecture) \(activation.rawValue) \(optimizer): \(summary.epochs) epochs, "
          + "\(summary.steps) steps in \(String(format: "%.2f", summary.trainingSeconds)) s "
          + "(\(String(format: "%.1f", summary.epochsPerSecond)) epochs/s, \(summary.blasThreads) BLAS thread(s))")
      var line = "train accuracy \(String(format: "%.4f", m["train_accuracy"] ?? .nan)), loss \(String(format: "%.4g", m["loss"] ?? .nan)) nats"
      if let t = m["test_accuracy"] { line += "; test accuracy \(String(format: "%.4f", t)), loss \(String(format: "%.4g", m["test_loss"] ?? .nan)) nats" }
      print(line)
      print("\(summary.snapshotCount) snapshots" + (record.map { " recorded to \($0)" } ?? " (not recorded: no --record)"))
    }
    return [:]
  }

  /// The seed of `--split shuffled` for the run with `seed`: `--split-seed`, else one derived
  /// from `seed` (a stream the trainer itself does not use).
  func splitSeed(for seed: UInt64) -> UInt64 {
    splitSeed ?? RandomSource(seed: seed).derivedSeed(Self.splitSeedStream)
  }

  /// `RandomSource.derivedSeed` index of the split's seed (the trainer uses 0 and 1).
  static let splitSeedStream = 7

  /// The bundled data directory: the option, `$IBPLANE_DATA`, `./notebooks-data`, the installed
  /// copy `<prefix>/share/ibplane/notebooks-data` of a `<prefix>/bin/ibplane` (`make install`),
  /// or a `notebooks-data` in a parent of the executable (a SwiftPM checkout's `.build/…/ibplane`).
  ///
  /// The executable is found through `/proc/self/exe`, not `argv[0]`: a command found on PATH
  /// has `argv[0] = "ibplane"`, which names a file in the working directory, so the old lookup
  /// failed for every installed binary run outside the checkout.
  static func dataDirectory(_ option: String?) throws -> String {
    if let o = option { return o }
    if let e = ProcessInfo.processInfo.environment["IBPLANE_DATA"], !e.isEmpty { return e }
    let fm = FileManager.default
    if fm.fileExists(atPath: "notebooks-data") { return "notebooks-data" }
    let executable = executableURL()
    var searched = ["./notebooks-data"]
    var url = executable.deletingLastPathComponent()
    let installed = url.deletingLastPathComponent().appendingPathComponent("share/ibplane/notebooks-data")
    searched.append(installed.path)
    if fm.fileExists(atPath: installed.path) { return installed.path }
    for _ in 0..<6 {
      let candidate = url.appendingPathComponent("notebooks-data").path
      if fm.fileExists(atPath: candidate) { return candidate }
      url.deleteLastPathComponent()
    }
    searched.append("notebooks-data in the parents of \(executable.path)")
    throw BadInput("cannot find notebooks-data/ (searched \(searched.joined(separator: ", "))); pass --data-dir or set IBPLANE_DATA")
  }

  /// This process's executable with symbolic links resolved: the kernel's `/proc/self/exe`,
  /// else `argv[0]` looked up on PATH when it has no slash.
  static func executableURL() -> URL {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return URL(fileURLWithPath: target)
    }
    let argument = CommandLine.arguments.first ?? "ibplane"
    if !argument.contains("/") {
      for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(argument)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.resolvingSymlinksInPath() }
      }
    }
    return URL(fileURLWithPath: argument).resolvingSymlinksInPath()
  }
}

// MARK: - Recording (integration point)

/// THE single call site that connects `ibplane train` to the recordings module; called once,
/// before the first epoch, so a bad `--record` fails before any training time is spent.
func recordSnapshots(
  to path: String, trainer: Trainer<Float>, run: [String: String]
) throws -> (TrainingSnapshot) throws -> Void {
  let recorder = try Recorder(
    creating: URL(fileURLWithPath: path),
    layers: zip(trainer.layerNames, trainer.network.layers.map(\.fanOut)).map { LayerSpec(name: $0, width: $1) },
    inputs: trainer.dataset.inputs,
    labels: .classes(trainer.dataset.labels, classCount: trainer.dataset.classCount),
    run: run, split: try trainer.dataset.sampleSplit())
  return { try recorder.record(epoch: $0.epoch, step: $0.step, layers: $0.layers, metrics: $0.metrics) }
}

// MARK: - Progress

/// Epoch, loss, accuracy and ETA on stderr: a bar redrawn in place on a terminal (at most
/// 10 times a second), plain lines at every 5 % of the run otherwise.
final class TrainingProgress {
  private let quiet: Bool
  private let isTerminal = isatty(STDERR_FILENO) == 1
  private var lastDraw = -1.0
  private var drewBar = false

  init(quiet: Bool) { self.quiet = quiet }

  func update(_ p: EpochProgress) {
    guard !quiet else { return }
    let fraction = Double(p.epoch) / Double(max(p.epochs, 1))
    let eta = p.elapsedSeconds / max(fraction, 1e-9) * (1 - fraction)
    let stats =
      "epoch \(p.epoch)/\(p.epochs)  loss \(String(format: "%.4g", p.loss)) nats"
      + (p.accuracy.map { "  acc \(String(format: "%.3f", $0))" } ?? "") + "  ETA \(Self.clock(eta))"
    if isTerminal {
      guard p.elapsedSeconds - lastDraw >= 0.1 || p.epoch == p.epochs else { return }
      lastDraw = p.elapsedSeconds
      let width = 24
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
      CLIFailure.write("\r[\(bar)] \(stats)\u{1B}[K")
      drewBar = true
    } else {
      let every = max(1, p.epochs / 20)
      if p.epoch % every == 0 || p.epoch == p.epochs || p.epoch == 1 { CLIFailure.write(stats + "\n") }
    }
  }

  func finish() {
    if drewBar { CLIFailure.write("\n") }
  }

  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%02d:%02d", s / 60, s % 60)
  }
}

extension CLIFailure {
  static func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

extension BundledDataset: ExpressibleByArgument {}
extension DatasetSplit: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}
