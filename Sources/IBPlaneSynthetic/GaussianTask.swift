import IBPlaneNumerics
/// Jointly Gaussian (X, Y) with any positive-definite joint covariance.
///
/// With Σ the (dx + dy) × (dx + dy) joint covariance and Σxx, Σyy its diagonal blocks,
///
///     I(X;Y) = ½ log( det Σxx · det Σyy / det Σ )   (nats).
///
/// The log-determinants go through Cholesky (`logDeterminantSPD`), so the truth is exact to
/// rounding. Samples are (X, Y) = Z Lᵀ with Σ = L Lᵀ and Z i.i.d. N(0, 1) (one GEMM).
///
/// Reference: Cover & Thomas, *Elements of Information Theory*, 2nd ed., eq. 8.56 and §9.
public struct GaussianTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let xDimension: Int
  public let yDimension: Int
  public let mutualInformationNats: Double
  /// The joint covariance of (X, Y), X's coordinates first.
  public let covariance: Matrix<Double>
  private let choleskyFactor: Matrix<Double>

  /// A task from a joint covariance whose first `xDimension` coordinates are X.
  /// Throws when the covariance is not symmetric positive definite.
  public init(name: String, summary: String, covariance: Matrix<Double>, xDimension: Int) throws {
    let d = covariance.rows
    guard covariance.columns == d, xDimension >= 1, xDimension < d else {
      throw SyntheticError.invalidParameter(
        task: name, name: "covariance", value: "\(covariance.rows)×\(covariance.columns) with dx = \(xDimension)",
        expected: "a square matrix with 1 ≤ dx < its order")
    }
    do {
      self.choleskyFactor = try covariance.cholesky()
      self.mutualInformationNats = try GaussianTask.mutualInformation(covariance: covariance, xDimension: xDimension)
    } catch {
      throw SyntheticError.invalidParameter(
        task: name, name: "covariance", value: "(not positive definite)", expected: "a positive-definite matrix")
    }
    self.name = name
    self.summary = summary
    self.covariance = covariance
    self.xDimension = xDimension
    self.yDimension = d - xDimension
  }

  /// ½ log(det Σxx det Σyy / det Σ) in nats, through three Cholesky factorisations.
  public static func mutualInformation(covariance: Matrix<Double>, xDimension dx: Int) throws -> Double {
    let d = covariance.rows
    let xs = Array(0..<dx)
    let ys = Array(dx..<d)
    let sxx = covariance.selectingRows(xs).selectingColumns(xs)
    let syy = covariance.selectingRows(ys).selectingColumns(ys)
    return 0.5 * (try sxx.logDeterminantSPD() + syy.logDeterminantSPD() - covariance.logDeterminantSPD())
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let z = RandomSource(seed: seed).normalMatrix(rows: count, columns: covariance.rows)
    let joint = try z.multiplied(by: choleskyFactor, transposingOther: true)
    return SyntheticSample(
      x: joint.selectingColumns(Array(0..<xDimension)),
      y: joint.selectingColumns(Array(xDimension..<covariance.rows)))
  }
}

extension GaussianTask {
  /// X and Y of `dimension` coordinates each; the joint covariance has unit variances and every
  /// off-diagonal entry equal to `correlation` (within X, within Y and across).
  ///
  /// The determinant of such an n × n matrix is (1 − ρ)ⁿ⁻¹ (1 + (n − 1)ρ); for n = 5 + 5 and
  /// ρ = ½, I = ½ log(0.1875² / 0.0107421875) = 0.59281 nats. Positive definite for
  /// −1/(2·dimension − 1) < ρ < 1.
  public static func dense(dimension: Int, correlation rho: Double = 0.5, name: String? = nil) throws -> GaussianTask {
    let taskName = name ?? "gaussian-dense-\(dimension)"
    let maximum = SyntheticLimits.maximumJointDimension / 2
    guard (1...maximum).contains(dimension) else {
      throw SyntheticError.invalidParameter(
        task: taskName, name: "dimension", value: "\(dimension)", expected: "1 ≤ D ≤ \(maximum) (dx + dy = 2D ≤ \(2 * maximum))")
    }
    let n = 2 * dimension
    guard rho > -1 / Double(n - 1), rho < 1 else {
      throw SyntheticError.invalidParameter(
        task: taskName, name: "correlation", value: "\(rho)", expected: "−1/(2d−1) < ρ < 1 with d ≥ 1")
    }
    var c = Matrix<Double>(rows: n, columns: n)
    for i in 0..<n { for j in 0..<n { c[i, j] = i == j ? 1 : rho } }
    return try GaussianTask(
      name: taskName,
      summary: "X, Y ∈ R^\(dimension), unit variances, every correlation \(rho)",
      covariance: c, xDimension: dimension)
  }

  /// X ∈ R^dx, Y ∈ R^dy, all coordinates N(0, 1); corr(Xᵢ, Yᵢ) = ρ for i < `pairs`, all other
  /// pairs independent, so I = −(pairs/2) log(1 − ρ²).
  public static func pairs(
    xDimension dx: Int, yDimension dy: Int, pairs k: Int, correlation rho: Double, name: String
  ) throws -> GaussianTask {
    guard dx >= 1, dy >= 1, dx <= SyntheticLimits.maximumJointDimension - dy else {
      throw SyntheticError.invalidParameter(
        task: name, name: "dimensions", value: "\(dx)x\(dy)",
        expected: "both ≥ 1 with dx + dy ≤ \(SyntheticLimits.maximumJointDimension)")
    }
    guard k >= 0, k <= min(dx, dy) else {
      throw SyntheticError.invalidParameter(
        task: name, name: "pair count", value: "\(k)", expected: "0…\(min(dx, dy)) for \(dx)x\(dy)")
    }
    guard rho > -1, rho < 1 else {
      throw SyntheticError.invalidParameter(task: name, name: "correlation", value: "\(rho)", expected: "−1 < ρ < 1")
    }
    var c = Matrix<Double>.identity(dx + dy)
    for i in 0..<k {
      c[i, dx + i] = rho
      c[dx + i, i] = rho
    }
    return try GaussianTask(
      name: name,
      summary: "X ∈ R^\(dx), Y ∈ R^\(dy) standard normal, \(k) coordinate pair(s) with correlation \(rho)",
      covariance: c, xDimension: dx)
  }
}
