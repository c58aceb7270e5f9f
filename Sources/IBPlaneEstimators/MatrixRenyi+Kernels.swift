import Foundation
import IBPlaneCore
import IBPlaneNumerics

// Kernel matrices and spectra behind `MatrixRenyiMutualInformation`: the exact Gram matrix,
// the tiled Σ K² for α = 2, and the block-accumulated Nyström spectrum.

/// Collects, across the entropies of one estimate, the largest share of the trace that a
/// Nyström approximation missed (`nystrom_missing_trace` in the diagnostics: 0 = the rank-m
/// approximation is complete; above ~0.05 expect errors of several per cent).
// @unchecked Sendable: its one mutable field is read and written only under `lock` (entropies of
// one estimate may run on several threads).
final class _SpectrumReport: @unchecked Sendable {
  private let lock = NSLock()
  private var missingTrace: Double?
  private var slqStandardError: Double?
  func record(missingTrace m: Double) {
    lock.lock()
    defer { lock.unlock() }
    missingTrace = Swift.max(missingTrace ?? 0, m)
  }
  /// The largest standard error (nats) of an SLQ entropy of the estimate: `slq_standard_error`.
  func record(slqStandardError e: Double) {
    lock.lock()
    defer { lock.unlock() }
    slqStandardError = Swift.max(slqStandardError ?? 0, e)
  }
  func diagnostics(_ base: [String: Double]) -> [String: Double] {
    lock.lock()
    defer { lock.unlock() }
    var d = base
    if let m = missingTrace { d["nystrom_missing_trace"] = m }
    if let e = slqStandardError { d["slq_standard_error"] = e }
    return d
  }
}

/// One Gaussian kernel factor exp(−γ‖u_i − u_j‖²) over the rows of `data`.
struct _KernelView<S: BLASScalar> {
  let data: Matrix<S>
  let gamma: Double
}

/// Kernel matrices of Hadamard products of Gaussian views, built from the tiled engine's blocks.
enum _MatrixRenyiKernels {
  /// Row indices of each label value, in ascending label order: the blocks of the
  /// block-diagonal label kernel.
  static func classBlocks(_ labels: [Int]) -> [[Int]] {
    var parts: [Int: [Int]] = [:]
    for (i, y) in labels.enumerated() { parts[y, default: []].append(i) }
    return parts.keys.sorted().map { parts[$0]! }
  }

  /// The full N×N Gram matrix Π_v exp(−γ_v Dᵛ) (exact methods only), exponent in Double,
  /// stored as `Out` (Double for `exact`, Float for `exact-float32`).
  static func gram<S: BLASScalar, Out: BLASScalar>(
    _ views: [_KernelView<S>], as: Out.Type = Double.self, engine: TiledKernelSums
  ) throws -> Matrix<Out> {
    let n = views[0].data.rows
    guard n.multipliedReportingOverflow(by: n).overflow == false else {
      throw NumericsError.tooLarge("a \(n)×\(n) kernel matrix")
    }
    var k = Matrix<Out>(rows: n, columns: n)
    let plans = views.map { _DistancePlan(rows: $0.data, columns: $0.data) }
    let gammas = views.map(\.gamma)
    try k.elements.withUnsafeMutableBufferPointer { out in
      try engine.forEachTile(plans) { rowRange, colRange, tiles in
        let w = colRange.count
        for r in 0..<rowRange.count {
          let i = rowRange.lowerBound + r
          for c in 0..<w {
            var e = 0.0
            for (v, g) in gammas.enumerated() { e -= g * Double(tiles[v][r * w + c]) }
            out[i * n + colRange.lowerBound + c] = Out(exp(e))
          }
        }
      }
    }
    return k
  }

  /// Σ_ij (Π_v Kᵛ_ij · δ_ij)² through the tiled engine: the product kernel at 2γ, over class
  /// subsets when `labels` are given. Handles one or two views (the cases of I_α).
  static func squaredKernelSum<S: BLASScalar>(
    _ views: [_KernelView<S>], labels: [Int]?, engine: TiledKernelSums
  ) throws -> Double {
    if let labels, views.count == 1,
      let sums = try engine.groupedGaussianRowSums(views[0].data, gamma: 2 * views[0].gamma, groups: labels.map { Int32(truncatingIfNeeded: $0) })
    {
      // One symmetric pass with the classes as groups (N²/2 pairs instead of Σ_c n_c² + the
      // subsets' copies); the same bits as the within-group sums of the plane's stored pass.
      return sums.within.reduce(0, +)
    }
    if let labels {
      var total = 0.0
      for rows in classBlocks(labels) {
        total += try squaredKernelSum(
          views.map { _KernelView(data: $0.data.selectingRows(rows), gamma: $0.gamma) }, labels: nil, engine: engine)
      }
      return total
    }
    switch views.count {
    case 1:
      return try engine.gaussianRowSums(views[0].data, gammas: [2 * views[0].gamma])[0].reduce(0, +)
    case 2:
      return try engine.pairedGaussianSums(
        views[0].data, gammaA: 2 * views[0].gamma, views[1].data, gammaB: 2 * views[1].gamma
      ).hadamardSum
    default:
      throw EstimatorError.invalidParameter(name: "kernel views", value: "\(views.count)", expected: "1 or 2")
    }
  }

