import IBPlane

/// A labelled data set with a fixed train/test split. `inputs` holds every pattern (train and
/// test); snapshots are computed on all of them, as in the information-plane literature.
public struct ClassificationDataset: Sendable {
  public var name: String
  /// All patterns, N × d.
  public var inputs: Matrix<Float>
  /// Class index per pattern, in 0..<classCount.
  public var labels: [Int]
  public var classCount: Int
  /// Rows of `inputs` used for training, in the order listed.
  public var trainIndices: [Int]
  /// Held-out rows.
  public var testIndices: [Int]

  public init(
    name: String, inputs: Matrix<Float>, labels: [Int], classCount: Int, trainIndices: [Int], testIndices: [Int]
  ) throws {
    guard inputs.rows == labels.count else {
      throw DatasetError.invalid(file: name, detail: "\(inputs.rows) patterns but \(labels.count) labels")
    }
    guard classCount >= 1, labels.allSatisfy({ (0..<classCount).contains($0) }) else {
      throw DatasetError.invalid(file: name, detail: "labels must lie in 0..<\(classCount)")
    }
    guard (trainIndices + testIndices).allSatisfy({ $0 >= 0 && $0 < labels.count }) else {
      throw DatasetError.invalid(file: name, detail: "split indices out of range 0..<\(labels.count)")
    }
    self.name = name
    self.inputs = inputs
    self.labels = labels
    self.classCount = classCount
    self.trainIndices = trainIndices
    self.testIndices = testIndices
  }

  public var count: Int { labels.count }
  public var inputWidth: Int { inputs.columns }

  /// The first `fraction` of the patterns in file order for training (rounded to the nearest
  /// integer, as `np.round(N · fraction)` in the IDNNs code), the rest for testing.
  public static func fileOrderSplit(count: Int, trainFraction: Double) -> (train: [Int], test: [Int]) {
    let nTrain = Swift.min(count, Swift.max(0, Int((Double(count) * trainFraction).rounded(.toNearestOrEven))))
    return (Array(0..<nTrain), Array(nTrain..<count))
  }
}

/// A data file that cannot be read: the message names the file, the place (line or byte
/// offset) and what was expected there.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
  case unreadable(file: String, detail: String)
  case malformed(file: String, location: String, expected: String, found: String)
  case invalid(file: String, detail: String)

  public var description: String {
    switch self {
    case .unreadable(let f, let d): return "\(f): cannot read: \(d)"
    case .malformed(let f, let loc, let exp, let found): return "\(f): \(loc): expected \(exp), found \(found)"
    case .invalid(let f, let d): return "\(f): \(d)"
    }
  }
}
