import Foundation
import Testing

import IBPlane

@Suite struct KDEBoundsTests {
  /// Exact differential entropy (nats) of (1/N) Σ_i N(c_i, σ²I) in 1-D or 2-D by the trapezoid
  /// rule on a grid reaching 12σ past the centres (the integrand is smooth and decays like a
  /// Gaussian, so the grid error is far below the 1e-4 margins used).
  func mixtureEntropy(_ centres: [[Double]], variance: Double, steps: Int) -> Double {
    let d = centres[0].count
    let s = variance.squareRoot()
    let norm = pow(2 * Double.pi * variance, -Double(d) / 2) / Double(centres.count)
    func density(_ p: [Double]) -> Double {
      var total = 0.0
      for c in centres {
        var r2 = 0.0
        for k in 0..<d { r2 += (p[k] - c[k]) * (p[k] - c[k]) }
        total += exp(-r2 / (2 * variance))
      }
      return total * norm
    }
    func integrand(_ p: [Double]) -> Double {
      let f = density(p)
      return f > 0 ? -f * log(f) : 0
    }
    let lo = (0..<d).map { k in centres.map { $0[k] }.min()! - 12 * s }
    let hi = (0..<d).map { k in centres.map { $0[k] }.max()! + 12 * s }
    let h = (0..<d).map { (hi[$0] - lo[$0]) / Double(steps) }
    var total = 0.0
    if d == 1 {
      for i in 0...steps {
        let w = (i == 0 || i == steps) ? 0.5 : 1.0
        total += w * integrand([lo[0] + Double(i) * h[0]])
      }
      return total * h[0]
    }
    for i in 0...steps {
      let wi = (i == 0 || i == steps) ? 0.5 : 1.0
      for j in 0...steps {
        let wj = (j == 0 || j == steps) ? 0.5 : 1.0
        total += wi * wj * integrand([lo[0] + Double(i) * h[0], lo[1] + Double(j) * h[1]])
      }
    }
    return total * h[0] * h[1]
  }

  @Test func boundsBracketExactMixtureEntropyIn1D() throws {
    let centres: [[Double]] = [[0], [0.3], [1], [2.5], [2.6], [4]]
    for variance in [0.01, 0.1, 0.5] {
      let exact = mixtureEntropy(centres, variance: variance, steps: 200_000)
      let b = try KDEEntropyBounds.compute(Matrix(centres), noiseVariance: variance)
      #expect(b.lowerNats <= exact + 1e-6, "σ² = \(variance): lower \(b.lowerNats) vs exact \(exact)")
      #expect(exact <= b.upperNats + 1e-6, "σ² = \(variance): exact \(exact) vs upper \(b.upperNats)")
      #expect(b.upperNats - b.lowerNats > 1e-3)  // the bracket is not trivially tight here
    }
  }

  @Test func boundsBracketExactMixtureEntropyIn2D() throws {
    let centres: [[Double]] = [[0, 0], [0.4, 0.1], [1, 1], [-0.5, 0.8], [2, -0.3]]
    let variance = 0.1
    let exact = mixtureEntropy(centres, variance: variance, steps: 700)
    let b = try KDEEntropyBounds.compute(Matrix(centres), noiseVariance: variance)
    #expect(b.lowerNats <= exact + 1e-5 && exact <= b.upperNats + 1e-5, "\(b.lowerNats) ≤ \(exact) ≤ \(b.upperNats)")
  }

  @Test func boundsAreTightForSeparatedOrCoincidentComponents() throws {
    // Far apart: H = ln N + (d/2) ln(2πeσ²) exactly (up to e^{-huge}); all equal: H = (d/2) ln(2πeσ²).
    let far = try Matrix<Double>([[0, 0], [100, 0], [0, 100]])
    let b = try KDEEntropyBounds.compute(far, noiseVariance: 0.1)
    #expect(abs(b.upperNats - (log(3.0) + b.noiseEntropyNats)) < 1e-12)
    #expect(abs(b.lowerNats - (log(3.0) + b.noiseEntropyNats)) < 1e-12)
    let same = try Matrix<Double>([[1, 2], [1, 2], [1, 2]])
    let c = try KDEEntropyBounds.compute(same, noiseVariance: 0.1)
    #expect(abs(c.upperNats - c.noiseEntropyNats) < 1e-12 && abs(c.lowerNats - c.noiseEntropyNats) < 1e-12)
  }

