import CNative

// The two Krylov processes behind `_StochasticLanczos`: block Lanczos for deflation and
// per-probe Lanczos for the Gauss quadrature, both with full reorthogonalisation (the
// spaces are small, m ≤ a few hundred, so the O(N m²) cost is negligible next to the
// products, and it keeps ghost copies of converged eigenvalues out of the quadrature).

/// An orthonormal block Krylov basis Q (N×K, row-major), T = Qᵀ A Q (K×K) and the last
/// block's residual W (N×b) with A Q = Q T + W E_lastᵀ.
struct _BlockKrylov {
  var basis: [Double]
  var projected: [Double]
  var residual: [Double]
  var dimension: Int
  var width: Int
}

extension _StochasticLanczos {
  /// Block Lanczos from the N×b block `start` for `blocks` steps. Each new block is
  /// orthogonalised against the whole basis twice, orthonormalised (QR), and orthogonalised
  /// and orthonormalised once more, so Q stays orthonormal to rounding even when the Krylov
  /// space becomes numerically rank-deficient (kernel spectra decay to 1e-16 quickly);
  /// T's off-diagonal blocks are Q_{j+1}ᵀ W computed explicitly rather than taken from the QR.
  static func blockLanczos(order n: Int, start: [Double], width b: Int, blocks: Int, apply: _BlockOperator) throws -> _BlockKrylov {
    let kk = b * blocks
    var q = [Double](repeating: 0, count: n * kk)
    var t = [Double](repeating: 0, count: kk * kk)
    var current = start
    try orthonormalise(&current, rows: n, width: b)
    var w = [Double](repeating: 0, count: n * b)
    for j in 0..<blocks {
      for i in 0..<n { for c in 0..<b { q[i * kk + j * b + c] = current[i * b + c] } }
      try current.withUnsafeBufferPointer { x in try w.withUnsafeMutableBufferPointer { try apply(x, b, $0) } }
      let used = (j + 1) * b
      // Q_{≤j}ᵀ A Q_j, twice-refined: the diagonal block of T (symmetrised).
      let h = orthogonalise(&w, width: b, against: q, ld: kk, columns: used, n: n)
      for r in 0..<b {
        for c in 0..<b {
          let v = 0.5 * (h[(j * b + r) * b + c] + h[(j * b + c) * b + r])
          t[(j * b + r) * kk + j * b + c] = v
        }
      }
      if j == blocks - 1 { break }
      var next = w
      try orthonormalise(&next, rows: n, width: b)
      _ = orthogonalise(&next, width: b, against: q, ld: kk, columns: used, n: n, passes: 1)
      try orthonormalise(&next, rows: n, width: b)
      // B_j = Q_{j+1}ᵀ W.
      var bj = [Double](repeating: 0, count: b * b)
      Double.gemm(
        transA: true, transB: false, m: Int32(b), n: Int32(b), k: Int32(n), alpha: 1,
        a: next, lda: Int32(b), b: w, ldb: Int32(b), beta: 0, c: &bj, ldc: Int32(b))
      for r in 0..<b {
        for c in 0..<b {
          t[((j + 1) * b + r) * kk + j * b + c] = bj[r * b + c]
          t[(j * b + c) * kk + (j + 1) * b + r] = bj[r * b + c]
        }
      }
      current = next
    }
    return _BlockKrylov(basis: q, projected: t, residual: w, dimension: kk, width: b)
  }

  /// x ← x − Q Qᵀ x `passes` times (twice is enough for classical Gram–Schmidt) for the first `columns` columns of the row-major N×ld basis `q`;
  /// returns the summed coefficients Qᵀ x (columns × w). The corresponding C function is `cblas_dgemm`.
  static func orthogonalise(
    _ x: inout [Double], width w: Int, against q: [Double], ld: Int, columns k: Int, n: Int, passes: Int = 2
  ) -> [Double] {
    var total = [Double](repeating: 0, count: k * w)
    var c = [Double](repeating: 0, count: k * w)
    for _ in 0..<passes {
      Double.gemm(
        transA: true, transB: false, m: Int32(k), n: Int32(w), k: Int32(n), alpha: 1,
        a: q, lda: Int32(ld), b: x, ldb: Int32(w), beta: 0, c: &c, ldc: Int32(w))
      Double.gemm(
        transA: false, transB: false, m: Int32(n), n: Int32(w), k: Int32(k), alpha: -1,
        a: q, lda: Int32(ld), b: c, ldb: Int32(w), beta: 1, c: &x, ldc: Int32(w))
      for i in 0..<(k * w) { total[i] += c[i] }
    }
    return total
  }

