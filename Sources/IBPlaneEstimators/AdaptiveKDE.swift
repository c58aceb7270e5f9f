import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Adaptive KDE (Chelombiev, Houghton & O'Donnell 2019): the KDE pairwise bounds of
/// `KDEEntropyBounds` with the noise variance scaled to the layer's activation range in that
/// snapshot,
///
///     σ² = c · max_{i,j} |T_ij|      (c = `noiseVarianceScale`, default 0.1),
///
/// so that a saturated tanh layer (max |T| = 1) is measured exactly as by `KDEEstimator` with
/// σ² = 0.1, and an unbounded layer (ReLU, linear) whose activations grow during training is
/// measured at a resolution proportional to its range instead of looking ever more
/// "informative" only because its points move apart. The constant c has the same effect as σ²
/// in `KDEEstimator` (small → I(X;T) near ln N; large → both coordinates near 0).
///
/// A layer that is identically zero carries no information: both coordinates are exactly 0
/// for every σ² > 0 (all components coincide), and that is returned with `max_abs_activation = 0`.
///
/// Complexity as `KDEEntropyBounds` plus one O(N·d) pass for the maximum.
///
/// Reference: I. Chelombiev, C. Houghton, C. O'Donnell, "Adaptive estimators show information
/// compression in deep neural networks", ICLR 2019.
public struct AdaptiveKDEEstimator: MutualInformationEstimator, InformationPlaneEstimator {
  /// c in σ² = c · max|T| (default 0.1; units of activation, since σ² has squared units).
  public var noiseVarianceScale: Double
  public var bound: KDEBound
  public var engine: TiledKernelSums

  /// c when none is given (read by the registry without building an estimator).
  public static let defaultNoiseVarianceScale = 0.1

  public init(
    noiseVarianceScale: Double = defaultNoiseVarianceScale, bound: KDEBound = .upper, engine: TiledKernelSums = TiledKernelSums()
  ) {
    self.noiseVarianceScale = noiseVarianceScale
    self.bound = bound
    self.engine = engine
  }

  public var name: String { "adaptive-kde" }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y), as `KDEEstimator`: the difference is Σ p(y) [Ĥ(T|Y=y) −
  /// H(T|X)], the class-conditional form at the layer's own σ², each term ≥ 0, at no extra cost.
  public var conditionalInputForm: ConditionalInputForm { .difference }

  var parameters: [String: String] { ["sigma2_scale": "\(noiseVarianceScale)", "bound": bound.rawValue] }

  /// Throws when c is outside `EstimatorParameterRange.noiseVarianceScale`.
  public func validate() throws {
    try EstimatorParameterRange.check(
      noiseVarianceScale, in: EstimatorParameterRange.noiseVarianceScale, name: "sigma2", what: "a scale c of σ² = c·max|T|")
  }

  /// σ² = c · max|T| for `t`, and max|T|.
  public func noiseVariance<S: BLASScalar>(for t: Matrix<S>) throws -> (variance: Double, maxAbs: Double) {
    try validate()
    try EstimatorError.validateFinite(t, name: "layer")
    let m = t.elements.reduce(0.0) { Swift.max($0, Double($1.magnitude)) }
    let variance = noiseVarianceScale * m
    guard m == 0 || (variance.isFinite && variance > 0) else {
      throw EstimatorError.invalidParameter(
        name: "sigma2", value: "\(noiseVarianceScale)",
        expected: "a scale c whose σ² = c·max|T| (max|T| = \(m)) is a positive finite variance, got \(variance)")
    }
    return (variance, m)
  }

  private func zero(_ maxAbs: Double, n: Int, d: Int) -> Estimate {
    Estimate(
      nats: 0, lowerNats: 0, upperNats: 0, parameters: parameters,
      diagnostics: ["max_abs_activation": maxAbs, "noise_variance": 0, "n": Double(n), "dimension": Double(d)])
  }

  /// Î(A;B) with B the class labels: B must have at most N/2 distinct rows (`_DiscreteY`).
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    let classes = DiscreteEntropy.symbols(rowsOf: b)
    try _DiscreteY.require(b, symbols: classes, estimator: name)
    let (variance, maxAbs) = try noiseVariance(for: a)
    if maxAbs == 0 { return zero(0, n: a.rows, d: a.columns) }
    var e = try _KDEPlane.labelInformation(
      a.converted(to: Double.self), classes: classes,
      noiseVariance: variance, bound: bound, engine: engine, parameters: parameters)
    e.diagnostics["max_abs_activation"] = maxAbs
    return try e.requiringFinite(estimator: name, quantity: "I(X;Y)", cause: _KDEPlane.nonFiniteCause)
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    // Checked before the zero-layer shortcut, so a dead layer is refused like any other.
    try _KDEPlane.validate(layer: layer, context: context)
    let (variance, maxAbs) = try noiseVariance(for: layer)
    if maxAbs == 0 {
      let z = zero(0, n: layer.rows, d: layer.columns)
      return PlanePoint(inputInformation: z, labelInformation: z)
    }
    return try _KDEPlane.point(
      layer: layer, context: context, noiseVariance: variance, bound: bound, engine: engine,
      parameters: parameters, extraDiagnostics: ["max_abs_activation": maxAbs]
    ).requiringFinite(estimator: name, cause: _KDEPlane.nonFiniteCause)
  }
}
