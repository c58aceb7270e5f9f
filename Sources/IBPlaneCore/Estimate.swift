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
