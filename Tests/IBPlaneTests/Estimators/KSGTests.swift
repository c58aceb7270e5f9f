import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// KSG 1 and 2 against closed-form MI (N = 10,000), independence, exact symmetry, and equality
/// with the scikit-learn-based reference in `bench/ksg_reference.py`.
///
/// Tolerances per task, from KSG's known behaviour (Kraskov et al. 2004, figs. 4–6 and 13;
/// Czyż et al. 2023) and its standard deviation ≈ 0.01–0.02 nats at N = 10⁴ in low dimension:
/// - Gaussian 1×1, ρ = 0.75 (0.413 nats) and its asinh / half-cube transform: bias ≈ 0 in 1+1
///   dimensions; |Î − I| < 0.03 nats (≈ 2–3 standard deviations).
/// - Dense 5×5 (0.593 nats): downward bias of a few % in 10 joint dimensions; within 10 %.
/// - Uniform additive noise ε = 0.1 (1.709 nats): the ε-boxes straddle the sharp edges of the
///   noise density, a downward bias of ~1 %; within 5 %.
/// - Sparse 2-pair 10×10 (1.022 nats) and Student-t 2×2 ν = 2 (0.193 nats): KSG is known to
///   fail these at N = 10⁴ (18 independent coordinates dominate the max-norm; heavy tails
///   spread the ε-boxes). Measured 0.42 and 0.12 nats, matching the scikit-learn reference on
///   independent samples (0.425 and 0.127). They are recorded as known issues against BMI's
///   floor |log(Î/I)| < log 1.5; the Student-t task passes the floor after the
///   coordinate-wise asinh (an injective map, MI unchanged — BMI's own remedy).
@Suite struct KSGTests {
  static let n = 10_000

  static func estimates(_ t: KNNGroundTruth.Task) throws -> [Double] {
    [try KSGEstimator().estimate(t.x, t.y).nats, try KSGEstimator(variant: .two).estimate(t.x, t.y).nats]
  }

