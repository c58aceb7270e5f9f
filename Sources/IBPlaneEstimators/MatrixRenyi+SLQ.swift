import Foundation
import IBPlaneCore
import IBPlaneNumerics

// Matrix-based Rényi entropy by deflated stochastic Lanczos quadrature (`approx=slq:p:m`):
// S_α(A) from an estimate of tr f(A), f(λ) = λ^α (−λ log λ at α = 1), without an
// eigen-decomposition of A. The method and its error are documented on
// `MatrixRenyiMutualInformation` (see "slq"); the quadrature is `_StochasticLanczos`.

extension EstimatorParameterRange {
  /// p of `approx=slq:p[:m]`: Rademacher probes (time and memory grow linearly in p).
  public static let slqProbes: ClosedRange<Int> = 2...256
  /// m of `approx=slq:p:m`: Lanczos steps per probe (full reorthogonalisation: O(N·p·m²)).
  public static let slqSteps: ClosedRange<Int> = 2...300
}

extension MatrixRenyiMutualInformation {
  /// Default probe count and Lanczos steps of `approx=slq`.
  public static let slqDefaultProbes = 16
  public static let slqDefaultSteps = 25

  /// S_α of the kernel `views` (times the label kernel) by deflated SLQ. With labels, each
  /// class block is estimated separately (its own seeded probes) and the traces are summed;
  /// blocks of at most `slqDeflation` rows — no larger than the Krylov space that would be
  /// built — are decomposed exactly. The Gram matrix is stored in single precision when
  /// N ≤ `slqStoredLimit` (4N² bytes; products by `cblas_sgemm`), else every product is
  /// recomputed tile by tile in single precision (`TiledKernelSums.gaussianProductSingle`,
  /// O(N·(tile + p)) memory).
  func slqEntropy<S: BLASScalar>(
    _ views: [_KernelView<S>], labels: [Int]?, n: Int, probes: Int, steps: Int, report: _SpectrumReport?
  ) throws -> Double {
    let blocks = labels.map(_MatrixRenyiKernels.classBlocks)
    var parts: [_SpectralQuadrature] = []
    for (index, rows) in (blocks ?? [[]]).enumerated() {
      let sub = blocks == nil ? views : views.map { _KernelView(data: $0.data.selectingRows(rows), gamma: $0.gamma) }
      let m = sub[0].data.rows
      if m <= slqDeflation {
        var k = try _MatrixRenyiKernels.gram(sub, as: Double.self, engine: engine)
        let values = try Matrix.symmetricEigenvalues(consuming: &k).map { Swift.max(0, $0 / Double(n)) }
        parts.append(_SpectralQuadrature(atoms: values))
        continue
      }
      let blockSeed = blocks == nil ? seed : RandomSource(seed: seed).derivedSeed(index)
      let scale = 1 / Double(n)
      let trace = Double(m) / Double(n)
      if m <= slqStoredLimit {
        let plans = sub.map { _DistancePlan(rows: $0.data, columns: $0.data) }
        guard m.multipliedReportingOverflow(by: m).overflow == false else { throw NumericsError.tooLarge("a \(m)×\(m) kernel matrix") }
        var k = Matrix<Float>(rows: m, columns: m)
        try k.elements.withUnsafeMutableBufferPointer { try engine.gaussianGram(plans, gammas: sub.map(\.gamma), into: $0) }
        parts.append(
          try _StochasticLanczos.quadrature(
            order: m, trace: trace, probes: probes, steps: steps, deflation: slqDeflation, seed: blockSeed
          ) { x, b, y in try Self.storedProduct(k, scale: scale, x, width: b, into: y, threads: engine.threads) })
      } else {
        let plan = try _KernelExponentPlan(views: sub.map { ($0.data, $0.gamma) })
        parts.append(
          try _StochasticLanczos.quadrature(
            order: m, trace: trace, probes: probes, steps: steps, deflation: slqDeflation, seed: blockSeed
          ) { x, b, y in try engine.gaussianProductSingle(plan, scale: scale, x, width: b, into: y) })
      }
    }
    let (entropy, standardError) = Self.entropy(quadratures: parts, alpha: alpha)
    report?.record(slqStandardError: standardError)
    return entropy
  }

