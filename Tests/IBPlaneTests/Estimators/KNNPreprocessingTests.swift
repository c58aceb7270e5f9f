import Testing
import IBPlane

/// The per-variable preprocessings of the kNN estimators, checked against their definitions.
@Suite struct KNNPreprocessingTests {
  @Test func rankGaussIsTheNormalQuantileOfTheAverageRank() throws {
    // Column 0 with a tie (two 5s), column 1 constant, column 2 decreasing.
    let m = try Matrix<Double>([[5, 1, 4], [-2, 1, 3], [5, 1, 2], [9, 1, 1]])
    let (z, logJ) = try KNNPreprocessing.rankGauss.apply(m, name: "X", forEntropy: false)
    #expect(logJ == 0)
    // Ranks in column 0: -2 → 1, the two 5s → (2 + 3)/2 = 2.5, 9 → 4; u = r / (N + 1) = r / 5.
    let q = { (u: Double) -> Double in
      // Φ⁻¹ by bisection on the GSL CDF: an independent route to the same number.
      var lo = -10.0, hi = 10.0
      for _ in 0..<200 { let mid = (lo + hi) / 2; if SpecialFunctions.normalCDF(mid) < u { lo = mid } else { hi = mid } }
      return (lo + hi) / 2
    }
    #expect(abs(z[1, 0] - q(0.2)) < 1e-12)
    #expect(z[0, 0] == z[2, 0])
    #expect(abs(z[0, 0] - q(0.5)) < 1e-12 && abs(z[0, 0]) < 1e-12)
    #expect(abs(z[3, 0] - q(0.8)) < 1e-12)
    #expect((0..<4).allSatisfy { z[$0, 1] == 0 })  // all tied: rank 2.5, u = 0.5
    #expect(z[0, 2] > z[1, 2] && z[1, 2] > z[2, 2] && z[2, 2] > z[3, 2])  // order kept
    #expect(abs(z[0, 2] + z[3, 2]) < 1e-12)  // symmetric ranks, symmetric quantiles
  }

  @Test func rankGaussIsRefusedForEntropyAndByName() throws {
    let m = RandomSource(seed: 2).normalMatrix(rows: 50, columns: 2)
    #expect(throws: EstimatorError.self) { try KNNPreprocessing.rankGauss.apply(m, name: "X", forEntropy: true) }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy(preprocessing: .rankGauss).estimate(m, m) }
    #expect(try KNNPreprocessing.named("rank-gauss") == .rankGauss)
    #expect(throws: EstimatorError.self) { try KNNPreprocessing.named("copula") }
  }

  /// MI is invariant under strictly increasing coordinate maps, and so is the rank transform:
  /// KSG after rank-Gauss gives the same number for x and exp(x)³.
  @Test func rankGaussMakesKSGInvariantToMonotoneMaps() throws {
    let rng = RandomSource(seed: 3)
    let x = rng.normalMatrix(rows: 2000, columns: 2)
    var y = rng.normalMatrix(rows: 2000, columns: 2)
    for i in 0..<2000 { for j in 0..<2 { y[i, j] += 0.8 * x[i, j] } }
    var warped = x
    for t in warped.elements.indices { warped.elements[t] = _math_exp(3 * warped.elements[t]) }
    let ksg = KSGEstimator(preprocessing: .rankGauss)
    #expect(try ksg.estimate(x, y).nats == ksg.estimate(warped, y).nats)
  }
}
