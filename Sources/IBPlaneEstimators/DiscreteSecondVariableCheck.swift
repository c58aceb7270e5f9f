import IBPlaneCore
import IBPlaneNumerics

/// The check that the second array of `estimate(_:_:)` is discrete, for the estimators whose
/// I(A;B) form counts Y's symbols (binning and adaptive binning with `second=discrete`, KDE,
/// adaptive KDE) and for `y-classes` of CS and lossy.
///
/// Without it a continuous Y is silently N classes of one sample each: binning then reports
/// H(binned X) and KDE the entropy bound of X, numbers that look like an MI and are not one
/// (issue 14: 7.04 and 10.98 bits for a true 1.59).
///
/// The rule (documented in README and `ibplane estimate --help`): Y is discrete when its rows
/// take at most N/2 distinct values, i.e. each symbol is seen at least twice on average. That
/// accepts class columns, integer labels stored as floats, one-hot rows and any genuinely
/// discrete multi-column array, and refuses a continuous variable (N distinct rows of N) at
/// any N ≥ 2. Class labels (`y-classes`) must in addition be one column of integers.
enum _DiscreteY {
  /// The most distinct rows a discrete Y may have among `rows` samples.
  static func maximumSymbols(rows: Int) -> Int { rows / 2 }

  /// The fix named in the refusal of a continuous Y.
  static let remedy = "for a continuous Y use ksg, cs or renyi, or bin it first"

  /// Throws unless the rows of `b` (already checked finite) take at most N/2 distinct values;
  /// `symbols` are its row symbols. `binnedHint` adds the binning families' own fix.
  static func require<S: BLASScalar>(_ b: Matrix<S>, symbols: DiscreteSymbols, estimator: String, binnedHint: Bool = false) throws {
    let limit = maximumSymbols(rows: b.rows)
    guard symbols.count > limit else { return }
    throw EstimatorError.invalidParameter(
      name: "Y of \(estimator)", value: describe(b, distinct: symbols.count),
      expected: "class labels, at most N/2 = \(limit) distinct rows (each seen twice on average); "
        + remedy + (binnedHint ? " (second=binned bins Y like X)" : ""))
  }

  /// Y as class labels for `y-classes`: one column of finite integers with at most N/2
  /// distinct values. Returns the labels renumbered 0..<K in ascending order of value (the
  /// order the plane's class partition has for labels 0..<K) and K.
  static func classLabels<S: BLASScalar>(_ b: Matrix<S>, estimator: String) throws -> (labels: [Int], classCount: Int) {
    try EstimatorError.validateFinite(b, name: "Y")
    let expected = "one column of integer class labels with at most N/2 = \(maximumSymbols(rows: b.rows)) distinct values; for a continuous Y leave y-classes off"
    let field = "Y of \(estimator) with y-classes"
    guard b.columns == 1 else {
      throw EstimatorError.invalidParameter(name: field, value: "(\(b.columns) columns)", expected: expected)
    }
    let values = b.elements.map { Double($0) }
    if let k = values.firstIndex(where: { $0 != $0.rounded() || abs($0) > 9.007_199_254_740_992e15 }) {
      throw EstimatorError.invalidParameter(
        name: field, value: "\(values[k]) (row \(k), not an integer)", expected: expected)
    }
    let distinct = Set(values).sorted()
    guard distinct.count <= maximumSymbols(rows: b.rows) else {
      throw EstimatorError.invalidParameter(name: field, value: describe(b, distinct: distinct.count), expected: expected)
    }
    let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
    return (values.map { index[$0] ?? 0 }, distinct.count)
  }

  /// The class partition (sample indices of each class, in class order) of labels 0..<K.
  static func partition(_ labels: [Int], classCount: Int) -> [[Int]] {
    var parts = [[Int]](repeating: [], count: classCount)
    for (i, y) in labels.enumerated() { parts[y].append(i) }
    return parts
  }

  /// "(1000 distinct rows of 1000, non-integer values)".
  static func describe<S: BLASScalar>(_ b: Matrix<S>, distinct: Int) -> String {
    let integers = b.elements.allSatisfy { Double($0) == Double($0).rounded() }
    return "(\(distinct) distinct rows of \(b.rows)\(integers ? "" : ", non-integer values"))"
  }
}