  /// The top (at most `keep`) Ritz pairs of the Krylov space that have converged: residual
  /// ‖A y − θ y‖ = ‖W u_last‖ ≤ 0.01 θ, and θ > 1e-14 θ_max (below it the pair is rounding
  /// noise, and f(θ) ≈ f(0) = 0 either way). Returns the vectors Y (N×k, row-major) and the values.
  static func ritzPairs(_ krylov: _BlockKrylov, order n: Int, keep: Int) -> (vectors: [Double], values: [Double]) {
    let kk = krylov.dimension
    let b = krylov.width
    guard let tm = try? Matrix<Double>(rows: kk, columns: kk, elements: krylov.projected),
      let (values, vectorsOrNil) = try? tm.symmetricEigen(vectors: true), let u = vectorsOrNil,
      let top = values.last, top > 0
    else { return ([], []) }
    // G = Wᵀ W: ‖W u_last‖² = u_lastᵀ G u_last.
    var g = [Double](repeating: 0, count: b * b)
    Double.gemm(
      transA: true, transB: false, m: Int32(b), n: Int32(b), k: Int32(n), alpha: 1,
      a: krylov.residual, lda: Int32(b), b: krylov.residual, ldb: Int32(b), beta: 0, c: &g, ldc: Int32(b))
    var chosen: [Int] = []
    for idx in stride(from: kk - 1, through: 0, by: -1) where chosen.count < keep {
      let theta = values[idx]
      guard theta > 1e-14 * top else { break }
      var r2 = 0.0
      for r in 0..<b {
        var s = 0.0
        for c in 0..<b { s += g[r * b + c] * u[kk - b + c, idx] }
        r2 += u[kk - b + r, idx] * s
      }
      if r2.squareRoot() <= 0.01 * theta { chosen.append(idx) }
    }
    let k = chosen.count
    guard k > 0 else { return ([], []) }
    var uk = [Double](repeating: 0, count: kk * k)
    for r in 0..<kk { for (c, idx) in chosen.enumerated() { uk[r * k + c] = u[r, idx] } }
    var y = [Double](repeating: 0, count: n * k)
    Double.gemm(
      transA: false, transB: false, m: Int32(n), n: Int32(k), k: Int32(kk), alpha: 1,
      a: krylov.basis, lda: Int32(kk), b: uk, ldb: Int32(k), beta: 0, c: &y, ldc: Int32(k))
    return (y, chosen.map { values[$0] })
  }

  /// Gauss quadrature of each column of `start` (N×p): Lanczos with full reorthogonalisation
  /// against the column's own basis, `steps` steps or until the column's Krylov space is
  /// invariant (β ≤ 1e-13 of the largest |α| seen), then the tridiagonal's eigen-decomposition
  /// (`LAPACKE_dstev`): nodes = eigenvalues, weights = ‖z‖² · (first eigenvector component)².
  static func lanczosQuadrature(
    order n: Int, start: [Double], width p: Int, steps m: Int, apply: _BlockOperator
  ) throws -> [(nodes: [Double], weights: [Double])] {
    var v = start
    var norms2 = [Double](repeating: 0, count: p)
    for i in 0..<n { for j in 0..<p { norms2[j] += v[i * p + j] * v[i * p + j] } }
    for i in 0..<n { for j in 0..<p where norms2[j] > 0 { v[i * p + j] /= norms2[j].squareRoot() } }
    var active = norms2.map { $0 > 0 }
    var alphas = [[Double]](repeating: [], count: p)
    var betas = [[Double]](repeating: [], count: p)
    var scale = [Double](repeating: 0, count: p)
    var basis: [[Double]] = []
    var w = [Double](repeating: 0, count: n * p)
    for step in 0..<m where active.contains(true) {
      basis.append(v)
      try v.withUnsafeBufferPointer { x in try w.withUnsafeMutableBufferPointer { try apply(x, p, $0) } }
      // Full reorthogonalisation, twice, column by column against the column's own basis;
      // the first pass's coefficient on the current vector is α (refined by the second).
      var alpha = [Double](repeating: 0, count: p)
      for pass in 0..<2 {
        for (s, block) in basis.enumerated() {
          var h = [Double](repeating: 0, count: p)
          for i in 0..<n { for j in 0..<p { h[j] += block[i * p + j] * w[i * p + j] } }
          for i in 0..<n { for j in 0..<p { w[i * p + j] -= h[j] * block[i * p + j] } }
          if s == basis.count - 1 { for j in 0..<p { alpha[j] += h[j] } }
        }
        _ = pass
      }
      var beta = [Double](repeating: 0, count: p)
      for i in 0..<n { for j in 0..<p { beta[j] += w[i * p + j] * w[i * p + j] } }
      for j in 0..<p where active[j] {
        alphas[j].append(alpha[j])
        scale[j] = Swift.max(scale[j], abs(alpha[j]))
        let bj = beta[j].squareRoot()
        if step == m - 1 || bj <= 1e-13 * scale[j] || bj == 0 {
          active[j] = false
        } else {
          betas[j].append(bj)
        }
      }
      for i in 0..<n {
        for j in 0..<p { v[i * p + j] = active[j] ? w[i * p + j] / beta[j].squareRoot() : 0 }
      }
    }
    return try (0..<p).map { j in
      let k = alphas[j].count
      guard k > 0 else { return ([], []) }
      var d = alphas[j]
      var e = betas[j] + [0]
      var z = [Double](repeating: 0, count: k * k)
      let info = LAPACKE_dstev(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), Int32(k), &d, &e, &z, Int32(k))
      guard info == 0 else { throw NumericsError.lapackFailure(routine: "dstev", info: Int(info)) }
      return (d, (0..<k).map { norms2[j] * z[$0 * k] * z[$0 * k] })
    }
  }
}
