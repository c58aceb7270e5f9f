import CNative
#if canImport(Glibc)
  import Glibc
#endif

/// Half the pairs: the passes of a point set against itself visit only the tiles on and above
/// the diagonal (issue 17).
///
/// Every kernel reduction of a set against itself — KDE's row log-sums, the Cauchy–Schwarz and
/// α = 2 Rényi row and Hadamard sums — is a function of K_ij = exp(−γ D_ij) with D symmetric,
/// so each off-diagonal pair (i < j) is computed once and added both to row i and to row j:
/// half the distance GEMMs and half the exponentials of the full pass. On the diagonal tiles
/// only the pairs right of the diagonal are computed, and the self term (D_ii = 0, K_ii = 1)
/// is added without an exponential.
///
/// Determinism: the row blocks are dealt to `symmetricStripes` stripes (block b to stripe
/// b mod stripes), a number fixed independently of the thread count. A stripe is computed by
/// one worker, block after block and tile after tile in order, into its own accumulators;
/// the stripes' accumulators are then added in stripe order. So every sum sees the same
/// additions in the same order for any thread count, as in the full pass. The order differs
/// from the full pass's (a row's terms arrive partly through its row, partly through columns of
/// earlier blocks), so results equal the full pass's to rounding (relative ~1e-15), not bit
/// for bit; the full pass is kept as the reference of the tests and for sets too large for the
/// stripes' accumulators (`symmetricFits`).
///
/// Memory: stripes × accumulators × N doubles (N = 4,096, 8 stripes, 8 accumulators: 2 MB)
/// plus one distance tile per plan per worker.
extension TiledKernelSums {
  /// Stripes of row blocks: fixed, not the thread count, so that results do not depend on it.
  package static let symmetricStripes = 32
  /// Most bytes the stripes' accumulators may take by default (`symmetricAccumulatorBudget`);
  /// past it callers take the full pass.
  package static let symmetricAccumulatorBytes = 256 << 20

  /// Whether the symmetric pass over `n` rows with `accumulators` sums per row fits
  /// `symmetricAccumulatorBudget`.
  package func symmetricFits(rows n: Int, accumulators k: Int) -> Bool {
    let blocks = (n + tileSize - 1) / tileSize
    let stripes = Swift.min(blocks, Self.symmetricStripes)
    let (bytes, overflow) = stripes.multipliedReportingOverflow(by: k * n * MemoryLayout<Double>.stride)
    return !overflow && bytes <= symmetricAccumulatorBudget
  }

