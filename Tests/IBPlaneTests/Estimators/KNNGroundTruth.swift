import IBPlane

/// Samplers with closed-form mutual information and entropy, for the kNN estimator tests
/// (the synthetic registry of `Synthetic/` lands separately; these are self-contained).
enum KNNGroundTruth {
  /// A pair (X, Y) and its true MI in nats.
  struct Task {
    var name: String
    var x: Matrix<Double>
    var y: Matrix<Double>
    var mutualInformation: Double
  }

  /// Rows of N(0, Σ) through the Cholesky factor: z·Lᵀ.
  static func gaussian(covariance: Matrix<Double>, n: Int, seed: UInt64) throws -> Matrix<Double> {
    let l = try covariance.cholesky()
    let z = RandomSource(seed: seed).normalMatrix(rows: n, columns: covariance.rows)
    return try z.multiplied(by: l, transposingOther: true)
  }

  /// Splits the columns into X = 0..<dx and Y = dx..<.
  static func split(_ m: Matrix<Double>, _ dx: Int) -> (Matrix<Double>, Matrix<Double>) {
    (m.selectingColumns(Array(0..<dx)), m.selectingColumns(Array(dx..<m.columns)))
  }

  /// I = ½ log(det Σxx det Σyy / det Σ).
  static func gaussianMI(_ c: Matrix<Double>, _ dx: Int) throws -> Double {
    let sxx = c.selectingRows(0..<dx).selectingColumns(Array(0..<dx))
    let syy = c.selectingRows(dx..<c.rows).selectingColumns(Array(dx..<c.rows))
    return 0.5 * (try sxx.logDeterminantSPD() + syy.logDeterminantSPD() - c.logDeterminantSPD())
  }

  static func gaussianTask(_ name: String, covariance c: Matrix<Double>, dx: Int, n: Int, seed: UInt64) throws -> Task {
    let (x, y) = split(try gaussian(covariance: c, n: n, seed: seed), dx)
    return Task(name: name, x: x, y: y, mutualInformation: try gaussianMI(c, dx))
  }

  /// Gaussian 1×1 with correlation ρ: I = −½ log(1 − ρ²).
  static func gaussian1x1(rho: Double, n: Int, seed: UInt64) throws -> Task {
    try gaussianTask("gaussian-1x1-rho\(rho)", covariance: try Matrix([[1, rho], [rho, 1]]), dx: 1, n: n, seed: seed)
  }

  /// BMI's dense task: all 10 coordinates equicorrelated with ρ = 0.5 (X 5 dims, Y 5 dims).
  static func dense5x5(n: Int, seed: UInt64) throws -> Task {
    var c = Matrix<Double>(rows: 10, columns: 10)
    for i in 0..<10 { for j in 0..<10 { c[i, j] = i == j ? 1 : 0.5 } }
    return try gaussianTask("gaussian-dense-5x5", covariance: c, dx: 5, n: n, seed: seed)
  }

  /// BMI's sparse task: X, Y 10 dims each, two coordinate pairs correlated with ρ = 0.8.
  static func twoPair10x10(n: Int, seed: UInt64) throws -> Task {
    var c = Matrix<Double>.identity(20)
    for p in 0..<2 { c[p, 10 + p] = 0.8; c[10 + p, p] = 0.8 }
    return try gaussianTask("gaussian-2pair-10x10", covariance: c, dx: 10, n: n, seed: seed)
  }

  /// Multivariate Student-t with identity dispersion, ν degrees of freedom, X and Y 2 dims:
  /// (X, Y) = Z / √(χ²_ν / ν). MI = f(ν) + f(ν + dx + dy) − f(ν + dx) − f(ν + dy),
  /// f(a) = log Γ(a/2) − (a/2) ψ(a/2) (Czyż et al. 2023, appendix); 0.19315 nats for ν = 2, 2×2.
  static func studentT(nu: Double, n: Int, seed: UInt64) throws -> Task {
    let rng = RandomSource(seed: seed)
    var m = Matrix<Double>(rows: n, columns: 4)
    for i in 0..<n {
      let s = (rng.chiSquare(degreesOfFreedom: nu) / nu).squareRoot()
      for j in 0..<4 { m[i, j] = rng.normal() / s }
    }
    func f(_ a: Double) throws -> Double { try SpecialFunctions.logGamma(a / 2) - a / 2 * SpecialFunctions.digamma(a / 2) }
    let mi = try f(nu) + f(nu + 4) - f(nu + 2) - f(nu + 2)
    let (x, y) = split(m, 2)
    return Task(name: "student-t-2x2-nu\(nu)", x: x, y: y, mutualInformation: mi)
  }

  /// Gaussian 1×1 (ρ = 0.75) seen through injective maps: X → asinh X, Y → sign(Y)|Y|^{3/2}
  /// (BMI's half-cube). MI is invariant under such maps.
  static func transformed(n: Int, seed: UInt64) throws -> Task {
    var t = try gaussian1x1(rho: 0.75, n: n, seed: seed)
    for i in 0..<n {
      t.x[i, 0] = _math_log(t.x[i, 0] + (t.x[i, 0] * t.x[i, 0] + 1).squareRoot())
      let v = t.y[i, 0]
      t.y[i, 0] = (v < 0 ? -1 : 1) * abs(v) * abs(v).squareRoot()
    }
    t.name = "gaussian-1x1-asinh-halfcube"
    return t
  }

  /// X ~ U(0, 1), Y = X + U(−ε, ε): I = h(Y) − h(N) = ε − log(2ε) for ε ≤ ½ (the two
  /// triangular ramps of Y's density contribute ε/2 each).
  static func uniformAdditive(epsilon: Double, n: Int, seed: UInt64) -> Task {
    let rng = RandomSource(seed: seed)
    var x = Matrix<Double>(rows: n, columns: 1)
    var y = Matrix<Double>(rows: n, columns: 1)
    for i in 0..<n {
      x[i, 0] = rng.uniform()
      y[i, 0] = x[i, 0] + rng.uniform(-epsilon, epsilon)
    }
    return Task(name: "uniform-additive-eps\(epsilon)", x: x, y: y, mutualInformation: epsilon - _math_log(2 * epsilon))
  }

  /// BMI's "solved" criterion: |log(Î / I)| < log 1.5.
  static func withinBMIFactor(_ estimate: Double, _ truth: Double) -> Bool {
    estimate > 0 && abs(_math_log(estimate / truth)) < _math_log(1.5)
  }
}
