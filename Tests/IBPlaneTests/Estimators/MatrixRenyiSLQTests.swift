import Foundation
import Testing
@testable import IBPlaneNumerics
import IBPlane

/// `approx=slq`: deflated stochastic Lanczos quadrature against the exact spectrum.
@Suite struct MatrixRenyiSLQTests {
  typealias R = KernelReference

  /// The estimator with a 256-dimensional deflation space, so that N = 600 leaves a residual
  /// for the probes (the default 512 would hold almost everything).
  static func slq(alpha: Double, probes: Int = 16, steps: Int = 30, seed: UInt64 = 0, stored: Bool = true) -> MatrixRenyiMutualInformation {
    var e = MatrixRenyiMutualInformation(
      alpha: alpha, widthA: .fixed(1.5), widthB: .fixed(1.5), approximation: .slq(probes: probes, steps: steps), seed: seed)
    e.slqDeflation = 256
    if !stored { e.slqStoredLimit = 0 }
    return e
  }

  /// Diagonal A with 10 distinct eigenvalues: with Rademacher probes zᵀ f(A) z = Σ f(λ_i)
  /// exactly, and 12 ≥ 10 Lanczos steps make each probe's Gauss quadrature exact, so S_α is
  /// recovered to rounding with no deflation at all — the rounding of the single-precision
  /// Lanczos and Krylov vectors (`_SingleBasis`): measured 2e-9…4e-9 relative (1e-11 with
  /// Double vectors), bound 5e-8.
  @Test func knownSpectrumIsRecoveredToRounding() throws {
    let n = 200
    var diagonal = (0..<n).map { Double($0 % 10 + 1) }
    let total = diagonal.reduce(0, +)
    diagonal = diagonal.map { $0 / total }
    let q = try _StochasticLanczos.quadrature(order: n, trace: 1, probes: 4, steps: 12, deflation: 0, seed: 3) { x, b, y in
      for i in 0..<n { for j in 0..<b { y[i * b + j] = diagonal[i] * x[i * b + j] } }
    }
    #expect(q.atoms.isEmpty && q.probes.count == 4)
    for alpha in [0.5, 1.0, 1.01, 1.5, 3.0] {
      let (s, se) = MatrixRenyiMutualInformation.entropy(quadratures: [q], alpha: alpha)
      let exact = MatrixRenyiMutualInformation.entropy(eigenvalues: diagonal, alpha: alpha)
      #expect(abs(s - exact) < 5e-8 * exact, "α = \(alpha): \(s) vs \(exact)")
      #expect(se < 1e-11)
    }
    // A block Krylov space as large as the matrix deflates all of it: the atoms are the
    // spectrum (Rayleigh–Ritz on an invariant space) and the probes see nothing.
    let m = 160
    let small = Array(diagonal.prefix(m)).map { $0 * total / diagonal.prefix(m).reduce(0) { $0 + $1 * total } }
    let d = try _StochasticLanczos.quadrature(order: m, trace: 1, probes: 4, steps: 12, deflation: m, seed: 3) { x, b, y in
      for i in 0..<m { for j in 0..<b { y[i * b + j] = small[i] * x[i * b + j] } }
    }
    #expect(d.atoms.count == m)
    let (s, _) = MatrixRenyiMutualInformation.entropy(quadratures: [d], alpha: 1.01)
    let exact = MatrixRenyiMutualInformation.entropy(eigenvalues: small, alpha: 1.01)
    #expect(abs(s - exact) < 5e-8 * exact, "\(s) vs \(exact)")
  }

