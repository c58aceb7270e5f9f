/// Per-variable preprocessing before a kNN estimate, recorded with every estimate.
///
/// kNN estimators are not scale-invariant at finite N: a variable with a large spread
/// dominates the max-norm. Standardising each column (on by default, as in scikit-learn's
/// `mutual_info_regression`) or whitening the whole variable (Butakov et al.'s choice for the
/// weighted Kozachenko–Leonenko estimator) makes the neighbourhoods comparable.
///
/// Mutual information is invariant under an invertible affine map of each variable, so MI
/// estimators use the transformed data as is. Differential entropy is not: H(A x + b) =
/// H(x) + log |det A|, so entropy estimators add `logJacobian` = −log |det A| back
/// (Σ_j log s_j for standardisation, ½ log det Σ for whitening).
public enum KNNPreprocessing: String, Sendable, CaseIterable {
  /// Use the data as given.
  case none
  /// x_j ← (x_j − mean_j) / s_j, s_j the standard deviation with divisor N (as `sklearn.preprocessing.scale`).
  case standardize
  /// x ← (x − μ) V Λ^{-1/2}, Σ = V Λ Vᵀ the sample covariance (divisor N − 1), through LAPACK `syevd`.
  case whiten

  /// The transformed data in Double and log |det| of the inverse map (to add to an entropy).
  ///
  /// A constant column (a dead ReLU unit) has no differential entropy: entropy estimators
  /// (`forEntropy`) get `.degenerate` naming the variable. MI estimators do not need its scale —
  /// it adds 0 to every distance — so with `forEntropy == false` standardisation centres it and
  /// leaves it unscaled. Whitening always refuses a singular covariance.
  public func apply<S: BLASScalar>(_ m: Matrix<S>, name: String, forEntropy: Bool = true) throws -> (data: Matrix<Double>, logJacobian: Double) {
    var x = m.converted(to: Double.self)
    switch self {
    case .none:
      return (x, 0)
    case .standardize:
      let means = x.columnMeans()
      var sd = [Double](repeating: 0, count: x.columns)
      for i in 0..<x.rows { for j in 0..<x.columns { let v = x[i, j] - means[j]; sd[j] += v * v } }
      var logJ = 0.0
      for j in 0..<x.columns {
        sd[j] = (sd[j] / Double(x.rows)).squareRoot()
        guard sd[j] > 0 else {
          if !forEntropy {
            sd[j] = 1
            continue
          }
          throw EstimatorError.degenerate("\(name): column \(j) is constant; its differential entropy is −∞")
        }
        logJ += _math_log(sd[j])
      }
      for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] = (x[i, j] - means[j]) / sd[j] } }
      return (x, logJ)
    case .whiten:
      let cov = try x.covariance()
      let (values, vectorsOpt) = try cov.symmetricEigen(vectors: true)
      guard let vectors = vectorsOpt else { throw EstimatorError.degenerate("\(name): eigen-decomposition returned no vectors") }
      let top = values.last ?? 0
      var logDet = 0.0
      var w = vectors
      for (c, l) in values.enumerated() {
        guard l > top * 1e-12, l > 0 else {
          throw EstimatorError.degenerate("\(name): covariance is singular (eigenvalue \(l)); whitening needs full rank, reduce the dimension first")
        }
        logDet += _math_log(l)
        let s = 1 / l.squareRoot()
        for r in 0..<w.rows { w[r, c] *= s }
      }
      let means = x.columnMeans()
      for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] -= means[j] } }
      return (try x.multiplied(by: w), logDet / 2)
    }
  }
}

/// ψ(n) for n = 0…maximum through GSL (`gsl_sf_psi_int_e`); entry 0 is unused (−∞).
func _digammaTable(upTo maximum: Int) throws -> [Double] {
  var t = [Double](repeating: -.infinity, count: maximum + 1)
  if maximum >= 1 { for n in 1...maximum { t[n] = try SpecialFunctions.digamma(n) } }
  return t
}
