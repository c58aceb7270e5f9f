import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// The Gaussian-channel information plane: a linear baseline that fits joint Gaussians.
///
/// For a layer T (N × w) and a conditioning variable Z (the inputs X, or the labels Y as
/// one-hot class indicators or regression targets), the estimator treats T' = T + ε with
/// ε ~ N(0, σ²·I) independent noise (σ² = `noiseVariance`) and replaces every distribution
/// by the Gaussian with the same first two moments:
///
///     I_G(Z;T') = ½ log det(Σ_T + σ²I) − ½ log det(Σ_{T|Z} + σ²I),
///     Σ_{T|Z}   = Σ_T − Σ_TZ Σ_Z⁺ Σ_ZT          (residual covariance of the linear regression of T on Z)
///
/// with sample covariances (divisor N − 1) and Σ_Z⁺ the pseudo-inverse (eigenvalues below
/// 1e-10·λ_max dropped), so constant or collinear input columns are handled. For class
/// labels Σ_{T|Y} is exactly the pooled within-class covariance S_W / (N − 1). When the
/// context has no inputs, X is taken to be N distinct inputs: T is then a function of X,
/// Σ_{T|X} = 0 and I(X;T') = ½ log det(Σ_T + σ²I) − (w/2) log σ².
///
/// Notes:
/// - It is exact for jointly Gaussian (Z, T) — the formula of the Gaussian channel (Cover &
///   Thomas, *Elements of Information Theory*, 2nd ed., §9.4) — and a *lower bound on the
///   information a linear decoder can see* otherwise: it ignores every non-linear dependence,
///   so it is a baseline, not an estimate of the true I for a non-linear network.
/// - σ² sets the resolution: without noise, the MI between X and a deterministic T is
///   infinite for continuous X. The default σ² = 0.1 is the noise variance Saxe et al.
///   (2018, "On the information bottleneck theory of deep learning", ICLR) used with the
///   KDE estimator.
/// - Bias: sample covariances make log det biased downwards by O(w²/N) at both terms; the
///   difference is small when N ≫ w + d.
/// - Complexity: O(N·d²) once per recording for the input basis (cached in the
///   `PlaneContext`, memory N·rank(X) doubles), then O(N·w·(d + w) + w³) per layer.
public struct GaussianPlaneEstimator: InformationPlaneEstimator {
  /// Variance σ² of the additive Gaussian noise on every unit, in squared activation units; > 0.
  public var noiseVariance: Double

  public init(noiseVariance: Double = 0.1) throws {
    try EstimatorParameterRange.check(
      noiseVariance, in: EstimatorParameterRange.noiseVariance, name: "sigma2", what: "a noise variance")
    self.noiseVariance = noiseVariance
  }