  /// Non-zero eigenvalues of the Nyström approximation C W⁺ Cᵀ of the product kernel
  /// (times the label kernel) with the given landmark rows. CᵀC is accumulated over row blocks
  /// (`cblas_dgemm`, transposed A) in a fixed number of chunks, so results do not depend on
  /// the thread count.
  static func nystromEigenvalues<S: BLASScalar>(
    _ views: [_KernelView<S>], labels: [Int]?, landmarks: [Int], engine: TiledKernelSums
  ) throws -> [Double] {
    let n = views[0].data.rows
    let m = landmarks.count
    let m32 = try _blasInt(m, "landmarks")
    let landmarkLabels = labels.map { l in landmarks.map { l[$0] } }
    // W = K[L, L] and its pseudo-inverse square root.
    let w = try gram(views.map { _KernelView(data: $0.data.selectingRows(landmarks), gamma: $0.gamma) }, engine: engine)
    var wl = w
    if let ll = landmarkLabels {
      for i in 0..<m { for j in 0..<m where ll[i] != ll[j] { wl.elements[i * m + j] = 0 } }
    }
    let (lambda, vectorsOrNil) = try wl.symmetricEigen(vectors: true)
    guard let u = vectorsOrNil, let top = lambda.last, top > 0 else {
      throw EstimatorError.degenerate("Nyström landmark kernel has no positive eigenvalue")
    }
    let keep = (0..<m).filter { lambda[$0] > 1e-10 * top }
    // P = U_keep Λ_keep^(−1/2): m × r.
    var p = Matrix<Double>(rows: m, columns: keep.count)
    for i in 0..<m { for (c, k) in keep.enumerated() { p[i, c] = u[i, k] / lambda[k].squareRoot() } }

    let plans = views.map { _DistancePlan(rows: $0.data, columns: $0.data.selectingRows(landmarks)) }
    let t = engine.tileSize
    let blocks = (n + t - 1) / t
    let chunks = Swift.min(8, blocks)
    var partial = [[Double]](repeating: [], count: chunks)
    let gammas = views.map(\.gamma)
    let lock = NSLock()
    Parallel.forEach(chunks, threads: engine.threads) { chunk in
      var g = [Double](repeating: 0, count: m * m)
      let c = UnsafeMutableBufferPointer<Double>.allocate(capacity: t * m)
      let d = UnsafeMutableBufferPointer<S>.allocate(capacity: t * m)
      defer { c.deallocate(); d.deallocate() }
      var b = chunk
      while b < blocks {
        let r0 = b * t
        let r1 = Swift.min(n, r0 + t)
        let h = r1 - r0
        for k in 0..<(h * m) { c[k] = 0 }
        for (v, plan) in plans.enumerated() {
          plan.fillDistances(rows: r0..<r1, columns: 0..<m, into: d)
          for k in 0..<(h * m) { c[k] -= gammas[v] * Double(d[k]) }
        }
        for r in 0..<h {
          for j in 0..<m {
            var value = exp(c[r * m + j])
            if let l = labels, let ll = landmarkLabels, l[r0 + r] != ll[j] { value = 0 }
            c[r * m + j] = value
          }
        }
        g.withUnsafeMutableBufferPointer { gp in
          Double.gemm(
            transA: true, transB: false, m: m32, n: m32, k: Int32(h), alpha: 1,
            a: UnsafePointer(c.baseAddress!), lda: m32, b: UnsafePointer(c.baseAddress!), ldb: m32, beta: 1,
            c: gp.baseAddress!, ldc: m32)
        }
        b += chunks
      }
      lock.withLock { partial[chunk] = g }
    }
    var ctc = Matrix<Double>(rows: m, columns: m)
    for g in partial { for k in 0..<(m * m) { ctc.elements[k] += g[k] } }
    // Pᵀ (CᵀC) P: r × r.
    let inner = try p.multiplied(by: try ctc.multiplied(by: p), transposingSelf: true)
    return try inner.symmetricEigen(vectors: false).values.filter { $0 > 0 }
  }
}
