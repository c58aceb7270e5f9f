import CNative

// The two Krylov processes behind `_StochasticLanczos`: block Lanczos for deflation and
// per-probe Lanczos for the Gauss quadrature, both with full reorthogonalisation (the
// spaces are small, m ≤ a few hundred, so the O(N m²) cost is negligible next to the
// products, and it keeps ghost copies of converged eigenvalues out of the quadrature).
//
// Memory: the stored bases (Krylov basis N×512, Ritz vectors, the probes' Lanczos vectors)
// are single precision, `_SingleBasis`; all arithmetic on them is Double (see there). At
// N = 10⁵ that is 205 MB for the Krylov basis instead of 410 MB.

/// An orthonormal block Krylov basis Q (N×K, row-major, stored rounded to Float),
/// T = Qᵀ A Q (K×K) and the last block's residual W (N×b) with A Q = Q T + W E_lastᵀ.
struct _BlockKrylov {
  var basis: _SingleBasis
  var projected: [Double]
  var residual: [Double]
  var dimension: Int
  var width: Int
}

/// A row-major N×`stride` block of basis vectors stored in single precision (half the memory
/// of Double: the bases are the memory bound of the matrix-free path at large N), used in
/// Double arithmetic: every product with it widens a slab of rows to Double and calls
/// `cblas_dgemm`, so the only single-precision step is the storage. The vectors are rounded
/// to Float *before* they are used (the Krylov processes round each new vector, then apply
/// A to the rounded vector and orthogonalise against the rounded basis), so T = Q̃ᵀ A Q̃
/// describes the stored basis Q̃ exactly; Q̃ is orthonormal to ~1e-7 instead of ~1e-16,
/// which moves Ritz values by ~1e-7 relative (measured in `MatrixRenyiSLQTests`).
struct _SingleBasis {
  private(set) var values: [Float]
  let rows: Int
  let stride: Int

  init(rows: Int, stride: Int) {
    self.rows = rows
    self.stride = stride
    values = [Float](repeating: 0, count: rows * stride)
  }

  /// Rows widened per `cblas_dgemm` call: at most ~2 MB of Double scratch per slab.
  private var slabRows: Int { Swift.max(64, (1 << 18) / Swift.max(stride, 1)) }

  /// Writes rows `r0 ..< r0 + h` of a Double block `x` (h×w, row-major, values already
  /// representable in Float or rounded here) into columns `column ..< column + w`.
  mutating func store(_ x: UnsafePointer<Double>, rows r0: Int = 0, count h: Int? = nil, width w: Int, at column: Int = 0) {
    let ld = stride
    let count = h ?? rows
    values.withUnsafeMutableBufferPointer { q in
      for i in 0..<count {
        let dst = q.baseAddress! + (r0 + i) * ld + column
        let src = x + i * w
        for c in 0..<w { dst[c] = Float(src[c]) }
      }
    }
  }

  /// C = Q[:, 0..<k]ᵀ X (k×w, Double) for a Double N×w block X; slabs summed in row order.
  func transposeTimes(columns k: Int, _ x: UnsafePointer<Double>, width w: Int) -> [Double] {
    var c = [Double](repeating: 0, count: k * w)
    guard k > 0, w > 0 else { return c }
    c.withUnsafeMutableBufferPointer { cp in
      forEachSlab(columns: k) { r0, h, slab in
        Double.gemm(
          transA: true, transB: false, m: Int32(k), n: Int32(w), k: Int32(h), alpha: 1,
          a: slab, lda: Int32(k), b: x + r0 * w, ldb: Int32(w), beta: 1, c: cp.baseAddress!, ldc: Int32(w))
      }
    }
    return c
  }

  /// Y ← β·Y + α·Q[:, 0..<k]·C for a k×w Double C and a Double N×w block Y.
  func times(
    columns k: Int, _ c: UnsafePointer<Double>, width w: Int, alpha: Double, beta: Double, into y: UnsafeMutablePointer<Double>
  ) {
    guard k > 0, w > 0 else { return }
    forEachSlab(columns: k) { r0, h, slab in
      Double.gemm(
        transA: false, transB: false, m: Int32(h), n: Int32(w), k: Int32(k), alpha: alpha,
        a: slab, lda: Int32(k), b: c, ldb: Int32(w), beta: beta, c: y + r0 * w, ldc: Int32(w))
    }
  }

