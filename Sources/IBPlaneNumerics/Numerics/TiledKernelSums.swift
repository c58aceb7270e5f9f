import CNative
#if canImport(Glibc)
  import Glibc
#endif

/// The one tiled pairwise engine of ibplane.
///
/// Every kernel estimator (KDE bounds, Cauchy–Schwarz, matrix-based Rényi at α = 2,
/// brute-force kNN) needs sums over all N² pairs of a function of the squared Euclidean
/// distance D_ij = ‖x_i − x_j‖². The engine never materialises an N×N matrix: it walks
/// `tileSize × tileSize` blocks, computes each block's distances through GEMM
/// (D = ‖x_i‖² + ‖y_j‖² − 2 x_i·y_j, on column-centred data to limit cancellation, clamped
/// at 0), and hands the block to a reduction that accumulates per-row results in `Double`.
///
/// Memory: O(tileSize² · sets) per worker plus O(N) accumulators. Parallelism: row blocks
/// are distributed over pool workers (`Parallel.forEach`); each row's accumulator is written by exactly one
/// worker, in a fixed column order, so results are bit-identical for any thread count.
/// BLAS runs single-threaded inside (see `NativeRuntime`).
///
/// Kernels are written as exp(−γ·D) with γ = 1 / (2σ²) for a Gaussian of width σ.
public struct TiledKernelSums: Sendable {
  /// Side of the square blocks. 256–1024 works well; results do not depend on it beyond rounding.
  public var tileSize: Int
  /// Most row blocks computed at once (bounded by `Parallel.maximumThreads`).
  public var threads: Int
  /// Most bytes the symmetric pass's accumulators may take (`symmetricFits`); past it the full
  /// pass runs. Settable for the tests of that fallback.
  package var symmetricAccumulatorBudget = TiledKernelSums.symmetricAccumulatorBytes

  public init(tileSize: Int = 512, threads: Int = Parallel.defaultThreads) {
    self.tileSize = Swift.max(1, tileSize)
    self.threads = Swift.max(1, threads)
  }

  // MARK: Reductions