  @Test func engineAgreesWithTheDirectDoubleSum() throws {
    let x = RandomSource(seed: 8).normalMatrix(rows: 70, columns: 3)
    let variance = 0.3
    let b = try KDEEntropyBounds.compute(x, noiseVariance: variance, engine: TiledKernelSums(tileSize: 16, threads: 2))
    var kl = 0.0
    var bha = 0.0
    for i in 0..<70 {
      var s1 = 0.0
      var s2 = 0.0
      for j in 0..<70 {
        var d2 = 0.0
        for k in 0..<3 { d2 += (x[i, k] - x[j, k]) * (x[i, k] - x[j, k]) }
        s1 += exp(-d2 / (2 * variance)) / 70
        s2 += exp(-d2 / (8 * variance)) / 70
      }
      kl -= log(s1) / 70
      bha -= log(s2) / 70
    }
    let base = 1.5 + 1.5 * log(2 * Double.pi * variance)
    #expect(abs(b.upperNats - (base + kl)) < 1e-10)
    #expect(abs(b.lowerNats - (base + bha)) < 1e-10)
  }

  @Test func lowerNeverExceedsUpper() throws {
    for seed in 0..<30 {
      let rng = RandomSource(seed: UInt64(seed))
      let n = 2 + rng.integer(below: 60)
      let d = 1 + rng.integer(below: 5)
      let variance = pow(10, rng.uniform(-3, 1))
      let x = rng.normalMatrix(rows: n, columns: d)
      let b = try KDEEntropyBounds.compute(x, noiseVariance: variance)
      #expect(b.lowerNats <= b.upperNats + 1e-12, "seed \(seed)")
    }
  }

  @Test func planeCoordinatesAndLimits() throws {
    let n = 300
    let rng = RandomSource(seed: 9)
    let layer = rng.normalMatrix(rows: n, columns: 3).converted(to: Float.self)
    let labels = Labels.classes((0..<n).map { $0 % 3 }, classCount: 3)
    let ctx = try PlaneContext(inputs: nil, labels: labels)
    let p = try KDEEstimator(noiseVariance: 0.1).point(layer: layer, context: ctx)
    #expect(p.inputInformation.nats <= log(Double(n)) + 1e-12)
    #expect(p.inputInformation.lowerNats! <= p.inputInformation.upperNats!)
    #expect(p.inputInformation.nats == p.inputInformation.upperNats)
    // Tiny noise: every sample distinguishable, I(X;T) → ln N, I(T;Y) → H(Y) = ln 3.
    let q = try KDEEstimator(noiseVariance: 1e-8).point(layer: layer, context: ctx)
    #expect(abs(q.inputInformation.nats - log(Double(n))) < 1e-6)
    #expect(abs(q.labelInformation.nats - log(3.0)) < 1e-6)
    // The lower bound is selectable.
    let r = try KDEEstimator(noiseVariance: 0.1, bound: .lower).point(layer: layer, context: ctx)
    #expect(r.inputInformation.nats == p.inputInformation.lowerNats)
    #expect(KDEEstimator().name == "kde" && KDEEstimator().parameterDescription == "sigma2=0.1,bound=upper")
    #expect(throws: EstimatorError.self) { try KDEEstimator(noiseVariance: 0).point(layer: layer, context: ctx) }
  }

  @Test func generalEstimateTakesADiscreteClassColumn() throws {
    let n = 200
    let rng = RandomSource(seed: 10)
    var a = rng.normalMatrix(rows: n, columns: 2)
    let y = (0..<n).map { Double($0 % 2) }
    for i in 0..<n { a[i, 0] += 50 * y[i] }  // classes far apart: I(A;Y) = ln 2
    let e = try KDEEstimator(noiseVariance: 0.1).estimate(a, Matrix(column: y))
    #expect(abs(e.nats - log(2.0)) < 1e-9)
    #expect(e.diagnostics["classes"] == 2)
  }

