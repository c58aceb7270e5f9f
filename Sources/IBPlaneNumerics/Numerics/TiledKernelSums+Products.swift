import CNative

extension TiledKernelSums {
  /// Y = s·K·X without storing K, for the product kernel K_ij = Π_v exp(−γ_v Dᵛ_ij) of the
  /// distance plans `plans` (all over the same N points) and a row-major N×b block X: each
  /// tile's kernel values (one vector exp per entry) are multiplied into Y's rows by
  /// `cblas_dgemm`. Memory O(tileSize² + N·b) per worker; each row of Y is accumulated by one
  /// worker over column blocks in order, so the result does not depend on the thread count.
  /// The Krylov methods of matrix-based Rényi use it when the N×N matrix does not fit.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func gaussianProduct<S: BLASScalar>(
    _ plans: [_DistancePlan<S>], gammas: [Double], scale s: Double,
    _ x: UnsafeBufferPointer<Double>, width b: Int, into y: UnsafeMutableBufferPointer<Double>
  ) throws {
    guard let n = plans.first?.rowCount, b > 0 else { return }
    precondition(x.count >= n * b && y.count >= n * b && gammas.count == plans.count, "block shapes")
    for k in 0..<(n * b) { y[k] = 0 }
    let t = tileSize
    _ = try _blasInt(b, "block width")
    try forEachTile(plans) { rowRange, colRange, tiles in
      let h = rowRange.count
      let w = colRange.count
      let k = UnsafeMutablePointer<Double>.allocate(capacity: t * t)
      defer { k.deallocate() }
      _productKernelTile(tiles, gammas: gammas, count: h * w, into: k)
      Double.gemm(
        transA: false, transB: false, m: Int32(h), n: Int32(b), k: Int32(w), alpha: s,
        a: UnsafePointer(k), lda: Int32(w), b: x.baseAddress! + colRange.lowerBound * b, ldb: Int32(b), beta: 1,
        c: y.baseAddress! + rowRange.lowerBound * b, ldc: Int32(b))
    }
  }
}

/// The exponent of a product of Gaussian kernels as one inner product, for the single-precision
/// matrix-free product: with u_i the concatenation over views v of √(2γ_v)·(x^v_i − x̄^v) and
/// a_i = Σ_v γ_v ‖x^v_i − x̄^v‖²,
///
///     −Σ_v γ_v ‖x^v_i − x^v_j‖² = u_i·u_j − a_i − a_j,
///
/// so a tile of the exponent is one `cblas_sgemm` (k = Σ_v d_v) onto a tile pre-filled with
/// −a_i − a_j, instead of one distance GEMM per view, a clamp pass per view and the exponent
/// sums. Centring (by each view's column means, computed in Double like `_DistancePlan`) limits
/// the cancellation as it does for the distances; u and a are computed in Double and rounded
/// to Float once.
package struct _KernelExponentPlan: Sendable {
  let u: [Float]
  let a: [Float]
  package let rows: Int
  let dimension: Int

  /// `views`: the data of each factor (all with the same rows) and its γ.
  package init<S: BLASScalar>(views: [(data: Matrix<S>, gamma: Double)]) throws {
    let n = views.first?.data.rows ?? 0
    for v in views where v.data.rows != n { throw NumericsError.shapeMismatch("all views must have the same samples") }
    let dim = views.reduce(0) { $0 + $1.data.columns }
    _ = try _blasInt(dim, "dimension")
    var u = [Float](repeating: 0, count: n * dim)
    var a = [Double](repeating: 0, count: n)
    var offset = 0
    for (m, gamma) in views {
      let d = m.columns
      let means = m.columnMeans()
      let root = (2 * gamma).squareRoot()
      for i in 0..<n {
        var norm = 0.0
        for c in 0..<d {
          let t = Double(m.elements[i * d + c]) - means[c]
          norm += t * t
          u[i * dim + offset + c] = Float(root * t)
        }
        a[i] += gamma * norm
      }
      offset += d
    }
    // Both terms of the exponent must stay finite in Float (and their sum with u·u).
    let largest = a.max() ?? 0
    guard largest.isFinite, largest <= Double(Float.greatestFiniteMagnitude) / 4 else {
      throw NumericsError.tooLarge("kernel exponents up to \(largest) overflow Float; rescale the data or widen the kernel")
    }
    self.u = u
    self.a = a.map { Float($0) }
    self.rows = n
    self.dimension = dim
  }
}

