import Testing
import IBPlane

/// Kozachenko–Leonenko and weighted Kozachenko–Leonenko entropies against closed forms.
///
/// Tolerances: at N = 5,000 the KL estimator's standard deviation is about
/// √(Var log f / N) ≈ √(d/2 / 5000) ≈ 0.01–0.03 nats for d = 1…8; its bias for Gaussians is
/// a few 0.01 nats at d ≤ 8 (Berrett et al. 2019, table 1). We allow 0.06 nats (d ≤ 3) and
/// 0.15 nats (d = 8). Uniform densities have a boundary bias that grows with d; for d ≤ 2 at
/// N = 5,000 it is below 0.03 nats; we allow 0.05.
@Suite struct EntropyTests {
  /// H of N(0, Σ) = ½ log((2πe)ᵈ det Σ).
  static func gaussianEntropy(_ c: Matrix<Double>) throws -> Double {
    0.5 * (Double(c.rows) * _math_log(2 * Double.pi * _math_exp(1)) + (try c.logDeterminantSPD()))
  }

  static func correlated(_ d: Int, _ rho: Double, scale: Double) -> Matrix<Double> {
    var c = Matrix<Double>(rows: d, columns: d)
    for i in 0..<d { for j in 0..<d { c[i, j] = scale * scale * (i == j ? 1 : rho) } }
    return c
  }

  @Test(arguments: [(1, 0.0, 0.06), (3, 0.5, 0.06), (8, 0.3, 0.15)])
  func gaussianEntropies(d: Int, rho: Double, tolerance: Double) throws {
    let c = Self.correlated(d, rho, scale: 2)
    let truth = try Self.gaussianEntropy(c)
    let x = try KNNGroundTruth.gaussian(covariance: c, n: 5000, seed: UInt64(d))
    for metric in NearestNeighbors.Metric.allCases {
      let h = try KozachenkoLeonenkoEntropy(metric: metric).entropy(x).nats
      #expect(abs(h - truth) < tolerance, "KL \(metric) d=\(d): \(h) vs \(truth)")
    }
    let w = try WeightedKozachenkoLeonenko().entropy(x).nats
    #expect(abs(w - truth) < tolerance, "wKL d=\(d): \(w) vs \(truth)")
    // Preprocessing is undone exactly: the same estimate without it differs only by the estimator's
    // non-invariance under scaling, small here (isotropic-ish data).
    let raw = try KozachenkoLeonenkoEntropy(preprocessing: .none).entropy(x).nats
    #expect(abs(raw - truth) < tolerance)
  }

  @Test func uniformEntropies() throws {
    let rng = RandomSource(seed: 8)
    var square = Matrix<Double>(rows: 5000, columns: 2)
    for t in 0..<square.elements.count { square.elements[t] = rng.uniform() }
    var interval = Matrix<Double>(rows: 5000, columns: 1)
    for t in 0..<interval.elements.count { interval.elements[t] = rng.uniform(0, 3) }
    for metric in NearestNeighbors.Metric.allCases {
      let h2 = try KozachenkoLeonenkoEntropy(metric: metric).entropy(square).nats
      #expect(abs(h2 - 0) < 0.05, "U[0,1]² \(metric): \(h2)")
      let h1 = try KozachenkoLeonenkoEntropy(metric: metric).entropy(interval).nats
      #expect(abs(h1 - _math_log(3)) < 0.05, "U[0,3] \(metric): \(h1)")
    }
  }

  @Test func weightsMeetTheirConstraints() throws {
    #expect(try WeightedKozachenkoLeonenko.weights(k: 5, dimension: 3) == [0, 0, 0, 0, 1])
    #expect(try WeightedKozachenkoLeonenko.weights(k: 1, dimension: 9) == [1])
    for (k, d) in [(5, 8), (10, 12), (20, 9)] {
      let w = try WeightedKozachenkoLeonenko.weights(k: k, dimension: d)
      #expect(abs(w.reduce(0, +) - 1) < 1e-9)
      for l in 1...(d / 4) {
        var s = 0.0
        for j in 1...k {
          s += w[j - 1] * _math_exp(try SpecialFunctions.logGamma(Double(j) + 2 * Double(l) / Double(d)) - SpecialFunctions.logGamma(Double(j)))
        }
        #expect(abs(s) < 1e-8, "constraint l=\(l) for k=\(k), d=\(d): \(s)")
      }
    }
    #expect(throws: EstimatorError.self) { try WeightedKozachenkoLeonenko.weights(k: 2, dimension: 12) }
  }

  @Test func klEntropyThroughEstimateIsHOfTheFirstArray() throws {
    let x = try KNNGroundTruth.gaussian(covariance: Self.correlated(2, 0.2, scale: 1), n: 500, seed: 1)
    let y = try KNNGroundTruth.gaussian(covariance: Self.correlated(3, 0.2, scale: 1), n: 500, seed: 2)
    let e = try KozachenkoLeonenkoEntropy().estimate(x, y)
    #expect(e.nats == (try KozachenkoLeonenkoEntropy().entropy(x).nats))
    #expect(e.parameters["quantity"] == "entropy H(X)")
  }

  @Test func duplicatesAndBadInputAreRefused() throws {
    var x = Matrix<Double>(rows: 10, columns: 1)
    for i in 0..<10 { x[i, 0] = Double(i / 5) }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy(preprocessing: .none).entropy(x) }
    let bad = try Matrix<Double>([[1], [.infinity], [2], [3], [4]])
    #expect(throws: EstimatorError.nonFinite(what: "X", row: 1, column: 0)) { try KozachenkoLeonenkoEntropy().entropy(bad) }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy(k: 0).entropy(x) }
    var constant = Matrix<Double>(rows: 10, columns: 2)
    for i in 0..<10 { constant[i, 0] = Double(i) }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy().entropy(constant) }
  }
}
