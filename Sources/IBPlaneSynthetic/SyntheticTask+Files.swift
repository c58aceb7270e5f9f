import Foundation
import IBPlaneNumerics

/// What `truth.json` holds next to a synthetic sample (keys are a stable contract).
public struct SyntheticTruth: Codable, Sendable, Equatable {
  public var task: String
  public var summary: String
  public var n: Int
  public var seed: UInt64
  public var miNats: Double
  public var miBits: Double
  public var xDim: Int
  public var yDim: Int

  enum CodingKeys: String, CodingKey {
    case task, summary, n, seed
    case miNats = "mi_nats"
    case miBits = "mi_bits"
    case xDim = "x_dim"
    case yDim = "y_dim"
  }
}

extension SyntheticTask {
  /// Samples `count` pairs and writes `directory/x.npy`, `directory/y.npy` (float64, N × d)
  /// and `directory/truth.json`, creating the directory when needed.
  @discardableResult
  public func writeSample(count: Int, seed: UInt64, to directory: URL) throws -> SyntheticTruth {
    let sample = try sample(count: count, seed: seed)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try NumPyFile.write(NumPyArray(sample.x), to: directory.appendingPathComponent("x.npy"))
    try NumPyFile.write(NumPyArray(sample.y), to: directory.appendingPathComponent("y.npy"))
    let truth = SyntheticTruth(
      task: name, summary: summary, n: count, seed: seed, miNats: mutualInformationNats,
      miBits: mutualInformation(in: .bits), xDim: xDimension, yDim: yDimension)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(truth).write(to: directory.appendingPathComponent("truth.json"))
    return truth
  }
}