  /// Q[:, 0..<k]·C (N×w) for a k×w Double C, handed to `body` one slab of rows at a time
  /// (first row, row count, h×w row-major Double), so the N×w product is never held in Double.
  func product(columns k: Int, _ c: UnsafePointer<Double>, width w: Int, _ body: (Int, Int, UnsafePointer<Double>) -> Void) {
    guard k > 0, w > 0 else { return }
    let part = UnsafeMutablePointer<Double>.allocate(capacity: slabRows * w)
    defer { part.deallocate() }
    forEachSlab(columns: k) { r0, h, slab in
      Double.gemm(
        transA: false, transB: false, m: Int32(h), n: Int32(w), k: Int32(k), alpha: 1,
        a: slab, lda: Int32(k), b: c, ldb: Int32(w), beta: 0, c: part, ldc: Int32(w))
      body(r0, h, UnsafePointer(part))
    }
  }

  /// Visits the rows in fixed slabs, each widened to Double (h×k, row-major, leading dimension k).
  private func forEachSlab(columns k: Int, _ body: (Int, Int, UnsafePointer<Double>) -> Void) {
    let s = slabRows
    let slab = UnsafeMutablePointer<Double>.allocate(capacity: s * k)
    defer { slab.deallocate() }
    values.withUnsafeBufferPointer { q in
      var r0 = 0
      while r0 < rows {
        let h = Swift.min(s, rows - r0)
        for r in 0..<h {
          let src = q.baseAddress! + (r0 + r) * stride
          let dst = slab + r * k
          for c in 0..<k { dst[c] = Double(src[c]) }
        }
        body(r0, h, UnsafePointer(slab))
        r0 += h
      }
    }
  }
}

extension _StochasticLanczos {
  /// Rounds every entry of `x` to the nearest Float (kept as Double): the vector the stored
  /// single-precision basis will hold, so that A is applied to exactly that vector.
  static func roundToSingle(_ x: inout [Double]) {
    for i in x.indices { x[i] = Double(Float(x[i])) }
  }