  /// Visits every tile (row block ≤ column block) of the distance matrices of `plans`, each a
  /// set against itself with the same rows. `body` gets the tile's rows and columns, one
  /// row-major distance tile per plan, and the accumulators of the worker's stripe: `k`
  /// blocks of N doubles, accumulator a of row i at `acc[a·N + i]`; it must add a pair's
  /// contribution to both rows through them (and only to rows of the tile). Returns the `k`
  /// accumulators per row, the stripes added in order. The caller checks `symmetricFits`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func forEachUpperTile<S: BLASScalar>(
    _ plans: [_DistancePlan<S>], accumulators k: Int,
    _ body: (Range<Int>, Range<Int>, [UnsafeBufferPointer<S>], UnsafeMutablePointer<Double>) -> Void
  ) throws -> [[Double]] {
    guard let first = plans.first else { return [] }
    try checkTilePlans(plans)
    let n = first.rowCount
    guard plans.allSatisfy({ $0.sameSet && $0.rowCount == n }) else {
      throw NumericsError.shapeMismatch("the symmetric pass takes sets of the same samples against themselves")
    }
    if n == 0 || k == 0 { return [[Double]](repeating: [Double](repeating: 0, count: n), count: k) }
    let t = tileSize
    let blocks = (n + t - 1) / t
    let stripes = Swift.min(blocks, Self.symmetricStripes)
    let acc = UnsafeMutableBufferPointer<Double>.allocate(capacity: stripes * k * n)
    defer { acc.deallocate() }
    acc.initialize(repeating: 0)
    Parallel.forEach(stripes, threads: threads) { s in
      let buffers = plans.map { _ in UnsafeMutableBufferPointer<S>.allocate(capacity: t * t) }
      defer { for b in buffers { b.deallocate() } }
      let own = acc.baseAddress! + s * k * n
      var rb = s
      while rb < blocks {
        let r0 = rb * t
        let r1 = Swift.min(n, r0 + t)
        for cb in rb..<blocks {
          let c0 = cb * t
          let c1 = Swift.min(n, c0 + t)
          for (p, plan) in plans.enumerated() { plan.fillDistances(rows: r0..<r1, columns: c0..<c1, into: buffers[p]) }
          body(r0..<r1, c0..<c1, buffers.map { UnsafeBufferPointer($0) }, own)
        }
        rb += stripes
      }
    }
    var out = [[Double]](repeating: [Double](repeating: 0, count: n), count: k)
    for a in 0..<k {
      out[a].withUnsafeMutableBufferPointer { o in
        for s in 0..<stripes {
          let src = acc.baseAddress! + (s * k + a) * n
          for i in 0..<n { o[i] += src[i] }
        }
      }
    }
    return out
  }

  /// Row sums over a set against itself of one Gaussian kernel Kᴮ = exp(−γ_B Dᴮ), and with a
  /// second view A of the same samples (stored or computed) also Σ_j Kᴬ_ij and Σ_j Kᴬ_ij Kᴮ_ij,
  /// and with `groups` also Σ_{j : group_j = group_i} Kᴮ_ij; by the symmetric pass (half the
  /// pairs). Each sum is its own chain of additions, so Kᴮ's sums are the same bits with or
  /// without A, stored or computed (the stored kernel was computed through the same tiles).
  /// `nil` when the accumulators do not fit (`symmetricFits`).
  package func _symmetricKernelSums<S: BLASScalar>(
    _ b: Matrix<S>, gammaB: Double, a: _SymmetricSecondView<S>, groups: [Int32]?
  ) throws -> (rowA: [Double]?, rowB: [Double], rowH: [Double]?, withinB: [Double]?)? {
    let n = b.rows
    if let g = groups, g.count != n { throw NumericsError.shapeMismatch("\(g.count) group ids for \(n) rows") }
    try checkPair(b, b)
    var plans = [_DistancePlan(rows: b, columns: b)]
    var stored: StoredGaussianKernel?
    var gammaA = 0.0
    switch a {
    case .none: break
    case .stored(let kernel):
      guard kernel.count == n else {
        throw NumericsError.shapeMismatch("paired kernel sums need the same samples: \(kernel.count) stored vs \(n)")
      }
      guard kernel.tileSize == tileSize else {
        throw NumericsError.invalidParameter("a kernel stored with tiles of \(kernel.tileSize) read by an engine with tiles of \(tileSize)")
      }
      stored = kernel
    case .computed(let m, let gamma):
      guard m.rows == n else {
        throw NumericsError.shapeMismatch("paired kernel sums need the same samples: \(m.rows) vs \(n)")
      }
      try checkPair(m, m)
      plans.append(_DistancePlan(rows: m, columns: m))
      gammaA = gamma
    }
    let paired: Bool = {
      if case .none = a { return false }
      return true
    }()
    let grouped = groups != nil
    // Accumulators: B, then (A, H) when paired, then the within-group B.
    let iA = 1, iH = 2
    let iG = paired ? 3 : 1
    let k = 1 + (paired ? 2 : 0) + (grouped ? 1 : 0)
    guard symmetricFits(rows: n, accumulators: k) else { return nil }
    let gid = groups ?? []
    let storedValues = stored?.values ?? []
    let sums = try gid.withUnsafeBufferPointer { gb in
      try storedValues.withUnsafeBufferPointer { sv in
        try forEachUpperTile(plans, accumulators: k) { rowRange, colRange, tiles, acc in
          let w = colRange.count
          let c0 = colRange.lowerBound
          let diagonal = rowRange.lowerBound == c0
          _withScratchRows(4, width: w) { scratch in
            let (kb, kaBuffer, hBuffer, gBuffer) = (scratch[0], scratch[1], scratch[2], scratch[3])
            let colB = acc + c0
            let colA = acc + iA * n + c0
            let colH = acc + iH * n + c0
            let colG = acc + iG * n + c0
            for r in 0..<rowRange.count {
              let i = rowRange.lowerBound + r
              let start = diagonal ? r + 1 : 0
              // The self term: D_ii = 0, so Kᴮ_ii = 1 and Kᴬ_ii is A's diagonal (1, or the stored value).
              if diagonal {
                let selfA: Double = paired ? (stored != nil ? sv[i * n + i] : 1) : 0
                acc[i] += 1
                if paired {
                  acc[iA * n + i] += selfA
                  acc[iH * n + i] += selfA
                }
                if grouped { acc[iG * n + i] += 1 }
              }
              let len = w - start
              if len <= 0 { continue }
              let drow = tiles[0].baseAddress! + r &* w
              for c in start..<w { kb[c] = -gammaB * Double(drow[c]) }
              ibp_exp_inplace(kb + start, len)
              var ka: UnsafePointer<Double>? = nil
              if stored != nil {
                ka = sv.baseAddress! + i * n + c0
              } else if paired {
                let arow = tiles[1].baseAddress! + r &* w
                for c in start..<w { kaBuffer[c] = -gammaA * Double(arow[c]) }
                ibp_exp_inplace(kaBuffer + start, len)
                ka = UnsafePointer(kaBuffer)
              }
              let sb = _addToRowAndColumns(kb, from: start, to: w, columns: colB)
              var sa = 0.0
              var sh = 0.0
              var sg = 0.0
              if let ka {
                for c in start..<w { hBuffer[c] = ka[c] * kb[c] }
                sa = _addToRowAndColumns(ka, from: start, to: w, columns: colA)
                sh = _addToRowAndColumns(hBuffer, from: start, to: w, columns: colH)
              }
              if grouped {
                let gi = gb[i]
                let grow = gb.baseAddress! + c0
                // A product with a 0/1 mask, not a select (which compiled to a mispredicted jump).
                for c in start..<w { gBuffer[c] = grow[c] == gi ? 1 : 0 }
                for c in start..<w { gBuffer[c] *= kb[c] }
                sg = _addToRowAndColumns(gBuffer, from: start, to: w, columns: colG)
              }
              acc[i] += sb
              if paired {
                acc[iA * n + i] += sa
                acc[iH * n + i] += sh
              }
              if grouped { acc[iG * n + i] += sg }
            }
          }
        }
      }
    }
    return (paired ? sums[iA] : nil, sums[0], paired ? sums[iH] : nil, grouped ? sums[iG] : nil)
  }
}

