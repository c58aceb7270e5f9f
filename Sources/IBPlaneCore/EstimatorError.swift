import IBPlaneNumerics

/// Why an estimator — or any other part of the library that validates user-supplied values
/// (labels, contexts, analysis options, synthetic-task parameters) — refused its input: the
/// library-wide validation error. Each case names the field and what was expected.
public enum EstimatorError: Error, Equatable, CustomStringConvertible {
  /// A parameter is out of range: name, value given, what is accepted.
  case invalidParameter(name: String, value: String, expected: String)
  /// The two variables have different sample counts, or a shape is otherwise unusable.
  case shapeMismatch(String)
  /// Fewer samples or features than the estimator needs.
  case tooFewSamples(needed: Int, got: Int, what: String)
  /// A NaN or infinity in the input.
  case nonFinite(what: String, row: Int, column: Int)
  /// The data make the estimate undefined (e.g. a singular covariance).
  case degenerate(String)
  /// An estimator's value came out NaN or ±∞: never returned as a result. Names the estimator,
  /// the quantity, the value and the likely cause.
  case nonFiniteResult(estimator: String, quantity: String, value: Double, cause: String)

  public var description: String {
    switch self {
    case .invalidParameter(let name, let value, let expected):
      return "invalid value \(value) for \(name): expected \(expected)"
    case .shapeMismatch(let s): return "shape mismatch: \(s)"
    case .tooFewSamples(let needed, let got, let what):
      return "\(what) needs at least \(needed) samples, got \(got)"
    case .nonFinite(let what, let row, let column):
      return "\(what) has a non-finite value at row \(row), column \(column)"
    case .degenerate(let s): return s
    case .nonFiniteResult(let estimator, let quantity, let value, let cause):
      return "\(estimator): \(quantity) came out as \(value), not a finite number; likely cause: \(cause)"
    }
  }

  /// The cause named when an estimator has nothing more specific to say.
  public static let genericNonFiniteCause =
    "an intermediate value left double-precision range (data of extreme magnitude, or an extreme parameter)"
}

extension EstimatorError {
  /// Checks that `a` and `b` are paired, non-empty and finite.
  public static func validatePair<S: BLASScalar>(
    _ a: Matrix<S>, _ b: Matrix<S>, minimumSamples: Int = 2, names: (String, String) = ("X", "Y")
  ) throws {
    guard a.rows == b.rows else {
      throw EstimatorError.shapeMismatch("\(names.0) has \(a.rows) samples but \(names.1) has \(b.rows)")
    }
    guard a.rows >= minimumSamples else {
      throw EstimatorError.tooFewSamples(needed: minimumSamples, got: a.rows, what: "this estimator")
    }
    guard a.columns > 0 else { throw EstimatorError.shapeMismatch("\(names.0) has no columns") }
    guard b.columns > 0 else { throw EstimatorError.shapeMismatch("\(names.1) has no columns") }
    try validateFinite(a, name: names.0)
    try validateFinite(b, name: names.1)
  }

  /// Throws `.nonFinite` naming the first NaN/Inf of `m`.
  public static func validateFinite<S: BLASScalar>(_ m: Matrix<S>, name: String) throws {
    if let k = m.firstNonFiniteIndex() {
      throw EstimatorError.nonFinite(what: name, row: k / m.columns, column: k % m.columns)
    }
  }
}