  /// Block Lanczos from the N×b block `start` for `blocks` steps. Each new block is
  /// orthogonalised against the whole basis twice, orthonormalised (QR), and orthogonalised
  /// and orthonormalised once more, so Q stays orthonormal to rounding even when the Krylov
  /// space becomes numerically rank-deficient (kernel spectra decay to 1e-16 quickly);
  /// T's off-diagonal blocks are Q_{j+1}ᵀ W computed explicitly rather than taken from the QR.
  /// Each block is rounded to single precision before it is applied and stored (`_SingleBasis`).
  static func blockLanczos(order n: Int, start: [Double], width b: Int, blocks: Int, apply: _BlockOperator) throws -> _BlockKrylov {
    let kk = b * blocks
    var q = _SingleBasis(rows: n, stride: kk)
    var t = [Double](repeating: 0, count: kk * kk)
    var current = start
    try orthonormalise(&current, rows: n, width: b)
    roundToSingle(&current)
    var w = [Double](repeating: 0, count: n * b)
    for j in 0..<blocks {
      current.withUnsafeBufferPointer { q.store($0.baseAddress!, width: b, at: j * b) }
      try current.withUnsafeBufferPointer { x in try w.withUnsafeMutableBufferPointer { try apply(x, b, $0) } }
      let used = (j + 1) * b
      // Q_{≤j}ᵀ A Q_j, twice-refined: the diagonal block of T (symmetrised).
      let h = orthogonalise(&w, width: b, against: q, columns: used, n: n)
      for r in 0..<b {
        for c in 0..<b {
          let v = 0.5 * (h[(j * b + r) * b + c] + h[(j * b + c) * b + r])
          t[(j * b + r) * kk + j * b + c] = v
        }
      }
      if j == blocks - 1 { break }
      var next = w
      try orthonormalise(&next, rows: n, width: b)
      _ = orthogonalise(&next, width: b, against: q, columns: used, n: n, passes: 1)
      try orthonormalise(&next, rows: n, width: b)
      roundToSingle(&next)
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

  /// x ← x − Q Qᵀ x `passes` times (twice is enough for classical Gram–Schmidt) for the first
  /// `columns` columns of the single-precision basis `q`; returns the summed coefficients
  /// Qᵀ x (columns × w). Against a basis orthonormal to ε each pass shrinks the component of x
  /// in range(Q) by a factor ~ε, so two passes suffice with ε ≈ 1e-7 as with 1e-16.
  static func orthogonalise(
    _ x: inout [Double], width w: Int, against q: _SingleBasis, columns k: Int, n: Int, passes: Int = 2
  ) -> [Double] {
    var total = [Double](repeating: 0, count: k * w)
    x.withUnsafeMutableBufferPointer { xp in
      for _ in 0..<passes {
        let c = q.transposeTimes(columns: k, xp.baseAddress!, width: w)
        c.withUnsafeBufferPointer { q.times(columns: k, $0.baseAddress!, width: w, alpha: -1, beta: 1, into: xp.baseAddress!) }
        for i in 0..<(k * w) { total[i] += c[i] }
      }
    }
    return total
  }

  /// The top (at most `keep`) Ritz pairs of the Krylov space that have converged: residual
  /// ‖A y − θ y‖ = ‖W u_last‖ ≤ 0.01 θ, and θ > 1e-14 θ_max (below it the pair is rounding
  /// noise, and f(θ) ≈ f(0) = 0 either way). Returns the vectors Y (N×k, single precision) and the values.
  static func ritzPairs(_ krylov: _BlockKrylov, order n: Int, keep: Int) -> (vectors: _SingleBasis, values: [Double]) {
    let kk = krylov.dimension
    let b = krylov.width
    let none = (_SingleBasis(rows: n, stride: 0), [Double]())
    guard let tm = try? Matrix<Double>(rows: kk, columns: kk, elements: krylov.projected),
      let (values, vectorsOrNil) = try? tm.symmetricEigen(vectors: true), let u = vectorsOrNil,
      let top = values.last, top > 0
    else { return none }
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
    guard k > 0 else { return none }
    var uk = [Double](repeating: 0, count: kk * k)
    for r in 0..<kk { for (c, idx) in chosen.enumerated() { uk[r * k + c] = u[r, idx] } }
    // Y = Q U_k, a slab of rows at a time (the N×k product is never held in Double).
    var y = _SingleBasis(rows: n, stride: k)
    uk.withUnsafeBufferPointer { ukp in
      krylov.basis.product(columns: kk, ukp.baseAddress!, width: k) { r0, h, part in
        y.store(part, rows: r0, count: h, width: k)
      }
    }
    return (y, chosen.map { values[$0] })
  }

  /// Gauss quadrature of each column of `start` (N×p): Lanczos with full reorthogonalisation
  /// against the column's own basis, `steps` steps or until the column's Krylov space is
  /// invariant (β ≤ 1e-13 of the largest |α| seen), then the tridiagonal's eigen-decomposition
  /// (`LAPACKE_dstev`): nodes = eigenvalues, weights = ‖z‖² · (first eigenvector component)².
  /// The Lanczos vectors are stored in single precision (m·N·p Floats), each rounded before it
  /// is applied, so the tridiagonal describes the stored vectors; the arithmetic is Double.
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
    var basis: [[Float]] = []
    var w = [Double](repeating: 0, count: n * p)
    for step in 0..<m where active.contains(true) {
      roundToSingle(&v)
      basis.append(v.map { Float($0) })
      try v.withUnsafeBufferPointer { x in try w.withUnsafeMutableBufferPointer { try apply(x, p, $0) } }
      // Full reorthogonalisation, twice, column by column against the column's own basis;
      // the first pass's coefficient on the current vector is α (refined by the second).
      var alpha = [Double](repeating: 0, count: p)
      for pass in 0..<2 {
        for (s, block) in basis.enumerated() {
          var h = [Double](repeating: 0, count: p)
          for i in 0..<n { for j in 0..<p { h[j] += Double(block[i * p + j]) * w[i * p + j] } }
          for i in 0..<n { for j in 0..<p { w[i * p + j] -= h[j] * Double(block[i * p + j]) } }
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
      let info = ibp_LAPACKE_dstev(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), Int32(k), &d, &e, &z, Int32(k))
      guard info == 0 else { throw NumericsError.lapackFailure(routine: "dstev", info: Int(info)) }
      return (d, (0..<k).map { norms2[j] * z[$0 * k] * z[$0 * k] })
    }
  }
}
