/// Principal component analysis: the linear compressor of lossy-compressed MI.
///
/// The sample covariance Σ (divisor N − 1, Double) is eigen-decomposed by LAPACK (`syevd`);
/// the top m eigenvectors W (d × m) give the latent code z = (x − μ) W. The fraction of
/// variance kept, Σ_{top m} λ / tr Σ, is recorded with every estimate that uses it.
///
/// Complexity O(N d² + d³); memory O(d²). For d > N the covariance route still works but is
/// rank-deficient beyond N − 1 components.
public struct PrincipalComponents: Sendable, Equatable {
  /// Column means μ of the fitted data.
  public let mean: [Double]
  /// d × m matrix whose columns are the leading eigenvectors, in descending eigenvalue order.
  public let components: Matrix<Double>
  /// The leading m eigenvalues (variances along the components), descending.
  public let variances: [Double]
  /// Σ_{top m} λ / Σ λ.
  public let explainedVarianceRatio: Double

  /// Fits m components to `data` (N × d). Throws when m is not in 1…d or N < 2.
  public init<S: BLASScalar>(fitting data: Matrix<S>, components m: Int) throws {
    guard m >= 1, m <= data.columns else {
      throw EstimatorError.invalidParameter(name: "latent", value: "\(m)", expected: "1…\(data.columns) (the data's width)")
    }
    try EstimatorError.validateFinite(data, name: "PCA input")
    let cov = try data.covariance()
    let (values, vectorsOpt) = try cov.symmetricEigen(vectors: true)
    guard let vectors = vectorsOpt else { throw EstimatorError.degenerate("PCA: eigen-decomposition returned no vectors") }
    let d = data.columns
    var w = Matrix<Double>(rows: d, columns: m)
    var kept: [Double] = []
    for t in 0..<m {
      let c = d - 1 - t  // syevd sorts ascending
      kept.append(Swift.max(values[c], 0))
      for r in 0..<d { w[r, t] = vectors[r, c] }
    }
    let total = values.reduce(0) { $0 + Swift.max($1, 0) }
    self.mean = data.columnMeans()
    self.components = w
    self.variances = kept
    self.explainedVarianceRatio = total > 0 ? kept.reduce(0, +) / total : 0
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
