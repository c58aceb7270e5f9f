import IBPlaneNumerics

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

/// An estimator of both coordinates of the information plane for a layer T.
public protocol InformationPlaneEstimator: Sendable {
  /// Stable name used on the command line and in reports (e.g. `binning`, `kde`).
  var name: String { get }
  /// The parameters as used, in the canonical form of the CSV's `params` column
  /// (`EstimatorRegistry.parameters(of:)`, e.g. `convention=idnns,bins=30,correction=plug-in`).
  var parameterDescription: String { get }
  /// I(X;T) and I(T;Y) in nats for `layer` (N × width, rows aligned with the context's samples).
  func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint
}

/// One point of the information plane: I(X;T) and I(T;Y) of one layer at one snapshot.
public struct PlanePoint: Sendable, Equatable {
  public var inputInformation: Estimate   // I(X;T)
  public var labelInformation: Estimate   // I(T;Y)
  public init(inputInformation: Estimate, labelInformation: Estimate) {
    self.inputInformation = inputInformation
    self.labelInformation = labelInformation
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
