import IBPlaneCore
import IBPlaneNumerics
/// Principal component analysis: the linear compressor of lossy-compressed MI.
///
/// The sample covariance Σ (divisor N − 1, Double) is eigen-decomposed by LAPACK (`syevd`);
/// the top m eigenvectors W (d × m) give the latent code z = (x − μ) W. The fraction of
/// variance kept, Σ_{top m} λ / tr Σ, is recorded with every estimate that uses it.
///
/// Wide data (d > N, e.g. 50 samples of a 5,000-unit layer) go through the N × N Gram matrix
/// instead: with X_c the centred data and X_c X_cᵀ = U M Uᵀ, the non-zero eigenvalues of Σ are
/// M/(N − 1) and its eigenvectors X_cᵀ u_k / √μ_k (the dual form of PCA), at O(N² d + N³)
/// instead of O(N d² + d³) time and N² instead of d² memory. Components beyond the rank
/// (μ_k ≤ 1e-12·μ_max) are set to zero, so their codes are exactly 0 rather than rounding
/// noise. Either way the eigenproblem has order min(N, d), refused above `maximumOrder`
/// (8,192: 512 MB and minutes of LAPACK time).
///
/// Scale: data whose largest |value| is outside [2^−250, 2^250] are fitted after an exact
/// power-of-two rescaling (`_PowerOfTwo`; the directions do not depend on it), so data × 1e300
/// give the components of the unscaled data instead of an overflowed covariance; `mean` and
/// `variances` are reported in the data's own units (a variance above 1.8e308 is +∞).
///
/// Complexity O(N d min(N, d) + min(N, d)³); memory O(min(N, d)² + d m).
public struct PrincipalComponents: Sendable, Equatable {
  /// Column means μ of the fitted data.
  public let mean: [Double]
  /// d × m matrix whose columns are the leading eigenvectors, in descending eigenvalue order.
  public let components: Matrix<Double>
  /// The leading m eigenvalues (variances along the components), descending.
  public let variances: [Double]
  /// Σ_{top m} λ / Σ λ.
  public let explainedVarianceRatio: Double

  /// Largest order min(N, d) of the eigenproblem a fit accepts.
  public static let maximumOrder = 8_192

  /// Fits m components to `data` (N × d). Throws when m is not in 1…d, N < 2, or
  /// min(N, d) > `maximumOrder` (default `PrincipalComponents.maximumOrder`).
  public init<S: BLASScalar>(fitting data: Matrix<S>, components m: Int, maximumOrder: Int = Self.maximumOrder) throws {
    guard m >= 1, m <= data.columns else {
      throw EstimatorError.invalidParameter(name: "latent", value: "\(m)", expected: "1…\(data.columns) (the data's width)")
    }
    try EstimatorError.validateFinite(data, name: "PCA input")
    let (n, d) = (data.rows, data.columns)
    guard n >= 2 else { throw EstimatorError.tooFewSamples(needed: 2, got: n, what: "PCA") }
    guard Swift.min(n, d) <= maximumOrder else {
      throw EstimatorError.invalidParameter(
        name: "PCA size", value: "N = \(n) samples × d = \(d) columns",
        expected: "min(N, d) ≤ \(maximumOrder) (the eigenproblem has order min(N, d)); reduce N or the width first")
    }
    // The covariance is accumulated in Double whatever S is, so the Double range applies.
    let e = _PowerOfTwo.exponent(largest: _PowerOfTwo.largestMagnitude(data), for: Double.self)
    let x = _PowerOfTwo.scaled(data, by: e)
    let (w, kept, total) = d > n ? try Self.dual(x, components: m) : try Self.primal(x, components: m)
    self.mean = x.columnMeans().map { _PowerOfTwo.scaled($0, -e) }
    self.components = w
    self.variances = kept.map { _PowerOfTwo.scaled($0, -2 * e) }
    self.explainedVarianceRatio = total > 0 ? kept.reduce(0, +) / total : 0
  }

  /// Components, the top m variances and the total variance from the d × d covariance.
  private static func primal<S: BLASScalar>(_ x: Matrix<S>, components m: Int) throws -> (Matrix<Double>, [Double], Double) {
    let cov = try x.covariance()
    let (values, vectorsOpt) = try cov.symmetricEigen(vectors: true)
    guard let vectors = vectorsOpt else { throw EstimatorError.degenerate("PCA: eigen-decomposition returned no vectors") }
    let d = x.columns
    var w = Matrix<Double>(rows: d, columns: m)
    var kept: [Double] = []
    for t in 0..<m {
      let c = d - 1 - t  // syevd sorts ascending
      kept.append(Swift.max(values[c], 0))
      for r in 0..<d { w[r, t] = vectors[r, c] }
    }
    return (w, kept, values.reduce(0) { $0 + Swift.max($1, 0) })
  }

  /// The same from the N × N Gram matrix of the centred rows (d > N; see the type's notes).
  private static func dual<S: BLASScalar>(_ x: Matrix<S>, components m: Int) throws -> (Matrix<Double>, [Double], Double) {
    let (n, d) = (x.rows, x.columns)
    let means = x.columnMeans()
    var centred = Matrix<Double>(rows: n, columns: d)
    for i in 0..<n { for j in 0..<d { centred[i, j] = Double(x[i, j]) - means[j] } }
    let (values, vectorsOpt) = try centred.gram().symmetricEigen(vectors: true)
    guard let u = vectorsOpt else { throw EstimatorError.degenerate("PCA: eigen-decomposition returned no vectors") }
    let top = Swift.max(values.last ?? 0, 0)
    // Column t of Uₘ M^(−1/2) for the t-th largest μ (zero beyond the rank), then W = X_cᵀ Uₘ M^(−1/2).
    var scaledU = Matrix<Double>(rows: n, columns: m)
    var kept: [Double] = []
    for t in 0..<m {
      let c = n - 1 - t
      guard c >= 0, values[c] > 1e-12 * top, top > 0 else {
        kept.append(0)
        continue
      }
      kept.append(values[c] / Double(n - 1))
      let s = 1 / values[c].squareRoot()
      for r in 0..<n { scaledU[r, t] = u[r, c] * s }
    }
    let w = try centred.multiplied(by: scaledU, transposingSelf: true)
    return (w, kept, values.reduce(0) { $0 + Swift.max($1, 0) } / Double(n - 1))
  }

  /// The latent codes (x − μ) W, N × m. The corresponding C function is `cblas_dgemm`.
  public func project<S: BLASScalar>(_ data: Matrix<S>) throws -> Matrix<Double> {
    guard data.columns == mean.count else {
      throw EstimatorError.shapeMismatch("PCA fitted on \(mean.count) columns, given \(data.columns)")
    }
    var x = data.converted(to: Double.self)
    for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] -= mean[j] } }
    return try x.multiplied(by: components)
  }
}
