import Foundation
import Testing
import IBPlane

@Suite struct MatrixRenyiTests {
  typealias R = KernelReference

  @Test func identityHasMaximalEntropyAndRankOneHasNone() throws {
    let n = 64
    // A = I/N: S_α = log₂ N bits for every α.
    for alpha in [0.5, 1.0, 1.01, 2.0, 3.0] {
      let s = MatrixRenyiMutualInformation.entropy(eigenvalues: Array(repeating: 1 / Double(n), count: n), alpha: alpha)
      #expect(abs(InformationUnit.bits.fromNats(s) - 6) < 1e-12)
    }
    // The same from data: far-apart points with a narrow kernel give K = I.
    var spread = Matrix<Double>(rows: n, columns: 1)
    for i in 0..<n { spread[i, 0] = Double(i) * 100 }
    for alpha in [1.01, 2.0] {
      let est = MatrixRenyiMutualInformation(alpha: alpha)
      #expect(abs(InformationUnit.bits.fromNats(try est.entropy(spread, sigma: 1)) - 6) < 1e-9)
    }
    // Rank one: identical rows → K = 11ᵀ, A has the single eigenvalue 1.
    let same = Matrix<Double>(rows: n, columns: 2)
    for alpha in [1.0, 1.01, 2.0] {
      #expect(abs(try MatrixRenyiMutualInformation(alpha: alpha).entropy(same, sigma: 1)) < 1e-9)
    }
    // The single-precision spectrum on the same closed forms (float32 eigenvalue error
    // ~1e-7·λ_max, times 1/(α − 1) = 100: 1e-4, as in float32SpectrumMatchesTheDoubleOne).
    let f32 = MatrixRenyiMutualInformation(alpha: 1.01, approximation: .exactFloat32)
    #expect(abs(InformationUnit.bits.fromNats(try f32.entropy(spread, sigma: 1)) - 6) < 1e-4)
    #expect(abs(try f32.entropy(same, sigma: 1)) < 1e-4)
  }

  @Test func alphaOneIsTheVonNeumannLimit() throws {
    let x = RandomSource(seed: 1).normalMatrix(rows: 300, columns: 2)
    let k = R.gram(x, sigma: 0.8)
    let l = try R.normalisedSpectrum(k).filter { $0 > 0 }
    let vonNeumann = -l.reduce(0) { $0 + $1 * log($1) }
    let s1 = try MatrixRenyiMutualInformation(alpha: 1).entropy(x, sigma: 0.8)
    #expect(R.relativeError(s1, vonNeumann) < 1e-10)
    for eps in [1e-3, 1e-5] {
      let above = try MatrixRenyiMutualInformation(alpha: 1 + eps).entropy(x, sigma: 0.8)
      let below = try MatrixRenyiMutualInformation(alpha: 1 - eps).entropy(x, sigma: 0.8)
      // S_α is decreasing in α with slope O(1) near 1: |S_{1±ε} − S_1| = O(ε).
      #expect(abs(above - vonNeumann) < 10 * eps && abs(below - vonNeumann) < 10 * eps)
      #expect(below > vonNeumann && vonNeumann > above)
    }
  }

  /// Exact eigen path and tiled α = 2 path equal the full-matrix formulas (Gram built plainly).
  @Test(arguments: [(400, 64), (1000, 256), (1500, 1000)])
  func equalsFullMatrixComputation(n: Int, tile: Int) throws {
    let (a, b) = R.correlatedPair(n: n, d: 2, rho: 0.7, seed: UInt64(n))
    let (sa, sb) = (0.9, 1.4)
    let ka = R.gram(a, sigma: sa), kb = R.gram(b, sigma: sb), kab = R.hadamard(ka, kb)
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    for alpha in [1.01, 2.0] {
      let e = try MatrixRenyiMutualInformation(alpha: alpha, widthA: .fixed(sa), widthB: .fixed(sb), engine: engine).estimate(a, b)
      let ha = try R.renyiEntropy(ka, alpha: alpha), hb = try R.renyiEntropy(kb, alpha: alpha)
      let hab = try R.renyiEntropy(kab, alpha: alpha)
      #expect(R.relativeError(e.diagnostics["entropy_a"]!, ha) < 1e-10)
      #expect(R.relativeError(e.diagnostics["joint_entropy"]!, hab) < 1e-10)
      #expect(R.relativeError(e.nats, ha + hb - hab) < 1e-10, "α = \(alpha): \(e.nats) vs \(ha + hb - hab)")
      #expect(e.parameters["method"] == (alpha == 2 ? "tiled-alpha2" : "exact"))
    }
  }