  /// I_α within 0.5 % of the exact value (the documented bound) on correlated 5-d Gaussians,
  /// with S_α's reported standard error covering the entropies' actual errors.
  @Test(arguments: [1.0, 1.01, 1.5, 3.0])
  func matchesTheExactSpectrum(alpha: Double) throws {
    let (a, b) = R.correlatedPair(n: 600, d: 5, rho: 0.7, seed: 5)
    let exact = try MatrixRenyiMutualInformation(
      alpha: alpha, widthA: .fixed(1.5), widthB: .fixed(1.5), approximation: .exact
    ).estimate(a, b)
    let e = try Self.slq(alpha: alpha).estimate(a, b)
    #expect(e.parameters["method"] == "slq:16:30")
    #expect(R.relativeError(e.nats, exact.nats) < 0.005, "α = \(alpha): slq \(e.nats) vs exact \(exact.nats)")
    let se = try #require(e.diagnostics["slq_standard_error"])
    for key in ["entropy_a", "entropy_b", "joint_entropy"] {
      #expect(abs(e.diagnostics[key]! - exact.diagnostics[key]!) < max(4 * se, 1e-9), "\(key), α = \(alpha), se \(se)")
    }
  }

  /// The matrix-free path (single-precision tiles, `gaussianProductSingle`) holds the same
  /// bound as the stored one.
  @Test(arguments: [1.01, 3.0])
  func matrixFreeMatchesTheExactSpectrum(alpha: Double) throws {
    let (a, b) = R.correlatedPair(n: 600, d: 5, rho: 0.7, seed: 5)
    let exact = try MatrixRenyiMutualInformation(
      alpha: alpha, widthA: .fixed(1.5), widthB: .fixed(1.5), approximation: .exact
    ).estimate(a, b)
    let e = try Self.slq(alpha: alpha, stored: false).estimate(a, b)
    #expect(R.relativeError(e.nats, exact.nats) < 0.005, "α = \(alpha): slq \(e.nats) vs exact \(exact.nats)")
  }

  /// The single-precision Krylov basis (`_SingleBasis`): the deflated Ritz values of a kernel
  /// matrix (Double products, so only the basis storage is single precision) agree with its
  /// exact top eigenvalues to 1e-6 of λ_max, and the Ritz vectors Y are orthonormal to 1e-6.
  @Test func singlePrecisionBasisKeepsRitzValuesAccurate() throws {
    let (a, _) = R.correlatedPair(n: 600, d: 5, rho: 0.7, seed: 5)
    let n = a.rows
    let g = R.gram(a, sigma: 1.5)
    let k = try Matrix<Double>(g.map { $0.map { $0 / Double(n) } })
    let exact = try k.symmetricEigen(vectors: false).values.sorted(by: >)
    let apply: _BlockOperator = { x, w, y in
      Double.gemm(
        transA: false, transB: false, m: Int32(n), n: Int32(w), k: Int32(n), alpha: 1,
        a: k.elements, lda: Int32(n), b: x.baseAddress!, ldb: Int32(w), beta: 0, c: y.baseAddress!, ldc: Int32(w))
    }
    var start = [Double](repeating: 0, count: n * 32)
    let rng = RandomSource(seed: 4)
    for i in start.indices { start[i] = rng.normal() }
    let krylov = try _StochasticLanczos.blockLanczos(order: n, start: start, width: 32, blocks: 8, apply: apply)
    let (y, atoms) = _StochasticLanczos.ritzPairs(krylov, order: n, keep: 192)
    #expect(atoms.count >= 40, "\(atoms.count) converged pairs")
    let top = exact[0]
    for (i, theta) in atoms.prefix(40).enumerated() {
      #expect(abs(theta - exact[i]) < 1e-6 * top, "Ritz value \(i): \(theta) vs \(exact[i])")
    }
    // YᵀY = I to single precision.
    let kk = atoms.count
    var worst = 0.0
    for c in 0..<kk {
      var col = [Double](repeating: 0, count: n * 1)
      for i in 0..<n { col[i] = Double(y.values[i * kk + c]) }
      let gramColumn = col.withUnsafeBufferPointer { y.transposeTimes(columns: kk, $0.baseAddress!, width: 1) }
      for r in 0..<kk { worst = max(worst, abs(gramColumn[r] - (r == c ? 1 : 0))) }
    }
    #expect(worst < 1e-6, "‖YᵀY − I‖_max = \(worst)")
    #expect(worst > 0, "the basis is stored in single precision")
  }

