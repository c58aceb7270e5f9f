import Foundation
import IBPlane

/// Everything that defines a training run. The defaults reproduce Shwartz-Ziv & Tishby's
/// 12-bit setup (IDNNs code): 12-10-7-5-4-3-2, tanh, softmax cross-entropy, truncated-normal
/// initialisation with std 1/√fan_in, Adam with learning rate 0.0004, batch 256, 8,000 epochs,
/// 400 log-spaced snapshot points (274 distinct epochs).
public struct TrainingConfiguration: Sendable, Equatable {
  /// Hidden layer widths; the output layer has one unit per class.
  public var hiddenWidths: [Int] = [10, 7, 5, 4, 3]
  public var activation: Activation = .tanh
  public var loss: Loss = .softmaxCrossEntropy
  public var initialization: Initialization = .truncatedNormal
  public var optimizer: Optimizer = .adam
  public var learningRate: Double = 0.0004
  /// Mini-batch size; `nil` means full batch.
  public var batchSize: Int? = 256
  public var epochs: Int = 8000
  /// L2 weight-decay coefficient λ: the objective gains (λ/2)·Σ‖W‖² (weights only).
  public var l2: Double = 0
  public var seed: UInt64 = 1
  public var schedule: RecordingSchedule = .logSpaced(count: 400)
  /// OpenBLAS threads during training; `nil` applies `TrainingConfiguration.defaultBLASThreads`.
  public var blasThreads: Int? = nil

  public init() {}

  /// The OpenBLAS thread policy for training: one thread, unless `blasThreads` says otherwise.
  ///
  /// Measured on the project's 2-core machine (shared with other jobs), release build,
  /// `bench/trainer_vs_numpy.py` and `bench/README.md`:
  /// - 12-bit net (GEMMs of at most 256×12×10): OpenBLAS runs such small products on one
  ///   thread whatever the setting; 1 vs 2 threads differ only by noise.
  /// - MNIST 784-1024-20-20-20-10, batch 128 (the 784×1024 GEMM is 1.0·10⁸ multiply-adds):
  ///   2 threads ran slower than 1 (the table in bench/README.md): on a shared machine the
  ///   second core is rarely free.
  /// One thread also matches `NativeRuntime`'s process-wide policy, and a run is
  /// bit-reproducible for a given seed at a given thread count. On an idle many-core machine,
  /// pass `--blas-threads` (or set `blasThreads`) for wide layers.
  public static let defaultBLASThreads = 1
}

/// Trains a fully-connected classifier on a `ClassificationDataset` and reports snapshots.
///
/// Randomness: one `RandomSource(seed:)` per run; the initial weights come from its child
/// stream 0 and the per-epoch shuffles from child stream 1, so a seed (and an OpenBLAS thread
/// count) fixes every bit of the run. Full-batch training does not shuffle.
///
/// Cost per epoch: 3 GEMMs per layer per batch — O(N_train · Σ fanIn·fanOut) — plus, at
/// snapshot epochs, one forward pass over all N patterns.
public final class Trainer<S: TrainScalar> {
  public let configuration: TrainingConfiguration
  public let dataset: ClassificationDataset
  public private(set) var network: Network<S>
  public private(set) var optimizerState: OptimizerState<S>
  public private(set) var completedEpochs = 0

  private let allInputs: Matrix<S>
  private let trainInputs: Matrix<S>
  private let trainTargets: TrainingTargets<S>
  private let shuffleSource: RandomSource

  public init(configuration: TrainingConfiguration, dataset: ClassificationDataset) throws {
    guard configuration.epochs >= 0 else { throw NumericsError.invalidParameter("epochs must be ≥ 0") }
    guard configuration.learningRate > 0, configuration.learningRate.isFinite else {
      throw NumericsError.invalidParameter("learning rate must be positive, got \(configuration.learningRate)")
    }
    guard configuration.l2 >= 0 else { throw NumericsError.invalidParameter("L2 coefficient must be ≥ 0") }
    if let b = configuration.batchSize, b < 1 { throw NumericsError.invalidParameter("batch size must be ≥ 1, got \(b)") }
    guard !dataset.trainIndices.isEmpty else { throw NumericsError.invalidParameter("the data set has no training patterns") }
    try TrainingLimits.check(
      configuration, inputWidth: dataset.inputWidth, classCount: dataset.classCount, patterns: dataset.count)
    self.configuration = configuration
    self.dataset = dataset
    let random = RandomSource(seed: configuration.seed)
    let widths = configuration.hiddenWidths + [dataset.classCount]
    let outputActivation: Activation = configuration.loss == .softmaxCrossEntropy ? .linear : configuration.activation
    let activations = Array(repeating: configuration.activation, count: configuration.hiddenWidths.count) + [outputActivation]
    network = try Network(
      inputWidth: dataset.inputWidth, widths: widths, activations: activations,
      initialization: configuration.initialization, random: RandomSource(seed: random.derivedSeed(0)))
    optimizerState = OptimizerState(optimizer: configuration.optimizer, network: network)
    shuffleSource = RandomSource(seed: random.derivedSeed(1))
    allInputs = dataset.inputs.converted(to: S.self)
    trainInputs = allInputs.selectingRows(dataset.trainIndices)
    trainTargets = .classes(dataset.trainIndices.map { dataset.labels[$0] }, classCount: dataset.classCount)
  }

