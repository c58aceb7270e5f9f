import Testing
import IBPlane

/// Continuous data (no exact duplicates): the tie rule must leave every kNN estimate bit for bit
/// as it was. `cases` are estimated here and compared with the bit patterns the estimators
/// produced before the tie rule existed (KSG.swift and DiscreteContinuousMI.swift of commit
/// 95e6770, run on this machine kind: Debian 12, Swift 6.3.1, GSL 2.7). The data avoid BLAS;
/// GSL's normal sampler, digamma and libm still enter, so another libm may need new baselines —
/// the scikit-learn equality tests in `KSGTests` are the portable guard.
enum KNNTiesRegression {
  struct Case {
    var name: String
    var run: () throws -> Double
  }

  /// Data built with scalar loops only (no BLAS), so the bit patterns depend on the estimators,
  /// GSL and libm, not on OpenBLAS's kernels for this CPU.
  static func cases() throws -> [Case] {
    let rng = RandomSource(seed: 31)
    let n = 2000
    var gx = Matrix<Double>(rows: 3000, columns: 1)
    var gy = Matrix<Double>(rows: 3000, columns: 1)
    for i in 0..<3000 {
      gx[i, 0] = rng.normal()
      gy[i, 0] = 0.6 * gx[i, 0] + 0.8 * rng.normal()
    }
    let g = (x: gx, y: gy)
    // 3 + 2 dimensions sharing one latent factor per row.
    var dx = Matrix<Double>(rows: 1500, columns: 3)
    var dy = Matrix<Double>(rows: 1500, columns: 2)
    for i in 0..<1500 {
      let f = rng.normal()
      for j in 0..<3 { dx[i, j] = f + rng.normal() }
      for j in 0..<2 { dy[i, j] = f + rng.normal() }
    }
    var t = Matrix<Double>(rows: n, columns: 2)
    var labels = [Int](repeating: 0, count: n)
    for i in 0..<n {
      labels[i] = i % 3
      t[i, 0] = Double(labels[i]) + rng.normal()
      t[i, 1] = rng.normal()
    }
    var out: [Case] = []
    for variant in [KSGEstimator.Variant.one, .two] {
      for metric in NearestNeighbors.Metric.allCases {
        out.append(Case(name: "gauss1x1 v\(variant.rawValue) \(metric)") { try KSGEstimator(variant: variant, metric: metric).estimate(g.x, g.y).nats })
        out.append(Case(name: "dense3x2 brute v\(variant.rawValue) \(metric)") {
          try KSGEstimator(variant: variant, k: 4, metric: metric, algorithm: .bruteForce).estimate(dx, dy).nats
        })
        out.append(Case(name: "dense3x2 tree v\(variant.rawValue) \(metric)") {
          try KSGEstimator(variant: variant, k: 4, metric: metric, algorithm: .kdTree).estimate(dx, dy).nats
        })
      }
    }
    for metric in NearestNeighbors.Metric.allCases {
      out.append(Case(name: "ross \(metric)") { try DiscreteContinuousMI(metric: metric).estimate(t, labels: labels).nats })
      out.append(Case(name: "ross k=1 \(metric)") { try DiscreteContinuousMI(k: 1, metric: metric, preprocessing: .none).estimate(t, labels: labels).nats })
    }
    return out
  }

  /// Bit patterns before the tie rule (commit 95e6770), by case name.
  static let baseline: [String: UInt64] = [
    "gauss1x1 v1 maximum": 0x3fcaa80304bab300, // 0.2082523129551177
    "dense3x2 brute v1 maximum": 0x3fd5b8a6742feca0, // 0.33939515444189716
    "dense3x2 tree v1 maximum": 0x3fd5b8a6742feca0, // 0.33939515444189716
    "gauss1x1 v1 euclidean": 0x3fcaa80304bab300, // 0.2082523129551177
    "dense3x2 brute v1 euclidean": 0x3fd5909d4bd83ce0, // 0.33695156485278055
    "dense3x2 tree v1 euclidean": 0x3fd5909d4bd83ce0, // 0.33695156485278055
    "gauss1x1 v2 maximum": 0x3fcaa9c9832b1a00, // 0.20830649285035463
    "dense3x2 brute v2 maximum": 0x3fd63cf18515d2b0, // 0.3474696921978575
    "dense3x2 tree v2 maximum": 0x3fd63cf18515d2b0, // 0.3474696921978575
    "gauss1x1 v2 euclidean": 0x3fcaa9c9832b1a00, // 0.20830649285035463
    "dense3x2 brute v2 euclidean": 0x3fd5f7f86e709080, // 0.3432599142563575
    "dense3x2 tree v2 euclidean": 0x3fd5f7f86e709080, // 0.3432599142563575
    "ross maximum": 0x3fd0fbba29d4c780, // 0.265364209032775
    "ross k=1 maximum": 0x3fd011f71ba848a0, // 0.2510965128032101
    "ross euclidean": 0x3fd1e19931546060, // 0.2793944341406185
    "ross k=1 euclidean": 0x3fd012f00c0c8650, // 0.2511558644929197
  ]
}

@Suite struct KNNTiesRegressionTests {
  /// No row repeats, so no sample is tied: every value equals the pre-tie-rule bit pattern.
  @Test func continuousDataUnchangedBitForBit() throws {
    let cases = try KNNTiesRegression.cases()
    #expect(cases.count == KNNTiesRegression.baseline.count)
    for c in cases {
      let v = try c.run()
      let expected = try #require(KNNTiesRegression.baseline[c.name], "\(c.name) has no baseline")
      #expect(v.bitPattern == expected, "\(c.name): \(v) vs \(Double(bitPattern: expected))")
    }
  }
}
