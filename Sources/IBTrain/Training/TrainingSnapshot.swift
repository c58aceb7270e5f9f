import IBPlane

/// What the trainer reports at each scheduled epoch: every hidden layer's and the output
/// layer's activations on the full pattern set (train and test, in data-set order), plus
/// metrics. The output layer of a cross-entropy network is reported as softmax probabilities.
///
/// This is exactly the argument list of `Recorder.record(epoch:step:layers:metrics:)`.
public struct TrainingSnapshot: Sendable {
  /// Completed epochs when the snapshot was taken (0 = initial network).
  public var epoch: Int
  /// Optimiser steps taken so far.
  public var step: Int
  /// One N × width matrix per layer, hidden layers first, output last.
  public var layers: [Matrix<Float>]
  /// `hidden1`, …, `hiddenL`, `output`.
  public var layerNames: [String]
  /// `loss` (training-set loss, nats), `test_loss`, `train_accuracy`, `test_accuracy`.
  public var metrics: [String: Double]
}

/// Reported after every epoch, for progress display.
public struct EpochProgress: Sendable {
  /// Completed epochs (1…epochs).
  public var epoch: Int
  public var epochs: Int
  public var step: Int
  /// Mean mini-batch loss over the epoch (nats), before each batch's update.
  public var loss: Double
  /// Running training accuracy over the epoch's batches (before each batch's update); nil for
  /// regression targets.
  public var accuracy: Double?
  /// Wall time since training started, in seconds.
  public var elapsedSeconds: Double
}

/// The outcome of a training run.
public struct TrainingSummary: Sendable {
  public var epochs: Int
  public var steps: Int
  public var snapshotCount: Int
  /// Metrics of the trained network (same keys as `TrainingSnapshot.metrics`).
  public var finalMetrics: [String: Double]
  /// Wall time of the epochs themselves (optimisation only), in seconds.
  public var trainingSeconds: Double
  /// CPU time of the epochs (all threads of the process), in seconds; on a shared machine a
  /// steadier measure of the work than wall time.
  public var trainingCPUSeconds: Double
  /// Wall time spent computing snapshots and in the snapshot callback, in seconds.
  public var snapshotSeconds: Double
  /// OpenBLAS threads used.
  public var blasThreads: Int
  public var epochsPerSecond: Double { trainingSeconds > 0 ? Double(epochs) / trainingSeconds : .infinity }
  /// Epochs per CPU second.
  public var epochsPerCPUSecond: Double { trainingCPUSeconds > 0 ? Double(epochs) / trainingCPUSeconds : .infinity }
}