  @Test func adaptiveKDEScalesNoiseToTheLayerRange() throws {
    let n = 256
    let rng = RandomSource(seed: 12)
    var raw = rng.normalMatrix(rows: n, columns: 2)
    for k in 0..<raw.elements.count { raw.elements[k] = tanh(raw.elements[k]) }
    let m = raw.elements.map(abs).max()!
    let labels = Labels.classes((0..<n).map { $0 % 2 }, classCount: 2)
    let ctx = try PlaneContext(inputs: nil, labels: labels)
    let layer = raw.converted(to: Float.self)
    let maxAbs = Double(layer.elements.map(abs).max()!)
    #expect(abs(maxAbs - m) < 1e-6)
    let a = try AdaptiveKDEEstimator(noiseVarianceScale: 0.1).point(layer: layer, context: ctx)
    let k = try KDEEstimator(noiseVariance: 0.1 * maxAbs).point(layer: layer, context: ctx)
    #expect(a.inputInformation.nats == k.inputInformation.nats)
    #expect(a.labelInformation.nats == k.labelInformation.nats)
    #expect(a.inputInformation.diagnostics["max_abs_activation"] == maxAbs)
    let dead = Matrix<Float>(rows: n, columns: 2)
    let z = try AdaptiveKDEEstimator().point(layer: dead, context: ctx)
    #expect(z.inputInformation.nats == 0 && z.labelInformation.nats == 0)
    #expect(AdaptiveKDEEstimator().name == "adaptive-kde")
  }

  /// The plane's shared KDE pass (one kernel pass for a layer's KDE and adaptive-KDE jobs)
  /// gives each estimator's own point bit for bit, and leaves out whatever `point` would handle
  /// otherwise (a dead layer for adaptive KDE, an invalid σ², another tile size).
  @Test func sharedKDEPassEqualsEachPoint() throws {
    let n = 700  // more than one 512-column block: the running minima are rescaled per γ
    let rng = RandomSource(seed: 21)
    var layer = rng.normalMatrix(rows: n, columns: 4).converted(to: Float.self)
    for k in layer.elements.indices { layer.elements[k] = tanh(layer.elements[k]) }
    for i in 0..<40 { for k in 0..<4 { layer[i, k] = 1 } }  // saturated units: exact duplicates
    let ctx = try PlaneContext(inputs: nil, labels: .classes((0..<n).map { ($0 * 7) % 3 }, classCount: 3))
    let family: [InformationPlaneEstimator] = try [
      KDEEstimator(), GaussianPlaneEstimator(), AdaptiveKDEEstimator(), KDEEstimator(noiseVariance: 0.02, bound: .lower),
      AdaptiveKDEEstimator(noiseVarianceScale: 0.3, bound: .lower), KDEEstimator(noiseVariance: 0.1, engine: TiledKernelSums(tileSize: 100)),
      KDEEstimator(noiseVariance: -1),
    ]
    let shared = _KDEPlane.sharedPoints(family, layer: layer, context: ctx)
    #expect(Set(shared.keys) == [0, 2, 3, 4])
    for (k, p) in shared { #expect(try p == family[k].point(layer: layer, context: ctx), "estimator \(k)") }
    // Compared through the bits as well (== on Double would let −0 and +0 pass).
    let alone = try AdaptiveKDEEstimator().point(layer: layer, context: ctx)
    #expect(shared[2]?.inputInformation.nats.bitPattern == alone.inputInformation.nats.bitPattern)
    #expect(shared[2]?.labelInformation.nats.bitPattern == alone.labelInformation.nats.bitPattern)
    // A dead layer: adaptive KDE's zero point is its own; one KDE estimator left is not shared.
    let dead = Matrix<Float>(rows: n, columns: 4)
    #expect(_KDEPlane.sharedPoints(family, layer: dead, context: ctx).keys.sorted() == [0, 3])
    #expect(_KDEPlane.sharedPoints([KDEEstimator(), try GaussianPlaneEstimator()], layer: layer, context: ctx).isEmpty)
  }
}