  /// Row sums r_i = Σ_j exp(−γ_s · D_ij) for each γ_s in `gammas`, with D between rows of `x`
  /// and rows of `y` (`y = nil`: x against itself, diagonal included).
  /// All γ share one distance computation. Returns one N_x-vector per γ.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gaussianRowSums<S: BLASScalar>(
    _ x: Matrix<S>, _ y: Matrix<S>? = nil, gammas: [Double]
  ) throws -> [[Double]] {
    let other = y ?? x
    try checkPair(x, other)
    let nx = x.rows
    if y == nil, symmetricFits(rows: nx, accumulators: 1) {
      // x against itself: the symmetric pass (half the pairs), one γ after another.
      var out: [[Double]] = []
      for gamma in gammas {
        guard let r = try _symmetricKernelSums(x, gammaB: gamma, a: .none, groups: nil) else { break }
        out.append(r.rowB)
      }
      if out.count == gammas.count { return out }
    }
    var sums = [[Double]](repeating: [Double](repeating: 0, count: nx), count: gammas.count)
    let plan = _DistancePlan(rows: x, columns: other)
    let g = gammas
    try withMutableBuffers(&sums) { acc in
      try forEachTile([plan]) { rowRange, colRange, tiles in
        let d = tiles[0]
        let w = colRange.count
        let k = UnsafeMutablePointer<Double>.allocate(capacity: 2 * w)
        defer { k.deallocate() }
        for (s, gamma) in g.enumerated() {
          // Two rows at a time: two independent sums, each in column order (the same values).
          var r = 0
          while r + 1 < rowRange.count {
            _kernelRow(d, row: r, width: w, scale: -gamma, into: k)
            _kernelRow(d, row: r + 1, width: w, scale: -gamma, into: k + w)
            var total0 = 0.0
            var total1 = 0.0
            for c in 0..<w {
              total0 += k[c]
              total1 += k[w + c]
            }
            acc[s][rowRange.lowerBound + r] += total0
            acc[s][rowRange.lowerBound + r + 1] += total1
            r += 2
          }
          if r < rowRange.count {
            _kernelRow(d, row: r, width: w, scale: -gamma, into: k)
            var total = 0.0
            for c in 0..<w { total += k[c] }
            acc[s][rowRange.lowerBound + r] += total
          }
        }
      }
    }
    return sums
  }

  /// Row log-sum-exps ℓ_i = log Σ_j exp(−γ_s · D_ij) for each γ_s, computed stably
  /// (running maximum per row), so rows whose every term underflows stay finite.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, _ y: Matrix<S>? = nil, gammas: [Double]
  ) throws -> [[Double]] {
    let other = y ?? x
    try checkPair(x, other)
    let nx = x.rows
    // Per γ and row: running max m (of −γD) and sum s of exp(−γD − m).
    var maxima = [[Double]](repeating: [Double](repeating: -Double.infinity, count: nx), count: gammas.count)
    var sums = [[Double]](repeating: [Double](repeating: 0, count: nx), count: gammas.count)
    let plan = _DistancePlan(rows: x, columns: other)
    let g = gammas
    try withMutableBuffers(&maxima) { mx in
      try withMutableBuffers(&sums) { acc in
        try forEachTile([plan]) { rowRange, colRange, tiles in
          let d = tiles[0]
          let w = colRange.count
          let k = UnsafeMutablePointer<Double>.allocate(capacity: w)
          defer { k.deallocate() }
          for (s, gamma) in g.enumerated() {
            for r in 0..<rowRange.count {
              let base = r * w
              var minD = Double.infinity
              for c in 0..<w { minD = Swift.min(minD, Double(d[base + c])) }
              let tileMax = -gamma * minD
              let i = rowRange.lowerBound + r
              let m = Swift.max(mx[s][i], tileMax)
              // Every term of the row so far underflows even against its largest (γ·D = ∞):
              // they add nothing, and shifting by −m = +∞ would make them ∞ − ∞ = NaN.
              if m == -.infinity { continue }
              _kernelRow(d, row: r, width: w, scale: -gamma, shift: -m, into: k)
              var total = 0.0
              for c in 0..<w { total += k[c] }
              acc[s][i] = acc[s][i] * exp(mx[s][i] - m) + total
              mx[s][i] = m
            }
          }
        }
      }
    }
    return zip(maxima, sums).map { m, s in zip(m, s).map { $0 + log($1) } }
  }

  /// The three reductions of kernel-based dependence measures between two views of the
  /// same N samples, A (N×a) and B (N×b), with Kᴬ = exp(−γ_A Dᴬ) and Kᴮ = exp(−γ_B Dᴮ):
  /// row sums Σ_j Kᴬ_ij, Σ_j Kᴮ_ij and the Hadamard-product sum Σ_ij Kᴬ_ij Kᴮ_ij.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func pairedGaussianSums<S: BLASScalar>(
    _ a: Matrix<S>, gammaA: Double, _ b: Matrix<S>, gammaB: Double
  ) throws -> PairedKernelSums {
    let r = try pairedGaussianRowSums(a, gammaA: gammaA, b, gammaB: gammaB)
    return PairedKernelSums(rowSumsA: r.rowSumsA, rowSumsB: r.rowSumsB, hadamardSum: r.rowHadamardSums.reduce(0, +))
  }

  /// Per-row version of `pairedGaussianSums`, with optional cross sets: for views A and B of
  /// the same N samples, Kᴬ_ij = exp(−γ_A ‖a_i − a′_j‖²) and Kᴮ_ij = exp(−γ_B ‖b_i − b′_j‖²),
  /// where a′ = `aColumns` (default: A itself) and b′ = `bColumns` (default: B itself), returns
  /// Σ_j Kᴬ_ij, Σ_j Kᴮ_ij and Σ_j Kᴬ_ij Kᴮ_ij for every row i.
  ///
  /// The conditional Cauchy–Schwarz divergence needs the per-row Hadamard sums, and its cross
  /// term pairs a kernel within X with a kernel between two different sets (ŷ against y).
  /// Same engine, same memory (O(N·tile)); added next to `pairedGaussianSums`, which is unchanged.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func pairedGaussianRowSums<S: BLASScalar>(
    _ a: Matrix<S>, _ aColumns: Matrix<S>? = nil, gammaA: Double,
    _ b: Matrix<S>, _ bColumns: Matrix<S>? = nil, gammaB: Double
  ) throws -> PairedKernelRowSums {
    let ac = aColumns ?? a
    let bc = bColumns ?? b
    try checkPair(a, ac)
    try checkPair(b, bc)
    guard a.rows == b.rows, ac.rows == bc.rows else {
      throw NumericsError.shapeMismatch(
        "paired kernel sums need the same samples: \(a.rows)×\(ac.rows) vs \(b.rows)×\(bc.rows)")
    }
    if aColumns == nil, bColumns == nil,
      let r = try _symmetricKernelSums(b, gammaB: gammaB, a: .computed(a, gamma: gammaA), groups: nil),
      let rowA = r.rowA, let rowH = r.rowH
    {
      // Both views against themselves: the symmetric pass (half the pairs).
      return PairedKernelRowSums(rowSumsA: rowA, rowSumsB: r.rowB, rowHadamardSums: rowH)
    }
    let n = a.rows
    var rowA = [Double](repeating: 0, count: n)
    var rowB = [Double](repeating: 0, count: n)
    var rowH = [Double](repeating: 0, count: n)
    let plans = [_DistancePlan(rows: a, columns: ac), _DistancePlan(rows: b, columns: bc)]
    try rowA.withUnsafeMutableBufferPointer { ra in
      try rowB.withUnsafeMutableBufferPointer { rb in
        try rowH.withUnsafeMutableBufferPointer { rh in
          try forEachTile(plans) { rowRange, colRange, tiles in
            let w = colRange.count
            let ka = UnsafeMutablePointer<Double>.allocate(capacity: 2 * w)
            let kb = UnsafeMutablePointer<Double>.allocate(capacity: 2 * w)
            defer {
              ka.deallocate()
              kb.deallocate()
            }
            // Two rows at a time (`_pairedRowSums2`: the same sums as one at a time).
            var r = 0
            while r + 1 < rowRange.count {
              _kernelRow(tiles[0], row: r, width: w, scale: -gammaA, into: ka)
              _kernelRow(tiles[1], row: r, width: w, scale: -gammaB, into: kb)
              _kernelRow(tiles[0], row: r + 1, width: w, scale: -gammaA, into: ka + w)
              _kernelRow(tiles[1], row: r + 1, width: w, scale: -gammaB, into: kb + w)
              let (sa0, sb0, sh0, sa1, sb1, sh1) = _pairedRowSums2(ka, kb, ka + w, kb + w, width: w)
              let i = rowRange.lowerBound + r
              ra[i] += sa0
              rb[i] += sb0
              rh[i] += sh0
              ra[i + 1] += sa1
              rb[i + 1] += sb1
              rh[i + 1] += sh1
              r += 2
            }
            if r < rowRange.count {
              _kernelRow(tiles[0], row: r, width: w, scale: -gammaA, into: ka)
              _kernelRow(tiles[1], row: r, width: w, scale: -gammaB, into: kb)
              let (sa, sb, sh) = _pairedRowSums(ka, kb, width: w)
              let i = rowRange.lowerBound + r
              ra[i] += sa
              rb[i] += sb
              rh[i] += sh
            }
          }
        }
      }
    }
    return PairedKernelRowSums(rowSumsA: rowA, rowSumsB: rowB, rowHadamardSums: rowH)
  }

  // MARK: Engine

  /// (Σ_c a[c], Σ_c b[c], Σ_c a[c]·b[c]) over one row of two kernel tiles, in column order: the
  /// one accumulation of the paired sums, stored Kᴬ or not, so both passes round alike.
  @inline(__always)
  func _pairedRowSums(
    _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, width w: Int
  ) -> (Double, Double, Double) {
    var sa = 0.0
    var sb = 0.0
    var sh = 0.0
    for c in 0..<w {
      sa += a[c]
      sb += b[c]
      sh += a[c] * b[c]
    }
    return (sa, sb, sh)
  }

  /// The paired sums of two rows at once: `_pairedRowSums` of (a0, b0) and of (a1, b1), each of
  /// the six sums in column order exactly as there, so the same values bit for bit; six
  /// independent chains of additions instead of three, which the one-row loop waited on.
  @inline(__always)
  func _pairedRowSums2(
    _ a0: UnsafePointer<Double>, _ b0: UnsafePointer<Double>, _ a1: UnsafePointer<Double>, _ b1: UnsafePointer<Double>,
    width w: Int
  ) -> (Double, Double, Double, Double, Double, Double) {
    var sa0 = 0.0
    var sb0 = 0.0
    var sh0 = 0.0
    var sa1 = 0.0
    var sb1 = 0.0
    var sh1 = 0.0
    for c in 0..<w {
      sa0 += a0[c]
      sb0 += b0[c]
      sh0 += a0[c] * b0[c]
      sa1 += a1[c]
      sb1 += b1[c]
      sh1 += a1[c] * b1[c]
    }
    return (sa0, sb0, sh0, sa1, sb1, sh1)
  }

  /// out[c] = exp(scale · D[row, c] + shift) for one row of a distance tile, through libmvec's
  /// vector exp (AVX2 or SSE2, chosen at run time; < 4 ulp). The corresponding C function is
  /// `ibp_exp_inplace` (glibc `_ZGVdN4v_exp` / `_ZGVbN2v_exp`). The exponents are formed
  /// through raw pointers with unchecked index arithmetic so that the loop vectorises (with
  /// `d[base + c]` the overflow check of every index kept it scalar: ~20 % of a CS job).
  @inline(__always)
  func _kernelRow<S: BLASScalar>(
    _ d: UnsafeBufferPointer<S>, row r: Int, width w: Int, scale: Double, shift: Double = 0,
    into out: UnsafeMutablePointer<Double>
  ) {
    let row = d.baseAddress! + r &* w
    for c in 0..<w { out[c] = scale * Double(row[c]) + shift }
    ibp_exp_inplace(out, w)
  }

  /// Visits every (row block, column block) of the distance matrices of `plans` (all with
  /// the same row and column counts). `body` receives the block's row and column ranges and
  /// one row-major squared-distance block per plan, `rowRange.count × colRange.count`.
  /// `body` may run concurrently for different row blocks; it must only write state indexed
  /// by rows in its `rowRange`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func forEachTile<S: BLASScalar>(
    _ plans: [_DistancePlan<S>],
    _ body: (Range<Int>, Range<Int>, [UnsafeBufferPointer<S>]) -> Void
  ) throws {
    guard let first = plans.first else { return }
    let n = first.rowCount
    let m = first.columnCount
    try checkTilePlans(plans)
    if n == 0 || m == 0 { return }
    let t = tileSize
    let rowBlocks = (n + t - 1) / t
    let colBlocks = (m + t - 1) / t
    Parallel.forEach(rowBlocks, threads: threads) { rb in
      let r0 = rb * t
      let r1 = Swift.min(n, r0 + t)
      let buffers = plans.map { _ in UnsafeMutableBufferPointer<S>.allocate(capacity: t * t) }
      defer { for b in buffers { b.deallocate() } }
      for cb in 0..<colBlocks {
        let c0 = cb * t
        let c1 = Swift.min(m, c0 + t)
        for (k, p) in plans.enumerated() {
          p.fillDistances(rows: r0..<r1, columns: c0..<c1, into: buffers[k])
        }
        body(r0..<r1, c0..<c1, buffers.map { UnsafeBufferPointer($0) })
      }
    }
  }

  /// Throws unless `plans` have the same row and column counts, BLAS-sized dimensions and
  /// squared norms whose distances stay finite (the checks of `forEachTile`).
  func checkTilePlans<S: BLASScalar>(_ plans: [_DistancePlan<S>]) throws {
    guard let first = plans.first else { return }
    let n = first.rowCount
    let m = first.columnCount
    for p in plans where p.rowCount != n || p.columnCount != m {
      throw NumericsError.shapeMismatch("all views must have the same samples")
    }
    let t = tileSize
    for p in plans {
      _ = try _blasInt(p.dimension, "dimension")
      _ = try _blasInt(Swift.min(t, m), "tile")
      // D = ‖x‖² + ‖y‖² − 2x·y stays finite when every squared norm is below a quarter of the
      // largest finite value; above it the tile would hold ∞ − ∞ = NaN. The estimators bring
      // their data to unit scale first (`_KernelFrame`), so only raw callers can get here.
      guard p.largestSquaredNorm <= S.greatestFiniteMagnitude / 4 else {
        throw NumericsError.tooLarge(
          "squared distances of points with squared norm up to \(p.largestSquaredNorm) overflow \(S.self); rescale the data")
      }
    }
  }

  func checkPair<S: BLASScalar>(_ x: Matrix<S>, _ y: Matrix<S>) throws {
    guard x.columns == y.columns else {
      throw NumericsError.shapeMismatch("distances between \(x.columns)- and \(y.columns)-dimensional points")
    }
    if let i = x.firstNonFiniteIndex() {
      throw NumericsError.nonFinite("element \(i) (row \(i / Swift.max(x.columns, 1))) is \(x.elements[i])")
    }
    if let i = y.firstNonFiniteIndex() {
      throw NumericsError.nonFinite("element \(i) (row \(i / Swift.max(y.columns, 1))) is \(y.elements[i])")
    }
  }

  private func withMutableBuffers<R>(
    _ arrays: inout [[Double]], _ body: ([UnsafeMutableBufferPointer<Double>]) throws -> R
  ) rethrows -> R {
    let buffers = arrays.map { a -> UnsafeMutableBufferPointer<Double> in
      let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: a.count)
      _ = b.initialize(from: a)
      return b
    }
    defer { for b in buffers { b.deallocate() } }
    let r = try body(buffers)
    for k in arrays.indices { arrays[k] = Array(buffers[k]) }
    return r
  }
}

