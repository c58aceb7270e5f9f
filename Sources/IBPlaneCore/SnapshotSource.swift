import Foundation
import IBPlaneNumerics

/// One recorded layer: its name and width (number of units).
///
/// The recording reader (`Recording`) uses the same type; keep one definition.
public struct LayerSpec: Sendable, Equatable, Codable {
  public var name: String
  public var width: Int
  public init(name: String, width: Int) {
    self.name = name
    self.width = width
  }
}

/// The header of one recorded snapshot: when it was taken and the training metrics then.
///
/// The recording reader (`Recording`) uses the same type; keep one definition.
public struct SnapshotInfo: Sendable, Equatable, Codable {
  public var epoch: Int
  public var step: Int
  /// Free-form metrics recorded with the snapshot, e.g. `loss`, `train_accuracy`.
  public var metrics: [String: Double]
  /// Byte offset of the snapshot's record in an `activations.bin` file (nil when the source is
  /// not such a file).
  public var offset: Int?
  /// Byte length of that record: header, metrics, payload and CRC (nil when not from a file).
  public var length: Int?
  public init(epoch: Int, step: Int, metrics: [String: Double] = [:], offset: Int? = nil, length: Int? = nil) {
    self.epoch = epoch
    self.step = step
    self.metrics = metrics
    self.offset = offset
    self.length = length
  }
}

/// What `PlaneAnalysis` reads: layer activations per snapshot, plus the inputs and labels
/// of the recording (through `makePlaneContext()`).
///
/// `Recording` (the `activations.bin` reader) conforms to it, and so does
/// `InMemorySnapshotSource`, which training code uses to compute plane points on the fly
/// without writing a file. Implementations must be safe to read from several threads.
public protocol SnapshotSource: Sendable {
  /// A short name for the recording, used in the CSV's `recording` column and in titles.
  var name: String { get }
  /// The recorded layers, in recording order; `layer_index` in reports indexes this array.
  var layers: [LayerSpec] { get }
  /// Number of samples N: rows of every layer matrix.
  var sampleCount: Int { get }
  /// The recorded snapshots in recording order.
  var snapshots: [SnapshotInfo] { get }
  /// Free-form run metadata (activation function, seed, …) shown in reports.
  var run: [String: String] { get }
  /// The activations of layer `layerIndex` at snapshot `snapshot`, N × width.
  func layer(_ layerIndex: Int, snapshot: Int) throws -> Matrix<Float>
  /// A fresh context over the recording's inputs and labels.
  func makePlaneContext() throws -> PlaneContext
}

/// A `SnapshotSource` held in memory: what a training loop builds to compute plane
/// points without writing a recording.
///
/// ```swift
/// var source = try InMemorySnapshotSource(name: "mlp", inputs: x, labels: .classes(y, classCount: 2),
///                                         layers: [LayerSpec(name: "h1", width: 10)])
/// try source.append(SnapshotInfo(epoch: 1, step: 40, metrics: ["loss": 0.3]), layers: [h1])
/// ```
public struct InMemorySnapshotSource: SnapshotSource {
  public var name: String
  public var layers: [LayerSpec]
  public var run: [String: String]
  public private(set) var snapshots: [SnapshotInfo] = []
  public let inputs: Matrix<Float>?
  public let labels: Labels
  private var activations: [[Matrix<Float>]] = []

  public var sampleCount: Int { labels.sampleCount }

  public init(
    name: String, inputs: Matrix<Float>?, labels: Labels, layers: [LayerSpec], run: [String: String] = [:]
  ) throws {
    if let x = inputs, x.rows != labels.sampleCount {
      throw EstimatorError.shapeMismatch("inputs have \(x.rows) samples but labels have \(labels.sampleCount)")
    }
    self.name = name
    self.inputs = inputs
    self.labels = labels
    self.layers = layers
    self.run = run
  }

  /// Appends one snapshot: one N × width matrix per layer, in `layers` order.
  public mutating func append(_ info: SnapshotInfo, layers matrices: [Matrix<Float>]) throws {
    guard matrices.count == layers.count else {
      throw EstimatorError.shapeMismatch("snapshot has \(matrices.count) layers, expected \(layers.count)")
    }
    for (j, m) in matrices.enumerated() {
      guard m.rows == sampleCount, m.columns == layers[j].width else {
        throw EstimatorError.shapeMismatch(
          "layer \(layers[j].name) is \(m.rows)×\(m.columns), expected \(sampleCount)×\(layers[j].width)")
      }
    }
    snapshots.append(info)
    activations.append(matrices)
  }

  /// Drops every snapshot (keeps inputs, labels and layers), e.g. after a training loop
  /// has analysed them.
  public mutating func removeAllSnapshots() {
    snapshots.removeAll()
    activations.removeAll()
  }

  public func layer(_ layerIndex: Int, snapshot: Int) throws -> Matrix<Float> {
    guard snapshots.indices.contains(snapshot) else {
      throw EstimatorError.invalidParameter(
        name: "snapshot", value: "\(snapshot)", expected: "0..<\(snapshots.count)")
    }
    guard layers.indices.contains(layerIndex) else {
      throw EstimatorError.invalidParameter(
        name: "layer", value: "\(layerIndex)", expected: "0..<\(layers.count)")
    }
    return activations[snapshot][layerIndex]
  }

  public func makePlaneContext() throws -> PlaneContext {
    try PlaneContext(inputs: inputs, labels: labels)
  }
}