  /// The block-diagonal label-kernel joint equals the full Hadamard product with the δ kernel.
  @Test func classLabelsUseBlockSpectra() throws {
    let n = 500
    let rng = RandomSource(seed: 13)
    let classes = (0..<n).map { _ in rng.integer(below: 3) }
    var x = rng.normalMatrix(rows: n, columns: 3)
    for i in 0..<n { x[i, 0] += 1.5 * Double(classes[i]) }
    let layer = x.selectingColumns([0, 2]).converted(to: Float.self)
    let context = try PlaneContext(inputs: x.converted(to: Float.self), labels: .classes(classes, classCount: 3))
    let t = layer.converted(to: Double.self)
    let kt = R.gram(t, sigma: 1), ky = R.labelGram(classes)
    for alpha in [1.01, 2.0] {
      let est = MatrixRenyiMutualInformation(alpha: alpha, widthA: .fixed(2), widthB: .fixed(1))
      let p = try est.point(layer: layer, context: context)
      let ref = try R.renyiEntropy(kt, alpha: alpha) + R.renyiEntropy(ky, alpha: alpha) - R.renyiEntropy(R.hadamard(kt, ky), alpha: alpha)
      // The layer is Float: GEMM distances carry ~1e-7·‖t‖² rounding, and I is a difference of
      // entropies ~10× larger than itself, so agreement is ~1e-5, not 1e-10.
      #expect(R.relativeError(p.labelInformation.nats, ref) < 1e-4, "α = \(alpha)")
      let refXT = try R.renyiEntropy(R.gram(x.converted(to: Float.self).converted(to: Double.self), sigma: 2), alpha: alpha)
        + R.renyiEntropy(kt, alpha: alpha)
        - R.renyiEntropy(R.hadamard(R.gram(x.converted(to: Float.self).converted(to: Double.self), sigma: 2), kt), alpha: alpha)
      #expect(R.relativeError(p.inputInformation.nats, refXT) < 1e-4)
    }
  }

  /// On the activations of a random tanh network: 0 ≤ I_α ≤ min(S_α(A), S_α(B)), and deeper
  /// layers carry no more information about X (data processing holds for this functional).
  @Test func informationIsBoundedByEachEntropyOnActivations() throws {
    let rng = RandomSource(seed: 31)
    let n = 800
    let x = rng.normalMatrix(rows: n, columns: 12)
    func layer(_ input: Matrix<Double>, width: Int) throws -> Matrix<Double> {
      var w = rng.normalMatrix(rows: input.columns, columns: width)
      for k in 0..<w.elements.count { w.elements[k] /= Double(input.columns).squareRoot() }
      var h = try input.multiplied(by: w)
      for k in 0..<h.elements.count { h.elements[k] = tanh(2 * h.elements[k]) }
      return h
    }
    let t1 = try layer(x, width: 8)
    let t2 = try layer(t1, width: 3)
    for alpha in [1.01, 2.0] {
      for t in [t1, t2] {
        let e = try MatrixRenyiMutualInformation(alpha: alpha, widthA: .silverman, widthB: .silverman).estimate(x, t)
        let ha = e.diagnostics["entropy_a"]!, hb = e.diagnostics["entropy_b"]!
        #expect(e.nats > 0)
        #expect(e.nats <= min(ha, hb) + 1e-12, "α = \(alpha): I = \(e.nats), S(A) = \(ha), S(B) = \(hb)")
      }
    }
  }

  /// Nyström error against the exact value (N = 1,500 here; N = 4,096 in `ibplane-bench renyi-nystrom`:
  /// with the moment-matched tail, m = 1,000 gives +0.65 % on 2-d Gaussians and −4.0 % on 12-d
  /// inputs vs a tanh layer, m = 2,000 gives +0.13 % / −0.47 %). Smooth low-dimensional kernels
  /// have fast-decaying spectra, so m = 800 of 1,500 is well inside the 5 % bound used here.
  @Test func nystromAndSubsampleApproximateTheExactValue() throws {
    let (a, b) = R.correlatedPair(n: 1500, d: 2, rho: 0.8, seed: 3)
    let exact = try MatrixRenyiMutualInformation(widthA: .fixed(1), widthB: .fixed(1), approximation: .exact).estimate(a, b)
    let nystrom = MatrixRenyiMutualInformation(widthA: .fixed(1), widthB: .fixed(1), approximation: .nystrom(landmarks: 800), seed: 1)
    let nys = try nystrom.estimate(a, b)
    #expect(try nystrom.estimate(a, b) == nys)
    #expect(R.relativeError(nys.nats, exact.nats) < 0.05, "nyström \(nys.nats) vs exact \(exact.nats)")
    #expect(abs(nys.diagnostics["entropy_a"]! - exact.diagnostics["entropy_a"]!) < 1e-3)
    #expect(exact.diagnostics["nystrom_missing_trace"] == nil)
    let missing = try #require(nys.diagnostics["nystrom_missing_trace"])
    #expect(missing >= 0 && missing < 0.05)
    let sub = try MatrixRenyiMutualInformation(widthA: .fixed(1), widthB: .fixed(1), approximation: .subsample(size: 500, repeats: 3)).estimate(a, b)
    #expect(sub.nats > 0 && sub.parameters["method"] == "subsample:500:3")
  }

