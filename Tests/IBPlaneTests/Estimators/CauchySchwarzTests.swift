import Foundation
import Testing
import IBPlane

@Suite struct CauchySchwarzTests {
  typealias R = KernelReference

  /// Tiled CS-QMI equals the full-matrix formula to 1e-10 relative, for several tile sizes.
  @Test(arguments: [(300, 64), (1000, 128), (1500, 512), (1500, 1000), (777, 1000)])
  func tiledEqualsFullMatrix(n: Int, tile: Int) throws {
    var (a, b) = R.correlatedPair(n: n, d: 3, rho: 0.6, seed: UInt64(n + tile))
    for k in 0..<a.elements.count { a.elements[k] = 3 * a.elements[k] + 10 }  // off-centre
    b = b.selectingColumns([0, 1])
    let (sa, sb) = (1.7, 0.8)
    let cs = CauchySchwarzMutualInformation(
      widthA: .fixed(sa), widthB: .fixed(sb), engine: TiledKernelSums(tileSize: tile, threads: 2))
    let e = try cs.estimate(a, b)
    let ref = R.csQMI(R.gram(a, sigma: sa), R.gram(b, sigma: sb))
    #expect(R.relativeError(e.nats, ref) < 1e-10, "tiled \(e.nats) vs full \(ref)")
    #expect(e.diagnostics["sigma_a"] == sa && e.diagnostics["sigma_b"] == sb)
    #expect(e.parameters["sigma_a"] == "\(sa)")
  }

  /// The label-kernel path (within-class sums on class subsets) equals the full δ-kernel formula.
  @Test(arguments: [64, 333])
  func classLabelKernelEqualsFullMatrix(tile: Int) throws {
    let n = 1200
    let rng = RandomSource(seed: 17)
    let classes = (0..<n).map { _ in rng.integer(below: 4) }
    var t = rng.normalMatrix(rows: n, columns: 3)
    for i in 0..<n { t[i, 0] += Double(classes[i]) }
    let sigma = 1.3
    let cs = CauchySchwarzMutualInformation(engine: TiledKernelSums(tileSize: tile, threads: 2))
    var partition = [[Int]](repeating: [], count: 4)
    for (i, c) in classes.enumerated() { partition[c].append(i) }
    let e = try cs.classEstimate(t, sigma: sigma, classes: classes, partition: partition)
    let ref = R.csQMI(R.gram(t, sigma: sigma), R.labelGram(classes))
    #expect(R.relativeError(e.nats, ref) < 1e-10, "tiled \(e.nats) vs full \(ref)")
    #expect(e.nats > 0.05)
  }

