import CNative
import IBPlaneCore
import IBPlaneNumerics

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
  /// Each column through its empirical copula and the normal quantile: x_ij ← Φ⁻¹(r_ij / (N + 1)),
  /// r_ij the rank of x_ij in column j (ties share their average rank, so equal values stay
  /// equal). MI is invariant under a strictly increasing map of each coordinate, and this is
  /// the empirical version of Φ⁻¹∘F_j — it makes every marginal standard normal, which tames
  /// heavy tails (Student-t) that otherwise squeeze the bulk of the data into a few max-norm
  /// boxes. MI estimators only: differential entropy is not invariant, so entropy estimators
  /// refuse it. Φ⁻¹ is GSL's `gsl_cdf_ugaussian_Pinv`.
  case rankGauss = "rank-gauss"

  /// Parses a command-line name: `none`, `standardize`, `whiten` or `rank-gauss`.
  public static func named(_ name: String) throws -> KNNPreprocessing {
    guard let p = KNNPreprocessing(rawValue: name) else {
      throw EstimatorError.invalidParameter(name: "preprocess", value: name, expected: "none, standardize, whiten or rank-gauss")
    }
    return p
  }

  /// The transformed data in Double and log |det| of the inverse map (to add to an entropy).
  ///
  /// A constant column (a dead ReLU unit) has no differential entropy: entropy estimators
  /// (`forEntropy`) get `.degenerate` naming the variable. MI estimators do not need its scale —
  /// it adds 0 to every distance — so with `forEntropy == false` standardisation centres it and
  /// leaves it unscaled. Whitening always refuses a singular covariance.
  ///
  /// Scale safety: `standardize` and `whiten` first bring every column whose largest |value| is
  /// outside [2^−250, 2^250] to [1, 2) by an exact power of two (`_PowerOfTwo`, whose factor
  /// goes into `logJacobian`), so data × 1e300 or × 1e−300 give the unscaled result instead of
  /// an overflowed or underflowed variance; other columns are untouched (results unchanged).
  /// `none` keeps the data's scale, so it refuses data whose squared distances would overflow
  /// or underflow: the largest |value| must be 0 or within `rawMagnitudeRange` (1e−150…1e150).
  public func apply<S: BLASScalar>(_ m: Matrix<S>, name: String, forEntropy: Bool = true) throws -> (data: Matrix<Double>, logJacobian: Double) {
    var x = m.converted(to: Double.self)
    switch self {
    case .none:
      let largest = _PowerOfTwo.largestMagnitude(x)
      guard largest == 0 || Self.rawMagnitudeRange.contains(largest) else {
        throw EstimatorError.degenerate(
          "\(name): its largest |value| is \(largest), outside \(Self.rawMagnitudeRange.lowerBound)…\(Self.rawMagnitudeRange.upperBound) "
            + "where squared distances stay finite and normal; with preprocess none the data's scale is used as is, "
            + "so rescale it or use standardize")
      }
      return (x, 0)
    case .standardize:
      // Columns far outside unit scale first go to [1, 2) by an exact power of two (see above).
      let exponents = _PowerOfTwo.columnExponents(of: x)
      x = _PowerOfTwo.scaledColumns(x, by: exponents)
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
        logJ += _math_log(sd[j]) - Double(exponents[j]) * _ln2
      }
      for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] = (x[i, j] - means[j]) / sd[j] } }
      return (x, logJ)
    case .rankGauss:
      guard !forEntropy else {
        throw EstimatorError.invalidParameter(
          name: "preprocess", value: "rank-gauss",
          expected: "none, standardize or whiten for an entropy estimate (a rank transform changes differential entropy)")
      }
      NativeRuntime.ensureInitialised()
      let n = x.rows
      var rows = Array(0..<n)
      for j in 0..<x.columns {
        rows.sort { a, b in x[a, j] < x[b, j] || (x[a, j] == x[b, j] && a < b) }
        var t = 0
        var z = [Double](repeating: 0, count: n)
        while t < n {
          var e = t + 1
          while e < n && x[rows[e], j] == x[rows[t], j] { e += 1 }
          // Ranks t+1 … e (1-based) share their average.
          let u = (Double(t + 1 + e) / 2) / Double(n + 1)
          let q = gsl_cdf_ugaussian_Pinv(u)
          for s in t..<e { z[rows[s]] = q }
          t = e
        }
        for i in 0..<n { x[i, j] = z[i] }
      }
      return (x, 0)
    case .whiten:
      let exponents = _PowerOfTwo.columnExponents(of: x)
      x = _PowerOfTwo.scaledColumns(x, by: exponents)
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
      return (try x.multiplied(by: w), logDet / 2 - Double(exponents.reduce(0, +)) * _ln2)
    }
  }

  /// The largest |value| that `none` accepts (0 is accepted too): squares of differences stay
  /// finite and normal doubles in any realistic dimension.
  public static let rawMagnitudeRange: ClosedRange<Double> = NearestNeighbors.euclideanMagnitudeRange
}

/// ln 2, for the log-Jacobian of a power-of-two rescaling.
let _ln2 = 0.693_147_180_559_945_309_417_232_121_458

/// ψ(n) for n = 0…maximum through GSL (`gsl_sf_psi_int_e`); entry 0 is unused (−∞).
func _digammaTable(upTo maximum: Int) throws -> [Double] {
  var t = [Double](repeating: -.infinity, count: maximum + 1)
  if maximum >= 1 { for n in 1...maximum { t[n] = try SpecialFunctions.digamma(n) } }
  return t
}
