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
  /// Whether `estimate` returns the same estimate, bit for bit, for `Float` matrices as for
  /// the same values widened to `Double` (the default is false). Then a caller holding
  /// float32 data (an `.npy` file of float32, labels that a `Float` holds exactly) may skip
  /// the widening copy; `ibplane estimate` does.
  var estimatesFloatAsDouble: Bool { get }
}

extension MutualInformationEstimator {
  public var estimatesFloatAsDouble: Bool { false }
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
  /// How the plane estimates I(X;T|Y) for this estimator (the `i_xt_given_y` column); the
  /// default is `.classConditional`. A family states in its doc comment why it uses its form.
  var conditionalInputForm: ConditionalInputForm { get }
  /// I(X;T) alone, in nats: what the class-conditional I(X;T|Y) needs on each class's rows.
  /// It must equal `point(layer:context:).inputInformation` bit for bit; the default returns
  /// exactly that. An estimator whose I(T;Y) is costly and independent of its I(X;T)
  /// (`LossyCompressedMI`: a second kNN estimator) skips it here.
  func inputInformation(layer: Matrix<Float>, context: PlaneContext) throws -> Estimate
}

extension InformationPlaneEstimator {
  public var conditionalInputForm: ConditionalInputForm { .classConditional }
  public func inputInformation(layer: Matrix<Float>, context: PlaneContext) throws -> Estimate {
    try point(layer: layer, context: context).inputInformation
  }
}

/// The two ways the plane turns an estimator into an estimate of I(X;T|Y) (Kawaguchi et al.
/// 2023, "How does information bottleneck help deep learning?"), for class labels Y.
///
/// Under the Markov chain Y → X → T both equal I(X;T|Y); they differ in their biases. The two
/// terms of the difference are estimated separately, and their biases need not cancel (it can
/// even go negative); the class-conditional form estimates one quantity the estimator knows,
/// I(X;T), on each class's samples, so it is ≥ 0 whenever the estimator's I(X;T) is.
public enum ConditionalInputForm: String, Sendable, Hashable, CaseIterable {
  /// Σ_y p(y) · Î(X;T | Y = y): `point(...)`'s I(X;T) on each class's rows (a context holding
  /// only that class), weighted by the class frequency. Costs one extra estimate per class.
  case classConditional = "class-conditional"
  /// Î(X;T) − Î(T;Y) of the same `point(...)`: free, and the right form when both terms
  /// already share the class-conditional pieces (KDE's I(T;Y) is H(T) − Σ p(y) H(T|Y=y)).
  case difference
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