  /// Y = s·K·X for the stored single-precision K (N×N) and a Double block X (N×b): X is
  /// rounded to Float, the product is `cblas_sgemm` on fixed slabs of 256 rows (one worker
  /// each, so the result does not depend on the thread count), and Y is widened to Double.
  static func storedProduct(
    _ k: Matrix<Float>, scale s: Double, _ x: UnsafeBufferPointer<Double>, width b: Int,
    into y: UnsafeMutableBufferPointer<Double>, threads: Int
  ) throws {
    let n = k.rows
    let (n32, b32) = (try _blasInt(n, "order"), try _blasInt(b, "block width"))
    let xf = x.map { Float($0) }
    var yf = [Float](repeating: 0, count: n * b)
    let slab = 256
    k.elements.withUnsafeBufferPointer { a in
      xf.withUnsafeBufferPointer { xp in
        yf.withUnsafeMutableBufferPointer { yp in
          let out = yp.baseAddress!
          Parallel.forEach((n + slab - 1) / slab, threads: threads) { c in
            let r0 = c * slab
            let h = Swift.min(slab, n - r0)
            Float.gemm(
              transA: false, transB: false, m: Int32(h), n: b32, k: n32, alpha: 1,
              a: a.baseAddress! + r0 * n, lda: n32, b: xp.baseAddress!, ldb: b32, beta: 0,
              c: out + r0 * b, ldc: b32)
          }
        }
      }
    }
    for i in 0..<(n * b) { y[i] = s * Double(yf[i]) }
  }

  /// S_α in nats, and its standard error, from the deflated SLQ measures of a block-diagonal
  /// matrix (one per block; exact blocks have atoms only):
  ///
  ///     T = Σ_blocks [ Σ_i f(θ_i) + c·tr(M) + (1/p) Σ_j Σ_l w_jl (f(x_jl) − c·x_jl) ]
  ///
  /// with f(u) = u^α on u = λ/s (s = the largest point of the measure, so Σ u^α neither
  /// under- nor overflows at large α; log tr Aᵅ = α log s + log T) and f(u) = −u log u at
  /// α = 1. c = Σ w u f(u) / Σ w u² is the least-squares slope of f on the probes' nodes (the
  /// control variate of `_SpectralQuadrature`). The standard error is the sample deviation of
  /// the per-probe estimates over √p, propagated through S = log T / (1 − α).
  package static func entropy(quadratures parts: [_SpectralQuadrature], alpha: Double) -> (Double, Double) {
    let s = alpha == 1 ? 1 : parts.map(\.largest).max() ?? 0
    guard s > 0 else { return (.nan, .nan) }
    func f(_ u: Double) -> Double {
      guard u > 0 else { return 0 }
      return alpha == 1 ? -u * log(u) : pow(u, alpha)
    }
    var (numerator, denominator) = (0.0, 0.0)
    for part in parts {
      for probe in part.probes {
        for (x, w) in zip(probe.nodes, probe.weights) {
          let u = Swift.max(0, x / s)
          numerator += w * u * f(u)
          denominator += w * u * u
        }
      }
    }
    let c = denominator > 0 ? numerator / denominator : 0
    var (total, variance) = (0.0, 0.0)
    for part in parts {
      total += part.atoms.reduce(0) { $0 + f($1 / s) } + c * part.residualTrace / s
      let estimates = part.probes.map { probe in
        zip(probe.nodes, probe.weights).reduce(0.0) { acc, nw in
          let u = Swift.max(0, nw.0 / s)
          return acc + nw.1 * (f(u) - c * u)
        }
      }
      guard !estimates.isEmpty else { continue }
      let p = Double(estimates.count)
      let mean = estimates.reduce(0, +) / p
      total += mean
      if estimates.count > 1 {
        variance += estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (p - 1) / p
      }
    }
    if alpha == 1 { return (total, variance.squareRoot()) }
    guard total > 0 else { return (.nan, .nan) }
    return ((alpha * log(s) + log(total)) / (1 - alpha), variance.squareRoot() / (total * abs(1 - alpha)))
  }
}