extension TiledKernelSums {
  /// Y = s·K·X without storing K, in single precision: the product the Krylov methods of
  /// matrix-based Rényi use above the stored-Gram limit (`gaussianProduct` is the Double
  /// reference it is tested against). Per tile: the exponent u_i·u_j − a_i − a_j by one
  /// `cblas_sgemm` (`_KernelExponentPlan`), clamped to [−87, 0] (0: the distance clamp and the
  /// diagonal, set to exactly 0), libmvec's 8-lane `expf` with values below 1.7e-38 set to 0
  /// (`ibp_kernel_expf_inplace`), then the tile times X's rows (X rounded to Float once per
  /// call) by `cblas_sgemm` into a tile × b scratch, scaled and added to Y in Double. So each
  /// entry of Y is a Double sum over column tiles of Float dot products of `tileSize` terms.
  /// The exponent's rounding error grows with a_i + a_j (Float cancellation in
  /// u_i·u_j − a_i − a_j, ~1.2e-7·(a_i + a_j) absolute), so against the Double product an entry
  /// of Y is within 2e-6 of Σ_j s·K_ij |X_jc| for unit-scale data (the estimators' frame:
  /// a ≲ 10) and ~1e-7·max a in general (1.2e-5 measured at a = 200); tested in
  /// `TiledProductTests`. Measured
  /// 3–4× less CPU than `gaussianProduct` (`ibplane-bench slq-product`, docs/performance.md).
  /// Memory O(tileSize · (tileSize + b)) per worker plus N·b Floats; each row of Y is
  /// accumulated by one worker over column blocks in order, so the result does not depend on
  /// the thread count.
  package func gaussianProductSingle(
    _ plan: _KernelExponentPlan, scale s: Double,
    _ x: UnsafeBufferPointer<Double>, width b: Int, into y: UnsafeMutableBufferPointer<Double>
  ) throws {
    let n = plan.rows
    guard b > 0 else { return }
    precondition(x.count >= n * b && y.count >= n * b, "block shapes")
    let b32 = try _blasInt(b, "block width")
    let t = tileSize
    _ = try _blasInt(Swift.min(t, n), "tile")
    for k in 0..<(n * b) { y[k] = 0 }
    if n == 0 { return }
    let xf = UnsafeMutableBufferPointer<Float>.allocate(capacity: n * b)
    defer { xf.deallocate() }
    for k in 0..<(n * b) { xf[k] = Float(x[k]) }
    let blocks = (n + t - 1) / t
    let xp = UnsafePointer(xf.baseAddress!)
    let dim = plan.dimension
    plan.u.withUnsafeBufferPointer { up in
      plan.a.withUnsafeBufferPointer { ap in
        Parallel.forEach(blocks, threads: threads) { rb in
          let r0 = rb * t
          let h = Swift.min(n, r0 + t) - r0
          let k = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
          let part = UnsafeMutablePointer<Float>.allocate(capacity: t * b)
          defer {
            k.deallocate()
            part.deallocate()
          }
          for cb in 0..<blocks {
            let c0 = cb * t
            let w = Swift.min(n, c0 + t) - c0
            // −a_i − a_j, then += u_i·u_j.
            for r in 0..<h {
              let ai = ap[r0 + r]
              let row = k + r * w
              let aj = ap.baseAddress! + c0
              for c in 0..<w { row[c] = -ai - aj[c] }
            }
            if dim > 0 {
              Float.gemm(
                transA: false, transB: true, m: Int32(h), n: Int32(w), k: Int32(dim), alpha: 1,
                a: up.baseAddress! + r0 * dim, lda: Int32(dim), b: up.baseAddress! + c0 * dim, ldb: Int32(dim), beta: 1,
                c: k, ldc: Int32(w))
            }
            if cb == rb { for r in 0..<h { k[r * w + r] = 0 } }
            ibp_kernel_expf_inplace(k, h * w)
            Float.gemm(
              transA: false, transB: false, m: Int32(h), n: b32, k: Int32(w), alpha: 1,
              a: UnsafePointer(k), lda: Int32(w), b: xp + c0 * b, ldb: b32, beta: 0, c: part, ldc: b32)
            let out = y.baseAddress! + r0 * b
            for e in 0..<(h * b) { out[e] += s * Double(part[e]) }
          }
        }
      }
    }
  }

  /// The full N×N product kernel K_ij = Π_v exp(−γ_v Dᵛ_ij) of `plans`, written row-major in
  /// single precision into `out` (exponent and exp in Double, libmvec's vector exp, then
  /// rounded once). Tiles are independent, so the result does not depend on the thread count.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func gaussianGram<S: BLASScalar>(
    _ plans: [_DistancePlan<S>], gammas: [Double], into out: UnsafeMutableBufferPointer<Float>
  ) throws {
    guard let n = plans.first?.rowCount else { return }
    precondition(out.count >= n * n && gammas.count == plans.count, "Gram matrix shape")
    let t = tileSize
    try forEachTile(plans) { rowRange, colRange, tiles in
      let h = rowRange.count
      let w = colRange.count
      let k = UnsafeMutablePointer<Double>.allocate(capacity: t * t)
      defer { k.deallocate() }
      _productKernelTile(tiles, gammas: gammas, count: h * w, into: k)
      for r in 0..<h {
        let row = out.baseAddress! + (rowRange.lowerBound + r) * n + colRange.lowerBound
        for c in 0..<w { row[c] = Float(k[r * w + c]) }
      }
    }
  }
}

/// k[e] = exp(−Σ_v γ_v Dᵛ[e]) for the first `count` entries of one tile per plan (exponent
/// accumulated in Double in plan order, then libmvec's vector exp): the product kernel's tile,
/// shared by `gaussianProduct` and `gaussianGram` so both see the same values.
@inline(__always)
private func _productKernelTile<S: BLASScalar>(
  _ tiles: [UnsafeBufferPointer<S>], gammas: [Double], count: Int, into k: UnsafeMutablePointer<Double>
) {
  for e in 0..<count { k[e] = 0 }
  for (v, g) in gammas.enumerated() {
    let d = tiles[v]
    for e in 0..<count { k[e] -= g * Double(d[e]) }
  }
  ibp_exp_inplace(k, count)
}