/// `count` scratch rows of `width` doubles for one tile of a symmetric pass, freed after `body`.
@inline(__always)
func _withScratchRows<R>(_ count: Int, width: Int, _ body: ([UnsafeMutablePointer<Double>]) throws -> R) rethrows -> R {
  let rows = (0..<count).map { _ in UnsafeMutablePointer<Double>.allocate(capacity: Swift.max(width, 1)) }
  defer { for r in rows { r.deallocate() } }
  return try body(rows)
}

/// Σ_{c ∈ start..<w} v[c], with every v[c] also added to columns[c]: the row's and the
/// columns' share of one stream of a symmetric tile. Four partial sums (c ≡ 0…3 mod 4 from
/// `start`) added as ((s0 + s1) + (s2 + s3)) + tail, a fixed order: one chain of additions per
/// stream waited on the previous addition at every element.
@inline(__always)
func _addToRowAndColumns(
  _ v: UnsafePointer<Double>, from start: Int, to w: Int, columns col: UnsafeMutablePointer<Double>
) -> Double {
  var s = SIMD4<Double>()
  var c = start
  while c &+ 4 <= w {
    let x = UnsafeRawPointer(v + c).loadUnaligned(as: SIMD4<Double>.self)
    s += x
    let y = UnsafeRawPointer(col + c).loadUnaligned(as: SIMD4<Double>.self) + x
    UnsafeMutableRawPointer(col + c).storeBytes(of: y, as: SIMD4<Double>.self)
    c &+= 4
  }
  var tail = 0.0
  while c < w {
    tail += v[c]
    col[c] += v[c]
    c &+= 1
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + tail
}

/// The second view of `TiledKernelSums._symmetricKernelSums`.
package enum _SymmetricSecondView<S: BLASScalar> {
  case none
  /// Kᴬ read from a stored kernel matrix.
  case stored(StoredGaussianKernel)
  /// Kᴬ = exp(−γ Dᴬ) computed on the rows of the matrix, tile by tile.
  case computed(Matrix<S>, gamma: Double)
}