  /// The single-precision spectrum (the automatic method between `exactLimit` and
  /// `exactFloat32Limit`) against the Double one. Float32 eigenvalues carry absolute errors of
  /// order u_f · λ_max ≈ 1e-7 · λ_max; S_α at α = 1.01 multiplies the error of Σλ^α by
  /// 1/(α − 1) = 100, so I_α (a difference of three entropies) is expected within ~1e-4 nats.
  /// Measured here: 1e-5 relative (N = 2,000, `ibplane-bench kernel-estimators`; 1.1e-5).
  @Test func float32SpectrumMatchesTheDoubleOne() throws {
    let (a, b) = R.correlatedPair(n: 1200, d: 5, rho: 0.6, seed: 4)
    let exact = try MatrixRenyiMutualInformation(widthA: .fixed(2), widthB: .fixed(2), approximation: .exact).estimate(a, b)
    let auto = MatrixRenyiMutualInformation(widthA: .fixed(2), widthB: .fixed(2), exactLimit: 1000, exactFloat32Limit: 1500)
    let f32 = try auto.estimate(a, b)
    #expect(f32.parameters["method"] == "exact-float32")
    #expect(exact.parameters["method"] == "exact")
    #expect(abs(f32.nats - exact.nats) < 1e-4, "float32 \(f32.nats) vs double \(exact.nats)")
    #expect(abs(f32.diagnostics["joint_entropy"]! - exact.diagnostics["joint_entropy"]!) < 1e-4)
    // Class labels: block spectra in single precision.
    let labels = (0..<1200).map { $0 % 3 }
    let ctx = try PlaneContext(inputs: a.converted(to: Float.self), labels: .classes(labels, classCount: 3))
    let pd = try MatrixRenyiMutualInformation(widthA: .fixed(2), widthB: .fixed(2), approximation: .exact)
      .point(layer: b.converted(to: Float.self), context: ctx)
    let pf = try auto.point(layer: b.converted(to: Float.self), context: ctx)
    #expect(abs(pd.labelInformation.nats - pf.labelInformation.nats) < 1e-4)
    #expect(abs(pd.inputInformation.nats - pf.inputInformation.nats) < 1e-4)
    // Above the float32 limit the automatic method is stochastic Lanczos quadrature.
    let small = MatrixRenyiMutualInformation(widthA: .fixed(2), widthB: .fixed(2), exactLimit: 100, exactFloat32Limit: 200)
    #expect(try small.estimate(a, b).parameters["method"] == "slq:16:25")
    #expect(MatrixRenyiMutualInformation.Approximation(parsing: "exact-float32") == .exactFloat32)
  }

  @Test func refusesBadParametersAndOversizedExact() throws {
    let a = RandomSource(seed: 1).normalMatrix(rows: 50, columns: 2)
    #expect(throws: EstimatorError.self) { try MatrixRenyiMutualInformation(alpha: 0).estimate(a, a) }
    #expect(throws: EstimatorError.self) { try MatrixRenyiMutualInformation(alpha: .nan).estimate(a, a) }
    #expect(throws: EstimatorError.self) {
      try MatrixRenyiMutualInformation(approximation: .exact, exactLimit: 40).estimate(a, a)
    }
    #expect(MatrixRenyiMutualInformation.Approximation(parsing: "nystrom:300") == .nystrom(landmarks: 300))
    #expect(MatrixRenyiMutualInformation.Approximation(parsing: "subsample:200") == .subsample(size: 200, repeats: 5))
    #expect(MatrixRenyiMutualInformation.Approximation(parsing: "nystrom") == nil)
    let noInputs = try PlaneContext(inputs: nil, labels: .classes(Array(repeating: 0, count: 50), classCount: 1))
    #expect(throws: EstimatorError.self) { try MatrixRenyiMutualInformation().point(layer: a.converted(to: Float.self), context: noInputs) }
  }
}