  /// For independent variables I_CS ≥ 0 and matches its leading-order bias
  /// (1/N)(1/p − 1)(1/q − 1). Measured (seeds 1…5 × N = 400/800/1600, d = 2, σ = 1): the
  /// estimate is 0.80–1.51× the predicted bias (0.0101, 0.0050, 0.0025 nats: it halves as N
  /// doubles); the bound below (0.3×–2.5×) leaves room for seed noise while a real dependence
  /// stands far above it (ρ = 0.5 at N = 800: 0.070 nats = 13× the bias).
  @Test func independentVariablesGiveOnlyTheFiniteSampleBias() throws {
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1), widthB: .fixed(1))
    var means: [Double] = []
    for n in [400, 800, 1600] {
      var total = 0.0
      for seed in 1...5 {
        let (a, b) = R.correlatedPair(n: n, d: 2, rho: 0, seed: UInt64(seed * 1000 + n))
        let e = try cs.estimate(a, b)
        let bias = try #require(e.diagnostics["independence_bias"])
        #expect(e.nats >= 0)
        #expect(e.nats > 0.3 * bias && e.nats < 2.5 * bias, "N=\(n): \(e.nats) vs predicted bias \(bias)")
        total += e.nats
      }
      means.append(total / 5)
    }
    #expect(means[1] < means[0] && means[2] < means[1])
    let (a, b) = R.correlatedPair(n: 800, d: 2, rho: 0.5, seed: 99)
    let dependent = try cs.estimate(a, b)
    #expect(dependent.nats > 5 * dependent.diagnostics["independence_bias"]!)
  }

  @Test func increasesMonotonicallyWithCorrelation() throws {
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1), widthB: .fixed(1))
    var last = -Double.infinity
    for rho in [0.0, 0.2, 0.4, 0.6, 0.8, 0.95] {
      let (a, b) = R.correlatedPair(n: 800, d: 1, rho: rho, seed: 5)
      let v = try cs.estimate(a, b).nats
      #expect(v > last, "ρ = \(rho): \(v) after \(last)")
      last = v
    }
  }

  @Test func invariantToPermutingSamplesAndSwappingVariables() throws {
    let (a, b) = R.correlatedPair(n: 700, d: 2, rho: 0.5, seed: 8)
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1.1), widthB: .fixed(1.1))
    let v = try cs.estimate(a, b).nats
    let p = RandomSource(seed: 3).permutation(700)
    let permuted = try cs.estimate(a.selectingRows(p), b.selectingRows(p)).nats
    let swapped = try cs.estimate(b, a).nats
    #expect(R.relativeError(permuted, v) < 1e-12)
    #expect(R.relativeError(swapped, v) < 1e-12)
    // With rules instead of fixed widths, swapping swaps the widths too.
    let ruled = CauchySchwarzMutualInformation(widthA: .silverman, widthB: .silverman)
    #expect(R.relativeError(try ruled.estimate(b, a).nats, try ruled.estimate(a, b).nats) < 1e-12)
  }

  @Test func normalisedFormIsOneForIdenticalViewsAndMatchesDefinition() throws {
    let (a, b) = R.correlatedPair(n: 500, d: 2, rho: 0.7, seed: 4)
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1), widthB: .fixed(1), normalised: true)
    #expect(abs(try cs.estimate(a, a).nats - 1) < 1e-12)
    let e = try cs.estimate(a, b)
    let ka = R.gram(a, sigma: 1), kb = R.gram(b, sigma: 1)
    let ref = R.csQMI(ka, kb) / (R.csQMI(ka, ka) * R.csQMI(kb, kb)).squareRoot()
    #expect(R.relativeError(e.nats, ref) < 1e-10)
    #expect(e.nats > 0 && e.nats < 1)
  }

  @Test func planePointUsesInputsAndLabelKernel() throws {
    let n = 600
    let rng = RandomSource(seed: 21)
    let classes = (0..<n).map { _ in rng.integer(below: 3) }
    var x = rng.normalMatrix(rows: n, columns: 4)
    for i in 0..<n { x[i, 0] += 2 * Double(classes[i]) }
    let layer = x.selectingColumns([0, 1]).converted(to: Float.self)
    let xf = x.converted(to: Float.self)
    let context = try PlaneContext(inputs: xf, labels: .classes(classes, classCount: 3))
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(2), widthB: .fixed(1))
    let point = try cs.point(layer: layer, context: context)
    let xd = xf.converted(to: Double.self), td = layer.converted(to: Double.self)
    let refXT = R.csQMI(R.gram(xd, sigma: 2), R.gram(td, sigma: 1))
    let refTY = R.csQMI(R.gram(td, sigma: 1), R.labelGram(classes))
    // Float storage: distances carry ~1e-7 relative rounding.
    #expect(R.relativeError(point.inputInformation.nats, refXT) < 1e-5)
    #expect(R.relativeError(point.labelInformation.nats, refTY) < 1e-5)

    let targets = try PlaneContext(inputs: xf, labels: .targets(x.selectingColumns([0]).converted(to: Float.self)))
    let pt = try cs.point(layer: layer, context: targets)
    let refT = R.csQMI(R.gram(td, sigma: 1), R.gram(x.selectingColumns([0]).converted(to: Float.self).converted(to: Double.self), sigma: 1))
    #expect(R.relativeError(pt.labelInformation.nats, refT) < 1e-5)
  }

  @Test func refusesBadInput() throws {
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1), widthB: .fixed(1))
    let a = RandomSource(seed: 1).normalMatrix(rows: 10, columns: 2)
    #expect(throws: EstimatorError.self) { try cs.estimate(a, a.selectingRows(0..<9)) }
    var bad = a
    bad[3, 1] = .nan
    #expect(throws: EstimatorError.nonFinite(what: "Y", row: 3, column: 1)) { try cs.estimate(a, bad) }
    let noInputs = try PlaneContext(inputs: nil, labels: .classes(Array(repeating: 0, count: 10), classCount: 1))
    #expect(throws: EstimatorError.self) { try cs.point(layer: a.converted(to: Float.self), context: noInputs) }
    let bad2 = CauchySchwarzMutualInformation(widthA: .fixed(-1), widthB: .fixed(1))
    #expect(throws: EstimatorError.self) { try bad2.estimate(a, a) }
  }
}
