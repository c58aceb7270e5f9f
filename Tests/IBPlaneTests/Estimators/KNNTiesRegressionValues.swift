import Testing
@testable import IBPlane

/// Continuous data (no exact duplicates): the tie rule must leave every kNN estimate bit for bit
/// as it was. `cases` are estimated here and compared with the bit patterns the estimators
/// produced before the tie rule existed (commit 95e6770, recorded by `printBaseline`).
enum KNNTiesRegression {
  struct Case {
    var name: String
    var run: () throws -> Double
  }

  static func cases() throws -> [Case] {
    let g = try KNNGroundTruth.gaussian1x1(rho: 0.6, n: 3000, seed: 31)
    let d = try KNNGroundTruth.dense5x5(n: 1500, seed: 32)
    let (dx, dy) = (d.x.selectingColumns([0, 1, 2]), d.y.selectingColumns([0, 1]))
    let rng = RandomSource(seed: 33)
    let n = 2000
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
    "dense3x2 brute v1 maximum": 0x3fd49c5ed032f2e0, // 0.32204408962188147
    "dense3x2 tree v1 maximum": 0x3fd49c5ed032f2e0, // 0.32204408962188147
    "gauss1x1 v1 euclidean": 0x3fcaa80304bab300, // 0.2082523129551177
    "dense3x2 brute v1 euclidean": 0x3fd4f21550ae12e0, // 0.32727558974174364
    "dense3x2 tree v1 euclidean": 0x3fd4f21550ae12e0, // 0.32727558974174364
    "gauss1x1 v2 maximum": 0x3fcaa9c9832b1a00, // 0.20830649285035463
    "dense3x2 brute v2 maximum": 0x3fd445ca70371f80, // 0.31675969084289335
    "dense3x2 tree v2 maximum": 0x3fd445ca70371f80, // 0.31675969084289335
    "gauss1x1 v2 euclidean": 0x3fcaa9c9832b1a00, // 0.20830649285035463
    "dense3x2 brute v2 euclidean": 0x3fd4537d7c993880, // 0.3175958363325506
    "dense3x2 tree v2 euclidean": 0x3fd4537d7c993880, // 0.3175958363325506
    "ross maximum": 0x3fd040fa247728e0, // 0.2539658886058884
    "ross k=1 maximum": 0x3fcefe2461663bc0, // 0.24213080173328017
    "ross euclidean": 0x3fcfde7f56bf06e0, // 0.24897758231786948
    "ross k=1 euclidean": 0x3fd002cebbaa4df0, // 0.25017135931668033
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