/// Row sums of two Gram matrices over the same samples and the sum of their Hadamard product.
public struct PairedKernelSums: Sendable, Equatable {
  public var rowSumsA: [Double]
  public var rowSumsB: [Double]
  public var hadamardSum: Double
  /// Σ_ij Kᴬ_ij.
  public var totalA: Double { rowSumsA.reduce(0, +) }
  /// Σ_ij Kᴮ_ij.
  public var totalB: Double { rowSumsB.reduce(0, +) }
  /// Σ_i (Σ_j Kᴬ_ij)(Σ_j Kᴮ_ij).
  public var rowSumDot: Double { zip(rowSumsA, rowSumsB).reduce(0) { $0 + $1.0 * $1.1 } }
}

/// Per-row sums of two kernel matrices over the same rows and of their Hadamard product.
public struct PairedKernelRowSums: Sendable, Equatable {
  public var rowSumsA: [Double]
  public var rowSumsB: [Double]
  /// Σ_j Kᴬ_ij Kᴮ_ij for each row i.
  public var rowHadamardSums: [Double]
  /// Σ_{j : group_j = group_i} Kᴮ_ij for each row i, when the pass was given groups.
  public var withinGroupRowSumsB: [Double]? = nil
}

/// Pre-processed point sets for tiled squared distances between rows of X and rows of Y:
/// both centred by X's column means (distances are translation-invariant; centring limits the
/// cancellation in ‖x‖² + ‖y‖² − 2x·y), with their squared row norms.
package struct _DistancePlan<S: BLASScalar>: Sendable {
  let x: Matrix<S>
  let y: Matrix<S>
  let xNorms: [S]
  let yNorms: [S]
  let sameSet: Bool
  /// max ‖row‖² over both sets after centring (+∞ when a norm overflows `S`).
  let largestSquaredNorm: S
  var rowCount: Int { x.rows }
  var columnCount: Int { y.rows }
  var dimension: Int { x.columns }

  package init(rows: Matrix<S>, columns: Matrix<S>) {
    let means = rows.columnMeans()
    func centred(_ m: Matrix<S>) -> Matrix<S> {
      var c = m
      for i in 0..<m.rows { for j in 0..<m.columns { c.elements[i * m.columns + j] -= S(means[j]) } }
      return c
    }
    self.sameSet = rows == columns
    self.x = centred(rows)
    self.y = sameSet ? x : centred(columns)
    self.xNorms = x.rowSquaredNorms().map { S($0) }
    self.yNorms = sameSet ? xNorms : y.rowSquaredNorms().map { S($0) }
    self.largestSquaredNorm = Swift.max(xNorms.max() ?? 0, yNorms.max() ?? 0)
  }

  /// Fills `out` (row-major, rows.count × columns.count) with clamped squared distances.
  /// The corresponding C function is `cblas_sgemm` / `cblas_dgemm`.
  @inline(__always)
  package func fillDistances(
    rows: Range<Int>, columns: Range<Int>, into out: UnsafeMutableBufferPointer<S>, avx2: Bool = _pairwiseRowKernels
  ) {
    let h = rows.count
    let w = columns.count
    let d = dimension
    if d > 0 {
      x.elements.withUnsafeBufferPointer { xe in
        y.elements.withUnsafeBufferPointer { ye in
          S.gemm(
            transA: false, transB: true, m: Int32(h), n: Int32(w), k: Int32(d), alpha: -2,
            a: xe.baseAddress! + rows.lowerBound * d, lda: Int32(d),
            b: ye.baseAddress! + columns.lowerBound * d, ldb: Int32(d), beta: 0,
            c: out.baseAddress!, ldc: Int32(w))
        }
      }
    } else {
      for k in 0..<(h * w) { out[k] = 0 }
    }
    // Branch-free over the row (the same sums and clamp as element by element, so the same
    // values), then the diagonal of a set against itself set to 0 afterwards. The row is
    // `ibp_distance_row_f/_d` (SSE2 vectors): Swift's `v < 0 ? 0 : v` loop compiled to a
    // compare and a jump per element (~9 % of a KDE or CS job, issue 17); with AVX2 their
    // 256-bit forms (`pairwise_row_kernels.h`), the same bits.
    yNorms.withUnsafeBufferPointer { yn in
      let ny = UnsafeRawPointer(yn.baseAddress! + columns.lowerBound)
      for r in 0..<h {
        let i = rows.lowerBound + r
        let nx = xNorms[i]
        let o = out.baseAddress! + r * w
        switch (S.blasPrecision, avx2) {
        case (.single, false):
          ibp_distance_row_f(
            UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self), Float(nx), ny.assumingMemoryBound(to: Float.self), w)
        case (.double, false):
          ibp_distance_row_d(
            UnsafeMutableRawPointer(o).assumingMemoryBound(to: Double.self), Double(nx), ny.assumingMemoryBound(to: Double.self), w)
        case (.single, true):
          ibp_distance_row_f_avx2(
            UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self), Float(nx), ny.assumingMemoryBound(to: Float.self), w)
        case (.double, true):
          ibp_distance_row_d_avx2(
            UnsafeMutableRawPointer(o).assumingMemoryBound(to: Double.self), Double(nx), ny.assumingMemoryBound(to: Double.self), w)
        }
        if sameSet && columns.contains(i) { o[i - columns.lowerBound] = 0 }
      }
    }
  }
}