  @Test func gaussian1x1() throws {
    let t = try KNNGroundTruth.gaussian1x1(rho: 0.75, n: Self.n, seed: 11)
    for v in try Self.estimates(t) { #expect(abs(v - t.mutualInformation) < 0.03, "\(v) vs \(t.mutualInformation)") }
  }

  @Test func transformedGaussian() throws {
    let t = try KNNGroundTruth.transformed(n: Self.n, seed: 15)
    for v in try Self.estimates(t) { #expect(abs(v - t.mutualInformation) < 0.03, "\(v) vs \(t.mutualInformation)") }
  }

  @Test func dense5x5() throws {
    let t = try KNNGroundTruth.dense5x5(n: Self.n, seed: 12)
    for v in try Self.estimates(t) {
      #expect(abs(v / t.mutualInformation - 1) < 0.10, "\(v) vs \(t.mutualInformation)")
      #expect(KNNGroundTruth.withinBMIFactor(v, t.mutualInformation))
    }
  }

  @Test func uniformAdditiveNoise() throws {
    let t = KNNGroundTruth.uniformAdditive(epsilon: 0.1, n: Self.n, seed: 16)
    for v in try Self.estimates(t) { #expect(abs(v / t.mutualInformation - 1) < 0.05, "\(v) vs \(t.mutualInformation)") }
  }

  @Test func studentT() throws {
    var t = try KNNGroundTruth.studentT(nu: 2, n: Self.n, seed: 14)
    let raw = try KSGEstimator().estimate(t.x, t.y).nats
    #expect(raw > 0 && raw < t.mutualInformation, "KSG's bias on heavy tails is downward: \(raw)")
    withKnownIssue("KSG-1 underestimates Student-t ν = 2 at N = 10⁴ (≈ 0.12 vs 0.193 nats; scikit-learn agrees)") {
      #expect(KNNGroundTruth.withinBMIFactor(raw, t.mutualInformation))
    }
    // The rank-Gauss preprocessing (empirical copula → normal quantiles, per coordinate; MI is
    // invariant under it) is the estimator-side fix: within BMI's factor for both variants.
    for variant in [KSGEstimator.Variant.one, .two] {
      let e = try KSGEstimator(variant: variant, preprocessing: .rankGauss).estimate(t.x, t.y)
      #expect(KNNGroundTruth.withinBMIFactor(e.nats, t.mutualInformation), "rank-gauss v\(variant.rawValue): \(e.nats) vs \(t.mutualInformation)")
      #expect(e.parameters["preprocessing"] == "rank-gauss")
    }
    for i in 0..<t.x.elements.count { t.x.elements[i] = _math_log(t.x.elements[i] + (t.x.elements[i] * t.x.elements[i] + 1).squareRoot()) }
    for i in 0..<t.y.elements.count { t.y.elements[i] = _math_log(t.y.elements[i] + (t.y.elements[i] * t.y.elements[i] + 1).squareRoot()) }
    for v in try Self.estimates(t) {
      #expect(KNNGroundTruth.withinBMIFactor(v, t.mutualInformation), "after asinh: \(v) vs \(t.mutualInformation)")
    }
  }

  @Test func sparse2Pair10x10() throws {
    let t = try KNNGroundTruth.twoPair10x10(n: Self.n, seed: 13)
    let v = try KSGEstimator().estimate(t.x, t.y).nats
    #expect(v > 0 && v < t.mutualInformation, "KSG's bias in high dimension is downward: \(v)")
    withKnownIssue("KSG-1 underestimates the sparse 10×10 task at N = 10⁴ (≈ 0.42 vs 1.02 nats; scikit-learn agrees)") {
      #expect(KNNGroundTruth.withinBMIFactor(v, t.mutualInformation))
    }
  }

  /// Independent 3×3 Gaussians: the estimate is centred on 0 with sd ≈ 0.005 nats at N = 5,000.
  @Test func independenceGivesNearZeroAndRawNegativesAreFlagged() throws {
    let rng = RandomSource(seed: 21)
    let x = rng.normalMatrix(rows: 5000, columns: 3)
    let y = rng.normalMatrix(rows: 5000, columns: 3)
    for variant in [KSGEstimator.Variant.one, .two] {
      let e = try KSGEstimator(variant: variant).estimate(x, y)
      #expect(abs(e.nats) < 0.02, "\(variant): \(e.nats)")
      #expect(e.diagnostics["negative"] == (e.nats < 0 ? 1 : 0))
    }
  }

  /// A constant column (a dead ReLU unit) adds 0 to every distance: the estimate equals the one
  /// without it, exactly; the entropy estimator refuses it (its differential entropy is −∞).
  @Test func constantColumnIsIgnoredByMIAndRefusedByEntropy() throws {
    let t = try KNNGroundTruth.dense5x5(n: 2000, seed: 6)
    var withDead = Matrix<Double>(rows: t.y.rows, columns: t.y.columns + 1)
    for i in 0..<t.y.rows { for j in 0..<t.y.columns { withDead[i, j] = t.y[i, j] } }
    for i in 0..<t.y.rows { withDead[i, t.y.columns] = 0.25 }
    for variant in [KSGEstimator.Variant.one, .two] {
      let e = KSGEstimator(variant: variant)
      #expect(try e.estimate(t.x, withDead).nats == e.estimate(t.x, t.y).nats)
    }
    #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy().estimate(withDead, withDead) }
  }

  @Test func symmetryIsExact() throws {
    let t = try KNNGroundTruth.dense5x5(n: 3000, seed: 5)
    let (x, y) = (t.x.selectingColumns([0, 1, 2]), t.y)
    for variant in [KSGEstimator.Variant.one, .two] {
      for metric in NearestNeighbors.Metric.allCases {
        let e = KSGEstimator(variant: variant, metric: metric)
        #expect(try e.estimate(x, y).nats == e.estimate(y, x).nats)
      }
    }
  }

  /// The engine changes nothing but speed: KSG 1 and 2 through the box bitsets (shared joint
  /// structure for kNN and both marginal counts) equal the k-d tree's bit for bit.
  @Test func engineChoiceDoesNotChangeTheEstimate() throws {
    let t = try KNNGroundTruth.dense5x5(n: 3000, seed: 8)
    for variant in [KSGEstimator.Variant.one, .two] {
      let tree = try KSGEstimator(variant: variant, algorithm: .kdTree).estimate(t.x, t.y)
      let box = try KSGEstimator(variant: variant, algorithm: .boxBitsets).estimate(t.x, t.y)
      #expect(box.nats == tree.nats)
      #expect(box.parameters["algorithm"] == "box-bitsets")
      #expect(box.diagnostics["mean_nx"] == tree.diagnostics["mean_nx"])
    }
  }

  @Test func jitterIsRecordedAndSeeded() throws {
    var x = Matrix<Double>(rows: 400, columns: 1)
    var y = Matrix<Double>(rows: 400, columns: 1)
    for i in 0..<400 { x[i, 0] = Double(i % 7); y[i, 0] = Double((i % 7) / 2) }  // heavy ties
    let e = KSGEstimator(jitterScale: 1e-10, seed: 3)
    let a = try e.estimate(x, y)
    #expect(a == (try e.estimate(x, y)))
    #expect(a.parameters["jitter"] == "1e-10 (seed 3)")
    #expect((try KSGEstimator().estimate(x, y)).parameters["jitter"] == "off")
  }

  @Test func badInputIsRefused() throws {
    let x = try Matrix<Double>([[1], [2], [3], [4], [5]])
    let y3 = try Matrix<Double>([[1], [2], [3]])
    #expect(throws: EstimatorError.self) { try KSGEstimator().estimate(x, y3) }
    #expect(throws: EstimatorError.self) { try KSGEstimator(k: 0).estimate(x, x) }
    #expect(throws: EstimatorError.self) { try KSGEstimator(k: 5).estimate(x, x) }
    let nan = try Matrix<Double>([[1], [.nan], [3], [4], [5]])
    #expect(throws: EstimatorError.nonFinite(what: "Y", row: 1, column: 0)) { try KSGEstimator().estimate(x, nan) }
  }

  // MARK: Equality with the scikit-learn-based reference

  static func reference(_ x: Matrix<Double>, _ y: Matrix<Double>, k: Int, variant: Int) throws -> Double? {
    let dir = try TemporaryDirectory("ksgref")
    defer { dir.remove() }
    let fx = dir.file("x.npy"), fy = dir.file("y.npy")
    try NumPyFile.write(NumPyArray(x), to: fx)
    try NumPyFile.write(NumPyArray(y), to: fy)
    let obj: [String: Any] = try Oracles.json(
      file: Repository.file("bench/ksg_reference.py"), arguments: [fx.path, fy.path, "\(k)", "\(variant)"])
    return (obj["mi"] as? NSNumber)?.doubleValue
  }

  @Test(.requires(.numpy, .scipy, .scikitLearn), arguments: [(1, 1, 3), (2, 3, 3), (5, 5, 5)])
  func equalsScikitLearnReference(dx: Int, dy: Int, k: Int) throws {
    var c = Matrix<Double>(rows: dx + dy, columns: dx + dy)
    for i in 0..<(dx + dy) { for j in 0..<(dx + dy) { c[i, j] = i == j ? 1 : 0.4 } }
    let z = try KNNGroundTruth.gaussian(covariance: c, n: 4000, seed: UInt64(dx * 10 + dy))
    let (x, y) = KNNGroundTruth.split(z, dx)
    for variant in [1, 2] {
      let ours = try KSGEstimator(variant: variant == 1 ? .one : .two, k: k, preprocessing: .none).estimate(x, y).nats
      let ref = try #require(try Self.reference(x, y, k: k, variant: variant))
      #expect(abs(ours - ref) < 1e-9, "variant \(variant): ours \(ours), reference \(ref)")
    }
  }
}
