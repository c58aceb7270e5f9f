import IBPlaneNumerics
/// The result of one estimator run: a value in nats plus what a user needs to judge it.
public struct Estimate: Sendable, Codable, Equatable {
  /// The estimate, in nats.
  public var nats: Double
  /// The estimator's own lower / upper bound in nats, when it computes a bracket of the
  /// quantity it targets (KDE: the pairwise-distance lower and upper bounds); `nil` otherwise.
  /// Never a resampling interval: a bootstrap interval is `PlaneInterval`, in columns of its own.
  public var lowerNats: Double?
  public var upperNats: Double?
  /// Estimator parameters as used (after defaults and rules were applied), e.g. `bins = 30`.
  public var parameters: [String: String]
  /// Numeric diagnostics, e.g. `bins_occupied`, `kernel_width`, `n`.
  public var diagnostics: [String: Double]

  public init(
    nats: Double, lowerNats: Double? = nil, upperNats: Double? = nil,
    parameters: [String: String] = [:], diagnostics: [String: Double] = [:]
  ) {
    self.nats = nats
    self.lowerNats = lowerNats
    self.upperNats = upperNats
    self.parameters = parameters
    self.diagnostics = diagnostics
  }

  /// The value in `unit`.
  public func value(in unit: InformationUnit) -> Double { unit.fromNats(nats) }
  public func lower(in unit: InformationUnit) -> Double? { lowerNats.map(unit.fromNats) }
  public func upper(in unit: InformationUnit) -> Double? { upperNats.map(unit.fromNats) }
}

/// An estimator of I(A;B) from paired samples: row i of `a` and row i of `b` are one draw.
///
/// Every estimator has the same shape (scikit-learn's habit): parameters in the initialiser
/// with documented defaults, `estimate` computing the value, diagnostics returned with it.
public protocol MutualInformationEstimator: Sendable {
  /// The stable name used on the command line and in reports, e.g. `gaussian`, `ksg`.
  var name: String { get }
  /// Estimates I(A;B) in nats. Throws `EstimatorError` on bad input.
  func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate
}

/// Why an estimator refused its input. Each case names the field and what was expected.
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

// MARK: - The safety net

extension Estimate {
  /// `self` when its value and both bounds are finite; otherwise throws
  /// `EstimatorError.nonFiniteResult`. Every estimator passes its result through this before
  /// returning it, so a NaN or an infinity is an error naming its cause, never a value (in JSON
  /// it would become `null`, in a CSV `nan`).
  public func requiringFinite(
    estimator: String, quantity: String, cause: String = EstimatorError.genericNonFiniteCause
  ) throws -> Estimate {
    for (what, v) in [(quantity, nats), ("lower bound of \(quantity)", lowerNats ?? 0), ("upper bound of \(quantity)", upperNats ?? 0)]
    where !v.isFinite {
      throw EstimatorError.nonFiniteResult(estimator: estimator, quantity: what, value: v, cause: cause)
    }
    return self
  }
}

extension PlanePoint {
  /// `self` when both coordinates pass `Estimate.requiringFinite`.
  public func requiringFinite(estimator: String, cause: String = EstimatorError.genericNonFiniteCause) throws -> PlanePoint {
    PlanePoint(
      inputInformation: try inputInformation.requiringFinite(estimator: estimator, quantity: "I(X;T)", cause: cause),
      labelInformation: try labelInformation.requiringFinite(estimator: estimator, quantity: "I(T;Y)", cause: cause))
  }
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
