import IBPlaneCore
import IBPlaneNumerics
/// The Gaussian (linear) estimator: the MI of the Gaussian fitted to the sample covariance.
///
/// With S the sample covariance of the joint (X, Y) (divisor N − 1) and Sxx, Syy its blocks,
///
///     Î(X;Y) = ½ log( det Sxx · det Syy / det S )   (nats),
///
/// computed from the sample *correlation* matrix R (the diagonal scales cancel in the ratio),
/// whose eigenvalues (LAPACK `dsyevd`) also tell whether S is singular. Consistent for jointly
/// Gaussian data. For any other law it is −½ Σ log(1 − ρᵢ²) over the canonical correlations ρᵢ:
/// it sees only linear dependence (0 for the uncorrelated but dependent Student-t with
/// diagonal dispersion) and is no bound either way (it overstates a binary symmetric channel).
///
/// Bias: for Gaussian data E[log det S] = log det Σ + Σᵢ₌₁ᵈ ψ((N − i)/2) + d log(2/(N − 1))
/// (S(N − 1) is Wishart), so the plug-in value is biased upwards by about dx·dy / (2N) nats.
/// With `biasCorrection` each log-determinant is corrected by that exact expectation, which
/// makes the estimate unbiased for Gaussian data (Misra, Singh & Demchuk 2005, "Estimation of
/// the entropy of a multivariate normal distribution", J. Multivariate Anal. 92(2)).
///
/// Complexity: O(N (dx + dy)²) for the covariance (one GEMM) plus O((dx + dy)³) for the eigenvalues.
/// Needs N > dx + dy samples and no column that is a linear combination of others.
public struct GaussianEstimator: MutualInformationEstimator {
  public let name = "gaussian"
  /// Subtract the exact finite-sample bias of the log-determinants (default `false`).
  public var biasCorrection: Bool

  /// The smallest eigenvalue of a correlation matrix (trace d) below which it is called singular.
  public static let singularityThreshold = 1e-10

  public init(biasCorrection: Bool = false) {
    self.biasCorrection = biasCorrection
  }

  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    // The arithmetic runs on concrete Double matrices so the optimiser specialises the loops
    // (through the generic entry point they ran ≈ 20× slower).
    if let x = a as? Matrix<Double>, let y = b as? Matrix<Double> { return try estimate(doubles: x, y) }
    return try estimate(doubles: a.converted(to: Double.self), b.converted(to: Double.self))
  }

  private func estimate(doubles a: Matrix<Double>, _ b: Matrix<Double>) throws -> Estimate {
    try EstimatorError.validatePair(a, b)
    let (n, dx, dy) = (a.rows, a.columns, b.columns)
    let d = dx + dy
    guard n > d else {
      throw EstimatorError.tooFewSamples(needed: d + 1, got: n, what: "the gaussian estimator with dx + dy = \(d)")
    }
    // The correlation matrix does not depend on the columns' scales: a column far from unit
    // scale (× 1e300, × 1e−300) is first brought to it by an exact power of two (`_PowerOfTwo`),
    // so its variance neither overflows nor underflows; other columns are untouched.
    let joint = try a.concatenatingColumns(b)
    let covariance = try _PowerOfTwo.scaledColumns(joint, by: _PowerOfTwo.columnExponents(of: joint)).covariance()
    var scale = [Double](repeating: 0, count: d)
    for j in 0..<d {
      let v = covariance[j, j]
      guard v > 0 else {
        let (which, column) = j < dx ? ("X", j) : ("Y", j - dx)
        throw EstimatorError.degenerate(
          "the gaussian estimator needs every column to vary, but \(which) column \(column) is constant")
      }
      scale[j] = 1 / v.squareRoot()
    }
    var correlation = covariance
    for i in 0..<d { for j in 0..<d { correlation[i, j] *= scale[i] * scale[j] } }

    let xs = Array(0..<dx)
    let ys = Array(dx..<d)
    let (logDetX, minX) = try GaussianEstimator.logDeterminant(correlation.selectingRows(xs).selectingColumns(xs))
    let (logDetY, minY) = try GaussianEstimator.logDeterminant(correlation.selectingRows(ys).selectingColumns(ys))
    let (logDetJoint, minJoint) = try GaussianEstimator.logDeterminant(correlation)
    for (what, smallest) in [("X", minX), ("Y", minY), ("(X, Y) jointly", minJoint)]
    where smallest < GaussianEstimator.singularityThreshold {
      throw EstimatorError.degenerate(
        "the sample covariance of \(what) is singular (smallest correlation eigenvalue \(smallest)): "
          + "some column is a linear combination of others, so the gaussian estimate is undefined")
    }
    let plugIn = 0.5 * (logDetX + logDetY - logDetJoint)
    var value = plugIn
    var diagnostics: [String: Double] = [
      "n": Double(n), "x_dim": Double(dx), "y_dim": Double(dy), "min_correlation_eigenvalue": minJoint,
    ]
    if biasCorrection {
      let bias = 0.5 * (try GaussianEstimator.logDeterminantBias(dimension: dx, samples: n)
        + GaussianEstimator.logDeterminantBias(dimension: dy, samples: n)
        - GaussianEstimator.logDeterminantBias(dimension: d, samples: n))
      value = plugIn - bias
      diagnostics["bias_nats"] = bias
      diagnostics["plug_in_nats"] = plugIn
    }
    return try Estimate(nats: value, parameters: ["bias_correction": biasCorrection ? "true" : "false"], diagnostics: diagnostics)
      .requiringFinite(estimator: name, quantity: "I(X;Y)")
  }

  /// E[log det S] − log det Σ for the sample covariance S (divisor N − 1) of N Gaussian draws in
  /// d dimensions: Σᵢ₌₁ᵈ ψ((N − i)/2) + d log(2/(N − 1)). Needs N > d.
  public static func logDeterminantBias(dimension d: Int, samples n: Int) throws -> Double {
    var s = Double(d) * (2 / Double(n - 1)).logNatural
    for i in 1...d { s += try SpecialFunctions.digamma(Double(n - i) / 2) }
    return s
  }

  /// log det and smallest eigenvalue of a symmetric matrix, through `dsyevd`.
  static func logDeterminant(_ m: Matrix<Double>) throws -> (Double, Double) {
    let values = try m.symmetricEigen(vectors: false).values
    let smallest = values.first ?? 1
    guard smallest > 0 else { return (-.infinity, smallest) }
    return (values.reduce(0) { $0 + $1.logNatural }, smallest)
  }
}