  /// Class labels: the block-diagonal joint kernel, each block estimated with its own probes.
  @Test func classLabelsMatchTheExactBlocks() throws {
    let (a, b) = R.correlatedPair(n: 600, d: 3, rho: 0.8, seed: 8)
    let labels = (0..<600).map { i in a[i, 0] > 0.4 ? 2 : a[i, 0] > -0.4 ? 1 : 0 }
    let ctx = try PlaneContext(inputs: a.converted(to: Float.self), labels: .classes(labels, classCount: 3))
    let layer = b.converted(to: Float.self)
    var exact = MatrixRenyiMutualInformation(widthA: .fixed(1.5), widthB: .fixed(1.5), approximation: .exact)
    let pe = try exact.point(layer: layer, context: ctx)
    let ps = try Self.slq(alpha: 1.01).point(layer: layer, context: ctx)
    #expect(R.relativeError(ps.labelInformation.nats, pe.labelInformation.nats) < 0.005)
    #expect(R.relativeError(ps.inputInformation.nats, pe.inputInformation.nats) < 0.005)
  }

  @Test func sameSeedSameValueOtherSeedOtherValue() throws {
    let (a, b) = R.correlatedPair(n: 600, d: 5, rho: 0.7, seed: 5)
    let first = try Self.slq(alpha: 1.01, probes: 4, steps: 10).estimate(a, b)
    #expect(try Self.slq(alpha: 1.01, probes: 4, steps: 10).estimate(a, b) == first)
    let other = try Self.slq(alpha: 1.01, probes: 4, steps: 10, seed: 9).estimate(a, b)
    #expect(other.nats != first.nats)
    #expect(other.parameters["seed"] == "9")
  }

  /// The matrix-free product (kernel recomputed tile by tile, Double) and the stored
  /// single-precision Gram matrix give the same estimate up to float32 rounding.
  @Test func tiledAndStoredProductsAgree() throws {
    let (a, b) = R.correlatedPair(n: 600, d: 5, rho: 0.7, seed: 5)
    let stored = try Self.slq(alpha: 1.01, probes: 6, steps: 15).estimate(a, b)
    let tiled = try Self.slq(alpha: 1.01, probes: 6, steps: 15, stored: false).estimate(a, b)
    #expect(abs(stored.nats - tiled.nats) < 1e-4, "stored \(stored.nats) vs tiled \(tiled.nats)")
    #expect(stored.nats != tiled.nats)
  }

  @Test func probesAndStepsAreValidated() throws {
    typealias A = MatrixRenyiMutualInformation.Approximation
    #expect(A(parsing: "slq") == .slq(probes: 16, steps: 25))
    #expect(A(parsing: "slq:8") == .slq(probes: 8, steps: 25))
    #expect(A(parsing: "slq:8:25") == .slq(probes: 8, steps: 25))
    #expect(A(parsing: "slq:8:25:3") == nil)
    #expect(A(parsing: "slq:x") == nil)
    #expect(try A(specification: "SLQ:32:60").specification == "slq:32:60")
    for bad in ["slq:1", "slq:257", "slq:8:1", "slq:8:301", "slq:0"] {
      #expect(throws: EstimatorError.self, "\(bad)") { try A(specification: bad) }
    }
    let a = RandomSource(seed: 1).normalMatrix(rows: 50, columns: 2)
    #expect(throws: EstimatorError.self) {
      try MatrixRenyiMutualInformation(approximation: .slq(probes: 1, steps: 30)).estimate(a, a)
    }
    #expect(throws: EstimatorError.self) {
      try MatrixRenyiMutualInformation(approximation: .slq(probes: 8, steps: 1_000)).estimate(a, a)
    }
  }
}
