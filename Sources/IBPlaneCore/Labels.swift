import Foundation
import IBPlaneNumerics

/// The label side of a recording: class indices or regression targets.
///
/// Class counts are sizes (a one-hot matrix has `classCount` columns, a partition that many
/// groups), so they never come straight from a file: importers re-code arbitrary integer ids
/// with `ClassRecoding`, and `PlaneContext` — the only way labels reach an estimator —
/// refuses `.classes` whose count exceeds `maximumClassCount` or whose indices fall outside
/// `0..<classCount` (`validate()`).
public enum Labels: Sendable, Equatable {
  /// One class index in 0..<classCount per sample.
  case classes([Int], classCount: Int)
  /// Regression targets, N × k.
  case targets(Matrix<Float>)

  /// The most classes a label set may have: 65,536, far above any classification benchmark
  /// (ImageNet-21k has 21,841), and small enough that per-class tables stay cheap.
  public static let maximumClassCount = 65_536

  public var sampleCount: Int {
    switch self {
    case .classes(let c, _): return c.count
    case .targets(let m): return m.rows
    }
  }

  /// Throws unless class labels have 1 ≤ classCount ≤ `maximumClassCount` and every index in
  /// `0..<classCount`. Targets are always valid here (estimators check their values).
  public func validate() throws {
    guard case .classes(let c, let k) = self else { return }
    guard (1...Self.maximumClassCount).contains(k) else {
      throw EstimatorError.invalidParameter(
        name: "labels.class_count", value: "\(k)", expected: "1…\(Self.maximumClassCount) classes (Labels.maximumClassCount)")
    }
    if let i = c.firstIndex(where: { !(0..<k).contains($0) }) {
      throw EstimatorError.invalidParameter(name: "labels[\(i)]", value: "\(c[i])", expected: "a class index in 0..<\(k)")
    }
  }
}

/// Class labels from arbitrary integer ids (negative, sparse, as large as 2⁶²): the distinct
/// ids, in increasing order, become classes 0..<K, so K is the number of classes present and
/// never an id plus one. `classIDs[k]` is the original id of class k; importers record it in
/// the run metadata as `class_ids` (`runMetadataKey`) when it is not simply 0, 1, …, K − 1.
public struct ClassRecoding: Sendable, Equatable {
  /// `.classes(codes, classCount: K)`.
  public var labels: Labels
  /// The original id of each class, increasing.
  public var classIDs: [Int]

  /// Nil when there are more than `Labels.maximumClassCount` distinct ids.
  public init?(ids: [Int]) {
    var distinct = Set<Int>()
    for id in ids where distinct.insert(id).inserted && distinct.count > Labels.maximumClassCount { return nil }
    classIDs = distinct.sorted()
    let code = Dictionary(uniqueKeysWithValues: classIDs.enumerated().map { ($1, $0) })
    labels = .classes(ids.map { code[$0, default: 0] }, classCount: max(classIDs.count, 1))  // every id is a key
  }

  /// True when the ids were already 0, 1, …, K − 1 (the labels are unchanged).
  public var isIdentity: Bool { classIDs.enumerated().allSatisfy { $0 == $1 } }

  /// The run-metadata key under which importers keep `classIDs`.
  public static let runMetadataKey = "class_ids"

  /// The run-metadata value of `classIDs`: the original ids, comma-separated, class 0 first.
  public static func runMetadataValue(_ classIDs: [Int]) -> String { classIDs.map(String.init).joined(separator: ",") }
}
