import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// A recording laid out as a directory of NumPy files — the simplest way to bring
/// activations from any framework to `ibplane analyze` without the `activations.bin` writer:
///
///     DIR/recording.json                  {"name": "mlp", "run": {"activation": "tanh"},
///                                          "layers": [{"name": "h1", "width": 10}, …],
///                                          "snapshots": [{"epoch": 0, "step": 0, "metrics": {"loss": 0.69}}, …]}
///     DIR/labels.npy                      N integers (class indices 0..<K) or N × k floats (targets)
///     DIR/inputs.npy                      N × d floats (optional; without it X = N distinct inputs)
///     DIR/snapshot-<s>-layer-<l>.npy      N × width floats, s and l 0-based indices
///
/// `run` and `metrics` are optional. Layer files are read when a job needs them, each
/// checked against the declared shape; errors name the file and what was expected.
/// `recording.json` may be at most `maximumHeaderBytes` long and each layer width at most
/// 2³¹ − 1 (the `activations.bin` limit). Integer labels are re-coded like the `.npz` import's
/// (`ClassRecoding`); the original ids are then added to `run` as `class_ids`.
public struct NumPyDirectorySource: SnapshotSource {
  public let directory: URL
  public let name: String
  public let layers: [LayerSpec]
  public let snapshots: [SnapshotInfo]
  public let run: [String: String]
  public let sampleCount: Int
  private let inputs: Matrix<Float>?
  private let labels: Labels

  private struct Header: Decodable {
    var name: String?
    var run: [String: String]?
    var layers: [LayerSpec]
    var snapshots: [SnapshotInfo]
    enum CodingKeys: CodingKey { case name, run, layers, snapshots }
  }

  /// The longest `recording.json` read, in bytes: the `activations.bin` header limit (16 MiB).
  public static let maximumHeaderBytes = 16 << 20

  public static func isDirectorySource(_ url: URL) -> Bool {
    FileManager.default.fileExists(atPath: url.appendingPathComponent("recording.json").path)
  }

  public init(directory: URL) throws {
    self.directory = directory
    let headerURL = directory.appendingPathComponent("recording.json")
    let data: Data
    do { data = try Data(contentsOf: headerURL, options: .alwaysMapped) } catch {
      throw NumPyError(file: headerURL.path, field: "", message: FileErrorCause.text(error))
    }
    guard data.count <= Self.maximumHeaderBytes else {
      throw NumPyError(file: headerURL.path, field: "file", message: "is \(data.count) bytes, expected at most \(Self.maximumHeaderBytes)")
    }
    let header: Header
    do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
      throw NumPyError(
        file: headerURL.path, field: "json",
        message: "expected {name, run, layers: [{name, width}], snapshots: [{epoch, step, metrics}]}: \(NumPyError.quoted("\(error)"))")
    }
    guard !header.layers.isEmpty, header.layers.allSatisfy({ (1...Int(Int32.max)).contains($0.width) }) else {
      throw NumPyError(file: headerURL.path, field: "layers", message: "expected at least one layer, each with width in 1…2147483647")
    }
    name = header.name ?? directory.lastPathComponent
    var run = header.run ?? [:]
    layers = header.layers
    snapshots = header.snapshots
    let labelsURL = directory.appendingPathComponent("labels.npy")
    let labelArray = try NumPyFile.read(labelsURL)
    switch (labelArray.shape.count, labelArray.dtype) {
    case (1, .int64), (1, .int32), (1, .uint8), (1, .bool):
      guard let recoding = ClassRecoding(ids: try labelArray.integers(file: labelsURL.path)) else {
        throw NumPyError(
          file: labelsURL.path, field: "data", message: "expected at most \(Labels.maximumClassCount) distinct class ids (Labels.maximumClassCount)")
      }
      labels = recoding.labels
      if !recoding.isIdentity { run[ClassRecoding.runMetadataKey] = ClassRecoding.runMetadataValue(recoding.classIDs) }
    case (1, _), (2, _):
      labels = .targets(try labelArray.matrix(Float.self, file: labelsURL.path))
    default:
      throw NumPyError(
        file: labelsURL.path, field: "shape",
        message: "expected N class indices or an N × k array, got shape \(NumPyError.quoted("\(labelArray.shape)"))")
    }
    self.run = run
    sampleCount = labels.sampleCount
    let inputsURL = directory.appendingPathComponent("inputs.npy")
    if FileManager.default.fileExists(atPath: inputsURL.path) {
      let x = try NumPyFile.read(inputsURL).matrix(Float.self, file: inputsURL.path)
      guard x.rows == sampleCount else {
        throw NumPyError(file: inputsURL.path, field: "shape", message: "has \(x.rows) rows, expected \(sampleCount) (the labels' sample count)")
      }
      inputs = x
    } else {
      inputs = nil
    }
  }

  public func layerFile(_ layerIndex: Int, snapshot: Int) -> URL {
    directory.appendingPathComponent("snapshot-\(snapshot)-layer-\(layerIndex).npy")
  }

  public func layer(_ layerIndex: Int, snapshot: Int) throws -> Matrix<Float> {
    guard layers.indices.contains(layerIndex), snapshots.indices.contains(snapshot) else {
      throw NumPyError(
        file: directory.path, field: "layer",
        message: "layer \(layerIndex) of snapshot \(snapshot) does not exist (\(layers.count) layers, \(snapshots.count) snapshots)")
    }
    let url = layerFile(layerIndex, snapshot: snapshot)
    let array = try NumPyFile.read(url)
    let width = layers[layerIndex].width
    // Checked before converting, so a wrong file costs nothing beyond its header.
    guard array.shape == [sampleCount, width] || (width == 1 && array.shape == [sampleCount]) else {
      throw NumPyError(
        file: url.path, field: "shape",
        message: "is \(NumPyError.quoted("\(array.shape)")), expected (\(sampleCount), \(width)) (layer \(NumPyError.quoted(layers[layerIndex].name)))")
    }
    return try array.matrix(Float.self, file: url.path)
  }

  public func makePlaneContext() throws -> PlaneContext {
    try PlaneContext(inputs: inputs, labels: labels)
  }

  /// Writes `source` in this layout (used by tests and to export in-memory recordings).
  public static func write(_ source: SnapshotSource, inputs: Matrix<Float>?, labels: Labels, to directory: URL) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    struct Out: Encodable { var name: String; var run: [String: String]; var layers: [LayerSpec]; var snapshots: [SnapshotInfo] }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(Out(name: source.name, run: source.run, layers: source.layers, snapshots: source.snapshots))
      .write(to: directory.appendingPathComponent("recording.json"))
    switch labels {
    case .classes(let c, _): try NumPyFile.write(NumPyArray(int64: c), to: directory.appendingPathComponent("labels.npy"))
    case .targets(let m): try NumPyFile.write(NumPyArray(m), to: directory.appendingPathComponent("labels.npy"))
    }
    if let x = inputs { try NumPyFile.write(NumPyArray(x), to: directory.appendingPathComponent("inputs.npy")) }
    for s in source.snapshots.indices {
      for l in source.layers.indices {
        try NumPyFile.write(NumPyArray(try source.layer(l, snapshot: s)), to: directory.appendingPathComponent("snapshot-\(s)-layer-\(l).npy"))
      }
    }
  }
}