  /// Layer names in snapshot order: `hidden1` … `hiddenL`, `output`.
  public var layerNames: [String] {
    (1...configuration.hiddenWidths.count).map { "hidden\($0)" } + ["output"]
  }

  /// The OpenBLAS thread count this run uses.
  public var blasThreads: Int { configuration.blasThreads ?? TrainingConfiguration.defaultBLASThreads }

  /// Runs the remaining epochs, calling `onSnapshot` at every scheduled epoch (before that
  /// epoch's updates) and `onProgress` after every epoch. An error thrown by a callback stops
  /// training and is rethrown.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  @discardableResult
  public func train(
    onProgress: ((EpochProgress) -> Void)? = nil, onSnapshot: (TrainingSnapshot) throws -> Void
  ) throws -> TrainingSummary {
    let previousThreads = NativeRuntime.blasThreads
    let threads = blasThreads
    NativeRuntime.setBLASThreads(threads)
    defer { NativeRuntime.setBLASThreads(previousThreads) }

    let total = configuration.epochs
    let scheduled = Set(configuration.schedule.epochs(totalEpochs: total))
    let n = trainInputs.rows
    let batch = Swift.min(configuration.batchSize ?? n, n)
    let identity = Array(0..<n)
    let clock = ContinuousClock()
    let start = clock.now
    let cpuStart = Self.processCPUSeconds()
    var snapshotTime = Duration.zero
    var snapshotCPU = 0.0
    var snapshots = 0

    func takeSnapshot() throws {
      let t0 = clock.now
      let c0 = Self.processCPUSeconds()
      let s = try snapshot()
      try onSnapshot(s)
      snapshots += 1
      snapshotTime += clock.now - t0
      snapshotCPU += Self.processCPUSeconds() - c0
    }

    while completedEpochs < total {
      if scheduled.contains(completedEpochs) { try takeSnapshot() }
      let order = batch >= n ? identity : shuffleSource.permutation(n)
      let (loss, correct) = try _MiniBatchLoop.epoch(
        network: &network, state: &optimizerState, inputs: trainInputs, targets: trainTargets,
        loss: configuration.loss, batchSize: batch, learningRate: configuration.learningRate,
        l2: configuration.l2, order: order)
      guard loss.isFinite else {
        throw NumericsError.nonFinite("training loss became \(loss) at epoch \(completedEpochs + 1); lower the learning rate")
      }
      completedEpochs += 1
      onProgress?(
        EpochProgress(
          epoch: completedEpochs, epochs: total, step: optimizerState.step, loss: loss,
          accuracy: Double(correct) / Double(n), elapsedSeconds: (clock.now - start).seconds))
    }
    if scheduled.contains(completedEpochs) { try takeSnapshot() }
    let wall = (clock.now - start).seconds
    let cpu = Self.processCPUSeconds() - cpuStart
    return TrainingSummary(
      epochs: total, steps: optimizerState.step, snapshotCount: snapshots, finalMetrics: try evaluate().metrics,
      trainingSeconds: wall - snapshotTime.seconds, trainingCPUSeconds: cpu - snapshotCPU,
      snapshotSeconds: snapshotTime.seconds, blasThreads: threads)
  }

  /// CPU time of the whole process (all threads), in seconds: `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`.
  static func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  /// The current network's activations on every pattern and its metrics.
  public func snapshot() throws -> TrainingSnapshot {
    let (layers, metrics) = try evaluate()
    return TrainingSnapshot(
      epoch: completedEpochs, step: optimizerState.step, layers: layers, layerNames: layerNames, metrics: metrics)
  }

  /// One forward pass over all patterns: per-layer activations (as `Float`; the output of a
  /// cross-entropy network as softmax probabilities) and loss/accuracy on the train and test rows.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public func evaluate() throws -> (layers: [Matrix<Float>], metrics: [String: Double]) {
    let pass = try network.forward(allInputs)
    var layers = pass.outputs
    if configuration.loss == .softmaxCrossEntropy { layers[layers.count - 1] = Loss.softmax(pass.output) }
    var metrics: [String: Double] = [:]
    for (name, rows) in [("", dataset.trainIndices), ("test_", dataset.testIndices)] where !rows.isEmpty {
      let output = pass.output.selectingRows(rows)
      let labels = rows.map { dataset.labels[$0] }
      let value = try configuration.loss.evaluate(output: output, targets: .classes(labels, classCount: dataset.classCount)).value
      metrics[name + "loss"] = value
      metrics[(name.isEmpty ? "train_" : name) + "accuracy"] =
        Double(_MiniBatchLoop.countCorrect(output, labels)) / Double(rows.count)
    }
    return (layers.map { S.self == Float.self ? $0 as! Matrix<Float> : $0.converted(to: Float.self) }, metrics)
  }
}

extension Duration {
  var seconds: Double {
    let (s, atto) = components
    return Double(s) + Double(atto) * 1e-18
  }
}