  public var name: String { "gaussian" }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) class-conditionally: the difference ½ log det(Σ_{T|Y}+σ²I) − ½ log det(Σ_{T|X}+σ²I)
  /// compares two unrelated linear residuals and can go negative; within each class the
  /// residual of T on X is no larger than T's covariance, so every term is ≥ 0.
  public var conditionalInputForm: ConditionalInputForm { .classConditional }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch(
        "layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    try EstimatorError.validatePair(layer, layer, minimumSamples: 2, names: ("layer", "layer"))
    let centred = Self.centred(layer)
    let n = Double(layer.rows)
    let w = layer.columns
    var covariance = try centred.multiplied(by: centred, transposingSelf: true)
    for k in covariance.elements.indices { covariance.elements[k] /= n - 1 }
    let logDetNoisy = try Self.logDet(covariance, plus: noiseVariance)

    let inputBasis = try context.cached("gaussian.inputBasis") { () throws -> [Matrix<Double>] in
      guard let x = context.inputs else { return [] }
      try EstimatorError.validateFinite(x, name: "inputs")
      return [try Self.orthonormalBasis(x)]
    }.first
    let labelBasis = try context.cached("gaussian.labelBasis") { () throws -> Matrix<Double> in
      try Self.orthonormalBasis(Self.labelMatrix(context.labels))
    }

    let iXT: Double
    let rankX: Int
    if let q = inputBasis {
      iXT = 0.5 * (logDetNoisy - (try Self.logDet(Self.residual(covariance, centred, q, n), plus: noiseVariance)))
      rankX = q.columns
    } else {
      iXT = 0.5 * (logDetNoisy - Double(w) * noiseVariance.logNatural)
      rankX = layer.rows
    }
    let iTY = 0.5 * (logDetNoisy - (try Self.logDet(Self.residual(covariance, centred, labelBasis, n), plus: noiseVariance)))
    let parameters = ["noise_variance": "\(noiseVariance)"]
    return try PlanePoint(
      inputInformation: Estimate(
        nats: iXT, parameters: parameters, diagnostics: ["n": n, "input_rank": Double(rankX)]),
      labelInformation: Estimate(
        nats: iTY, parameters: parameters, diagnostics: ["n": n, "label_rank": Double(labelBasis.columns)])
    ).requiringFinite(estimator: name)
  }

  /// Columns minus their means, in Double.
  static func centred(_ m: Matrix<Float>) -> Matrix<Double> {
    let means = m.columnMeans()
    var out = Matrix<Double>(rows: m.rows, columns: m.columns)
    for i in 0..<m.rows {
      for j in 0..<m.columns { out.elements[i * m.columns + j] = Double(m.elements[i * m.columns + j]) - means[j] }
    }
    return out
  }

  /// An N × r matrix Q with orthonormal columns spanning the centred columns of `z`
  /// (r = numerical rank), so that Σ_TZ Σ_Z⁺ Σ_ZT = T_cᵀ Q Qᵀ T_c / (N − 1).
  static func orthonormalBasis(_ z: Matrix<Float>) throws -> Matrix<Double> {
    let zc = centred(z)
    let scatter = try zc.multiplied(by: zc, transposingSelf: true)
    let (values, vectorsOrNil) = try scatter.symmetricEigen(vectors: true)
    guard let vectors = vectorsOrNil else { throw EstimatorError.degenerate("eigenvectors missing") }
    let largest = values.last ?? 0
    let kept = values.indices.filter { largest > 0 && values[$0] > 1e-10 * largest }
    var scaled = Matrix<Double>(rows: vectors.rows, columns: kept.count)
    for (c, k) in kept.enumerated() {
      let s = 1 / values[k].squareRoot()
      for i in 0..<vectors.rows { scaled[i, c] = vectors[i, k] * s }
    }
    return try zc.multiplied(by: scaled)
  }

  /// The residual covariance Σ_T − (Qᵀ T_c)ᵀ(Qᵀ T_c)/(N − 1).
  static func residual(_ covariance: Matrix<Double>, _ centred: Matrix<Double>, _ q: Matrix<Double>, _ n: Double) throws -> Matrix<Double> {
    if q.columns == 0 { return covariance }
    let projected = try q.multiplied(by: centred, transposingSelf: true)
    let explained = try projected.multiplied(by: projected, transposingSelf: true)
    var out = covariance
    for k in out.elements.indices { out.elements[k] -= explained.elements[k] / (n - 1) }
    return out
  }

  /// log det(A + σ²I) for a symmetric positive semi-definite A.
  static func logDet(_ a: Matrix<Double>, plus variance: Double) throws -> Double {
    var m = a
    for i in 0..<m.rows {
      m[i, i] += variance
      for j in 0..<i {
        let s = 0.5 * (m[i, j] + m[j, i])
        m[i, j] = s
        m[j, i] = s
      }
    }
    do {
      return try m.logDeterminantSPD()
    } catch let e as NumericsError {
      throw EstimatorError.degenerate(
        "gaussian: Σ + σ²I is not numerically positive definite at sigma2 = \(variance) (\(e)); "
          + "the covariance is singular and σ² is below its rounding error, so use a larger sigma2")
    }
  }

  /// Labels as a matrix: one-hot class indicators, or the regression targets.
  static func labelMatrix(_ labels: Labels) throws -> Matrix<Float> {
    switch labels {
    case .targets(let m):
      try EstimatorError.validateFinite(m, name: "labels")
      return m
    case .classes(let c, let k):
      var m = Matrix<Float>(rows: c.count, columns: max(k, 1))
      for (i, y) in c.enumerated() {
        guard (0..<k).contains(y) else {
          throw EstimatorError.invalidParameter(name: "labels[\(i)]", value: "\(y)", expected: "a class in 0..<\(k)")
        }
        m[i, y] = 1
      }
      return m
    }
  }
}
