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

extension TiledKernelSums {
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
