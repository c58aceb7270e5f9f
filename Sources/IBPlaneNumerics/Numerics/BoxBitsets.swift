import CNative

/// Exact max-norm neighbour queries by per-coordinate rank bitsets ("box counting").
///
/// Under the max-norm, ‖x_j − x_i‖∞ < r (or ≤ r) holds exactly when |x_jc − x_ic| < r in every
/// coordinate c: the ball is an axis-aligned box, the intersection of one slab per coordinate.
/// Sorted by coordinate c, a slab is a contiguous range of ranks [a_c, b_c), found by binary
/// search with the same floating-point predicate a direct scan uses (subtraction is monotone,
/// see `SortedNeighbors1D.swift`). The box is then the AND over coordinates of the slabs' point
/// sets, held as bitsets over the original row indices; its population count is the radius
/// count, its set bits the candidates of a kNN query.
///
/// Slab bitsets come from *prefix* bitsets: P_c(p) = {rows of rank < p in coordinate c}, stored
/// at every `spacing`-th rank (checkpoints), and slab(a, b) = P_c(b) XOR P_c(a). For a count, a
/// prefix between checkpoints is the nearest checkpoint with the rows in between toggled (at most
/// spacing/2 each), so every slab — and the count — is exact. For a kNN query the slabs are only
/// widened to the enclosing checkpoints (a superset of the box: candidates, whose distances are
/// computed directly). A query costs O(d · (N/64 + spacing)) word operations on rows of a
/// table sized for the last-level cache — linear in N but with a tiny constant, and
/// independent of how many points the box holds. This is what makes KSG fast in 5–20
/// dimensions, where a k-d tree's radius searches degenerate: KSG's marginal radii are the
/// joint k-th neighbour distances, so a marginal box holds hundreds or thousands of points.
/// When one slab is narrow (few rows), its rows are checked directly instead. On processors with
/// AVX2 the word loops (slab XORs, ANDs, the count's population count) run as C kernels
/// (`CNative/knn_kernels.h`, four words per operation and POPCNT; the same bits): 10 + 10 at
/// N = 10⁵, one marginal count on one thread 2.46–2.52 → 1.98–2.01 s. From the second
/// coordinate on, a count ANDs each slab's checkpoint XOR into the running box in one pass and
/// then flips the toggled rows the box held before (acc ∧ (X ⊕ T) = (acc ∧ X) ⊕ (acc ∧ T)),
/// instead of toggling a copy and ANDing it: 1.62–1.65 → 1.49–1.54 s for that count
/// (`IBPLANE_BENCH_N=100000 IBPLANE_BENCH_D=10 ibplane-bench ksg-profile`, alternated runs).
/// Slabs are ANDed narrowest first, and from the second on only on the 8-word blocks where the
/// running box still has a bit (in k-d-tree row order a shrinking box empties whole blocks):
/// one 10-d marginal count at N = 10⁵, 2 workers, 0.84–0.86 → 0.72–0.73 s (`ksg-engines`).
///
/// kNN queries need, per query, an upper bound u_i on the k-th neighbour distance (any k other
/// points give one: here the k nearest among the query's neighbours in k-d-tree leaf order).
/// Every point within u_i is a candidate, every candidate's distance is computed directly and
/// offered to the same (distance, index) heap as the other engines, so the answer is exact and
/// identical to the k-d tree's and brute force's.
///
/// Memory: d · (N/spacing + 2) · N/8 bytes of checkpoints (the spacing, a power of two ≥ 256, is
/// chosen so this stays under `memoryBudget` where it can), plus the sorted coordinates and
/// ranks (12 N d bytes) and a copy of the points (8 N d bytes).
// @unchecked Sendable: the buffers are filled in `init` and only read afterwards (queries from
// several workers read them concurrently); they are freed in `deinit`, after the last reader.
package final class _BoxBitsets: @unchecked Sendable {
  /// Target size of the checkpoint tables, bytes: small enough to stay in a server's last-level
  /// cache, where the per-query rows are read from (tables that spill to RAM measured slower).
  static let memoryBudget = 16 << 20

  let n: Int
  let d: Int
  /// Words per bitset row: ⌈n/64⌉ rounded up to whole 8-word blocks (the padding words are
  /// zero in every row), so the block-sparse loops never meet a partial block.
  let words: Int
  let spacing: Int
  let checkpointCount: Int
  /// Row-major copy of the coordinates (n × d) in query order: internal row t is the set's row
  /// `order[t]`. Ranks, bitsets and `box` work on internal rows.
  private let data: UnsafeMutablePointer<Double>
  /// Coordinate-major sorted values: sorted[c * n + t] is the t-th smallest value of coordinate c.
  private let sorted: UnsafeMutablePointer<Double>
  /// Every 64th sorted value of each coordinate, the upper level of the slab searches.
  private let slabIndex: _SlabIndex
  /// rowAt[c * n + t]: the row holding rank t in coordinate c (ties ordered by row).
  private let rowAt: UnsafeMutablePointer<Int32>
  /// prefix[(c * checkpointCount + q) * words ..]: rows of rank < min(q · spacing, n) in c.
  private let prefix: UnsafeMutablePointer<UInt64>
  /// Query order: rows in k-d-tree leaf order (spatially close queries share cache lines).
  let order: [Int]
  /// Whether the word loops run the AVX2 / POPCNT kernels of `CNative/knn_kernels.h` (same
  /// bits as the Swift loops, which run otherwise).
  let avx2: Bool

  /// Smallest power-of-two spacing ≥ 256 keeping the checkpoints under the budget.
  ///
  /// The spacing is capped at N/32 (as a power of two): beyond that the rows toggled per slab
  /// end (≤ spacing/2) would outnumber the N/64 words of a slab, so the table may then exceed
  /// the budget — about 4·d·N bytes at the cap (48 MB at N = 400,000, d = 20; 305 MB for raw
  /// 256 + 256-pixel images at N = 100,000).
  static func spacing(samples n: Int, dimension d: Int) -> Int {
    let words = (n + 63) / 64
    var cap = 256
    while cap * 2 <= n / 32 { cap *= 2 }
    var s = 256
    while s < cap && d * ((n + s - 1) / s + 1) * words * 8 > memoryBudget { s *= 2 }
    return s
  }

  /// - Parameter order: the order in which queries are processed (a permutation of 0..<n); it
  ///   does not change any result.
  ///   - avx2: use the AVX2 word loops where the processor has them (false: the Swift loops;
  ///     the tests compare).
  package init(_ set: _NeighborPoints, order: [Int], avx2: Bool = true) {
    precondition(!set.euclidean, "box bitsets need the max-norm")
    self.avx2 = avx2 && _KDTreeView.avx2Kernels
    n = set.count
    d = set.dimension
    words = ((n + 63) / 64 + 7) & ~7
    spacing = Self.spacing(samples: n, dimension: d)
    checkpointCount = (n + spacing - 1) / spacing + 1
    self.order = order
    data = .allocate(capacity: n * d)
    sorted = .allocate(capacity: n * d)
    rowAt = .allocate(capacity: n * d)
    prefix = .allocate(capacity: d * checkpointCount * words)
    slabIndex = _SlabIndex(count: n, columns: d)
    // Rows renumbered by query order: internal row t is the set's row order[t], so a query's
    // candidates — spatially close points — sit close in `data` too, and consecutive queries
    // read the same rows (the candidate checks of a 20-d kNN were mostly cache misses).
    set.data.withUnsafeBufferPointer { src in
      for (t, i) in order.enumerated() {
        (self.data + t * self.d).initialize(from: src.baseAddress! + i * self.d, count: self.d)
      }
    }
    let (n, d, words, spacing, cpc) = (self.n, self.d, self.words, self.spacing, checkpointCount)
    let (data, sorted, rowAt, prefix) = (self.data, self.sorted, self.rowAt, self.prefix)
    Parallel.forEach(d) { c in
      // Rows by (value, row): the permutation of the comparison sort, by radix (`RadixOrder.swift`).
      let rows = _radixOrder(UnsafeBufferPointer(start: data, count: n * d), offset: c, count: n, stride: d)
      for t in 0..<n {
        sorted[c * n + t] = data[Int(rows[t]) * d + c]
        rowAt[c * n + t] = rows[t]
      }
      let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
      defer { bits.deallocate() }
      bits.initialize(repeating: 0, count: words)
      for q in 0..<cpc {
        (prefix + (c * cpc + q) * words).initialize(from: bits, count: words)
        let end = Swift.min((q + 1) * spacing, n)
        var t = q * spacing
        while t < end {
          let j = Int(rows[t])
          bits[j >> 6] |= 1 << UInt64(j & 63)
          t += 1
        }
      }
    }
    slabIndex.fill(from: sorted, count: n, columns: d)
  }

  deinit {
    slabIndex.free()
    data.deallocate()
    sorted.deallocate()
    rowAt.deallocate()
    prefix.deallocate()
  }

  /// Ranks [a, b) of coordinate c whose value v satisfies |v − x| < r (or ≤ r), with the
  /// subtraction done exactly as a direct scan does it (`_maxNormSlab`).
  @inline(__always)
  private func slab(_ c: Int, _ x: Double, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
    _maxNormSlab(
      sorted + c * n, count: n, x, r, inclusive, blockEnds: slabIndex.ends + c * slabIndex.blocks, blocks: slabIndex.blocks)
  }

  /// The slabs of q in every coordinate of `dims` into s.lo / s.hi: four coordinates at a time,
  /// their eight lane bisections side by side (`slabs4`), where one coordinate's two lanes left
  /// the processor waiting on a chain of dependent loads (a quarter of a count at N = 10⁴).
  /// With AVX2, eight coordinates at a time in C (`ibp_box_slabs_avx2`, the same bisections):
  /// compiled for SSE2, `slabs4` spent ~470 ns per call in lane extracts and mask shuffles, a
  /// third of a 5 + 5 KSG estimate at N = 10⁴ (`perf`); the kernel took that estimate from
  /// 47 to 40 ms and 10 + 10 from 90 to 78 ms (`ksg-profile`, 2 workers).
  @inline(__always)
  private func slabs(_ q: UnsafePointer<Double>, _ dims: Range<Int>, _ r: Double, _ inclusive: Bool, _ s: Scratch) {
    guard inclusive ? r >= 0 : r > 0 else {
      for c in dims {
        let (a, b) = slab(c, q[c], r, inclusive)
        s.lo[c - dims.lowerBound] = a
        s.hi[c - dims.lowerBound] = b
      }
      return
    }
    if avx2 {
      // The same bisections in AVX2, up to eight coordinates side by side (`ibp_box_slabs_avx2`).
      ibp_box_slabs_avx2(
        sorted, slabIndex.ends, n, slabIndex.blocks, _SlabIndex.shift, q, dims.lowerBound, dims.count, r,
        inclusive ? 1 : 0, s.lo, s.hi)
      return
    }
    var c0 = dims.lowerBound
    while c0 < dims.upperBound {
      let m = Swift.min(4, dims.upperBound - c0)
      let ends = slabs4(q, c0, m, r, inclusive)
      for k in 0..<m {
        s.lo[c0 + k - dims.lowerBound] = Int(ends[2 * k + 1])
        s.hi[c0 + k - dims.lowerBound] = Int(ends[2 * k])
      }
      c0 += m
    }
  }

  /// `_maxNormSlab(_:count:_:_:_:blockEnds:blocks:shift:)` for coordinates c0 ..< c0 + m (m ≤ 4;
  /// the lanes of missing coordinates repeat the last one): lane 2k holds b and lane 2k + 1
  /// holds a of coordinate c0 + k, each found by exactly the steps of the one-coordinate search.
  /// Needs r > 0 (r ≥ 0 when inclusive).
  @inline(__always)
  private func slabs4(_ q: UnsafePointer<Double>, _ c0: Int, _ m: Int, _ r: Double, _ inclusive: Bool) -> SIMD8<Int64> {
    var column = SIMD8<Int64>()
    var endsAt = SIMD8<Int64>()
    var xs = SIMD8<Double>()
    for lane in 0..<8 {
      let c = c0 + Swift.min(lane >> 1, m - 1)
      column[lane] = Int64(c * n)
      endsAt[lane] = Int64(c * slabIndex.blocks)
      xs[lane] = q[c]
    }
    let sign = SIMD8<Double>(1, -1, 1, -1, 1, -1, 1, -1)
    let flip: SIMDMask<SIMD8<Int64>> = [false, true, false, true, false, true, false, true]
    let rs = SIMD8(repeating: r)
    @inline(__always) func holds(_ v: SIMD8<Double>) -> SIMDMask<SIMD8<Int64>> {
      let u = (v - xs) * sign
      return (inclusive ? u .<= rs : u .< rs) .^ flip
    }
    @inline(__always) func gather(_ base: UnsafePointer<Double>, _ at: SIMD8<Int64>) -> SIMD8<Double> {
      SIMD8(
        base[Int(at[0])], base[Int(at[1])], base[Int(at[2])], base[Int(at[3])],
        base[Int(at[4])], base[Int(at[5])], base[Int(at[6])], base[Int(at[7])])
    }
    let ends = UnsafePointer(slabIndex.ends)
    var block = SIMD8<Int64>()
    var len = slabIndex.blocks
    while len > 1 {
      let half = len >> 1
      block = block.replacing(with: block &+ Int64(half), where: holds(gather(ends, endsAt &+ block &+ Int64(half - 1))))
      len -= half
    }
    block = block.replacing(with: block &+ 1, where: holds(gather(ends, endsAt &+ block)))
    let last = SIMD8<Int64>(repeating: Int64(n - 1))
    let values = UnsafePointer(sorted)
    @inline(__always) func value(_ at: SIMD8<Int64>) -> SIMD8<Double> {
      gather(values, column &+ at.replacing(with: last, where: at .> last))
    }
    var base = block &<< Int64(_SlabIndex.shift)
    len = 1 << _SlabIndex.shift
    while len > 1 {
      let half = len >> 1
      base = base.replacing(with: base &+ Int64(half), where: holds(value(base &+ Int64(half - 1))))
      len -= half
    }
    base = base.replacing(with: base &+ 1, where: holds(value(base)))
    let count = SIMD8<Int64>(repeating: Int64(n))
    return base.replacing(with: count, where: base .> count)
  }

  /// For tests: the slabs of row i in `dims` as `box` computes them, and as the one-coordinate
  /// search does.
  package func slabsForTesting(row i: Int, dims: Range<Int>, radius r: Double, inclusive: Bool) -> (batched: [Int], single: [Int]) {
    let s = Scratch(words: words, dims: dims.count, spacing: spacing)
    defer { s.free() }
    let q = data + order.firstIndex(of: i)! * d
    slabs(q, dims, r, inclusive, s)
    let batched = (0..<dims.count).flatMap { [s.lo[$0], s.hi[$0]] }
    let single = dims.flatMap { c -> [Int] in let (a, b) = slab(c, q[c], r, inclusive); return [a, b] }
    return (batched, single)
  }

  /// Scratch of one worker.
  private struct Scratch {
    let outer: UnsafeMutablePointer<UInt64>
    let inner: UnsafeMutablePointer<UInt64>
    let lo: UnsafeMutablePointer<Int>
    let hi: UnsafeMutablePointer<Int>
    /// Rows to flip after a fused slab pass (at most the rows between a slab's two ends and
    /// their nearest checkpoints: spacing / 2 each).
    let flips: UnsafeMutablePointer<Int32>
    /// The 8-word blocks where the running box still has a bit (`box`).
    let blocks: UnsafeMutablePointer<Int32>
    /// The coordinates whose slabs `box` ANDs, narrowest first.
    let slabOrder: UnsafeMutablePointer<Int>
    init(words: Int, dims: Int, spacing: Int) {
      outer = .allocate(capacity: words)
      inner = .allocate(capacity: words)
      lo = .allocate(capacity: dims)
      hi = .allocate(capacity: dims)
      flips = .allocate(capacity: spacing + 2)
      blocks = .allocate(capacity: words / 8)
      slabOrder = .allocate(capacity: dims)
    }
    func free() {
      outer.deallocate(); inner.deallocate(); lo.deallocate(); hi.deallocate(); flips.deallocate()
      blocks.deallocate(); slabOrder.deallocate()
    }
  }

  @inline(__always)
  private func row(_ c: Int, _ q: Int) -> UnsafeMutablePointer<UInt64> { prefix + (c * checkpointCount + q) * words }

  // The word loops: the AVX2 / POPCNT kernels of `CNative/knn_kernels.h` where `avx2`, else
  // the Swift loops (the same bits). A box's first slab is taken over all `words` words, every
  // later operation only on the 8-word blocks listed in blocks[0 ..< count].

  /// dst = a ⊕ b.
  @inline(__always)
  private func xorWords(_ dst: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>) {
    if avx2 { ibp_bits_xor_avx2(dst, a, b, words) } else { for w in 0..<words { dst[w] = a[w] ^ b[w] } }
  }

  /// acc ∧= a ⊕ b on the listed blocks.
  @inline(__always)
  private func andXorBlocks(
    _ acc: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
    _ blocks: UnsafePointer<Int32>, _ count: Int
  ) {
    if avx2 { ibp_bits_and_xor_blocks_avx2(acc, a, b, blocks, count); return }
    for u in 0..<count { for w in (8 * Int(blocks[u]))..<(8 * Int(blocks[u]) + 8) { acc[w] &= a[w] ^ b[w] } }
  }

  /// acc ∧= src on the listed blocks.
  @inline(__always)
  private func andBlocks(_ acc: UnsafeMutablePointer<UInt64>, _ src: UnsafePointer<UInt64>, _ blocks: UnsafePointer<Int32>, _ count: Int) {
    if avx2 { ibp_bits_and_blocks_avx2(acc, src, blocks, count); return }
    for u in 0..<count { for w in (8 * Int(blocks[u]))..<(8 * Int(blocks[u]) + 8) { acc[w] &= src[w] } }
  }

  /// dst = a ⊕ b on the listed blocks.
  @inline(__always)
  private func xorBlocks(
    _ dst: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
    _ blocks: UnsafePointer<Int32>, _ count: Int
  ) {
    if avx2 { ibp_bits_xor_blocks_avx2(dst, a, b, blocks, count); return }
    for u in 0..<count { for w in (8 * Int(blocks[u]))..<(8 * Int(blocks[u]) + 8) { dst[w] = a[w] ^ b[w] } }
  }

  /// Keeps, in order, the listed blocks of x that hold a set bit; returns how many.
  @inline(__always)
  private func compactBlocks(_ x: UnsafePointer<UInt64>, _ blocks: UnsafeMutablePointer<Int32>, _ count: Int) -> Int {
    if avx2 { return ibp_bits_compact_blocks_avx2(x, blocks, count) }
    var kept = 0
    for u in 0..<count {
      let j = blocks[u]
      var any: UInt64 = 0
      for w in (8 * Int(j))..<(8 * Int(j) + 8) { any |= x[w] }
      blocks[kept] = j
      kept += any != 0 ? 1 : 0
    }
    return kept
  }

  /// The number of set bits in the listed blocks.
  @inline(__always)
  private func popcountBlocks(_ x: UnsafePointer<UInt64>, _ blocks: UnsafePointer<Int32>, _ count: Int) -> Int {
    if avx2 { return ibp_bits_popcount_blocks_avx2(x, blocks, count) }
    var total = 0
    for u in 0..<count { for w in (8 * Int(blocks[u]))..<(8 * Int(blocks[u]) + 8) { total += x[w].nonzeroBitCount } }
    return total
  }

  /// Every block of x that holds a set bit, into s.blocks; returns how many.
  @inline(__always)
  private func allBlocks(_ x: UnsafePointer<UInt64>, _ s: Scratch) -> Int {
    for j in 0..<(words / 8) { s.blocks[j] = Int32(j) }
    return compactBlocks(x, s.blocks, words / 8)
  }

  /// The coordinates of `dims` whose slab (s.lo, s.hi) is not every row, into s.slabOrder,
  /// narrowest first (ties in coordinate order); returns how many.
  @inline(__always)
  private func orderSlabs(_ dims: Range<Int>, _ s: Scratch) -> Int {
    var m = 0
    for c in dims {
      let width = s.hi[c - dims.lowerBound] - s.lo[c - dims.lowerBound]
      if width == n { continue }
      var u = m
      while u > 0 && s.hi[s.slabOrder[u - 1] - dims.lowerBound] - s.lo[s.slabOrder[u - 1] - dims.lowerBound] > width {
        s.slabOrder[u] = s.slabOrder[u - 1]
        u -= 1
      }
      s.slabOrder[u] = c
      m += 1
    }
    return m
  }

  /// Rows are internal rows (query order). Without `enumerate`: the exact number of rows j — the
  /// query's own row i included — with |x_jc − x_ic| < r (≤ r if inclusive) for every c in
  /// `dims`. With `enumerate`: visits a *superset* of those rows (unverified: the visitor
  /// computes exact distances); returns 0.
  @inline(__always)
  private func box(
    _ i: Int, _ dims: Range<Int>, _ r: Double, _ inclusive: Bool, _ s: Scratch, enumerate: Bool, _ visit: (Int) -> Void
  ) -> Int {
    let q = data + i * d
    @inline(__always) func inBox(_ j: Int, skipping skip: Int) -> Bool {
      let p = data + j * d
      for c in dims where c != skip {
        let v = Swift.abs(p[c] - q[c])
        if inclusive ? !(v <= r) : !(v < r) { return false }
      }
      return true
    }
    if dims.count == 1 && !enumerate {
      let (a, b) = slab(dims.lowerBound, q[dims.lowerBound], r, inclusive)
      return Swift.max(0, b - a)
    }
    var narrowest = dims.lowerBound
    var narrowestSize = Int.max
    var used = 0
    slabs(q, dims, r, inclusive, s)
    for c in dims {
      let a = s.lo[c - dims.lowerBound], b = s.hi[c - dims.lowerBound]
      if b <= a { return 0 }
      if b - a < narrowestSize { narrowestSize = b - a; narrowest = c }
      if b - a < n { used += 1 }
    }
    if used == 0 {  // every slab holds every row
      if enumerate { for j in 0..<n { visit(j) } }
      return n
    }
    // Direct check of the narrowest slab's rows when that is cheaper than the bitset ANDs.
    if narrowestSize * 16 < used * words {
      let rows = rowAt + narrowest * n
      var count = 0
      for t in s.lo[narrowest - dims.lowerBound]..<s.hi[narrowest - dims.lowerBound] {
        let j = Int(rows[t])
        if enumerate { visit(j) } else if inBox(j, skipping: narrowest) { count += 1 }
      }
      return enumerate ? 0 : count
    }
    // Slabs are ANDed narrowest first, and after the first one only on the 8-word blocks where
    // the running box still has a bit (s.blocks): the box shrinks with every slab, and in
    // k-d-tree row order its rows gather in few blocks (10 + 10 at N = 10⁵, five sampled
    // marginal-count queries: 28–100 % of the cache lines still held a bit after half the slabs,
    // 14–60 % after all).
    // Blocks without a bit stay without one (an AND cannot set a bit), so skipping them changes
    // nothing; the flips of a fused pass only clear or restore bits the box held before it.
    let lb = dims.lowerBound
    let slabCount = orderSlabs(dims, s)
    if !enumerate {
      // Exact slabs: P(b) XOR P(a) with each prefix taken from the nearest checkpoint and the
      // rows between the checkpoint and the exact rank toggled.
      let acc = s.outer, tmp = s.inner
      var active = 0
      for u in 0..<slabCount {
        let c = s.slabOrder[u]
        let a = s.lo[c - lb], b = s.hi[c - lb]
        let qa = Swift.min((a + spacing / 2) / spacing, checkpointCount - 1)
        let qb = Swift.min((b + spacing / 2) / spacing, checkpointCount - 1)
        if u > 0 && qa != qb {
          // acc ∧ (P(b) ⊕ P(a) ⊕ T) = (acc ∧ (P(b) ⊕ P(a))) ⊕ (acc ∧ T), T the toggled rows:
          // note the rows of T that acc holds now, AND the checkpoints' XOR into acc in one
          // pass, then flip the noted rows. The same bits as toggling a copy and ANDing it,
          // without the copy's store and the second pass.
          var m = 0
          @inline(__always) func note(_ j: Int32) {
            s.flips[m] = j
            m &+= Int((acc[Int(j) >> 6] >> UInt64(j & 63)) & 1)
          }
          forEachRow(c, Swift.min(qa * spacing, n), a, note)
          forEachRow(c, Swift.min(qb * spacing, n), b, note)
          andXorBlocks(acc, row(c, qa), row(c, qb), s.blocks, active)
          for v in 0..<m {
            let j = Int(s.flips[v])
            acc[j >> 6] ^= 1 << UInt64(j & 63)
          }
        } else {
          let target = u == 0 ? acc : tmp
          if qa == qb {
            target.update(repeating: 0, count: words)
            toggle(c, a, b, target)
          } else {
            if u == 0 { xorWords(target, row(c, qa), row(c, qb)) } else { xorBlocks(target, row(c, qa), row(c, qb), s.blocks, active) }
            toggle(c, Swift.min(qa * spacing, n), a, target)
            toggle(c, Swift.min(qb * spacing, n), b, target)
          }
          if u > 0 { andBlocks(acc, tmp, s.blocks, active) }
        }
        active = u == 0 ? allBlocks(acc, s) : compactBlocks(acc, s.blocks, active)
        if active == 0 { return 0 }
      }
      return popcountBlocks(acc, s.blocks, active)
    }
    // kNN candidates: each slab widened to the enclosing checkpoints (a superset of the box).
    let outer = s.outer
    var active = 0
    for u in 0..<slabCount {
      let c = s.slabOrder[u]
      let a = s.lo[c - lb], b = s.hi[c - lb]
      let ra = row(c, a / spacing), rb = row(c, (b + spacing - 1) / spacing)
      if u == 0 {
        xorWords(outer, ra, rb)
        active = allBlocks(outer, s)
      } else {
        andXorBlocks(outer, ra, rb, s.blocks, active)
        active = compactBlocks(outer, s.blocks, active)
      }
    }
    for u in 0..<active {
      for w in (8 * Int(s.blocks[u]))..<(8 * Int(s.blocks[u]) + 8) {
        var bits = outer[w]
        while bits != 0 {
          visit(w << 6 | bits.trailingZeroBitCount)
          bits &= bits &- 1
        }
      }
    }
    return 0
  }

  /// Toggles, in `bits`, the rows of ranks between `from` and `to` (either order) in coordinate c.
  @inline(__always)
  private func toggle(_ c: Int, _ from: Int, _ to: Int, _ bits: UnsafeMutablePointer<UInt64>) {
    forEachRow(c, from, to) { j in bits[Int(j) >> 6] ^= 1 << UInt64(j & 63) }
  }

  /// Calls `body` with the row of each rank between `from` and `to` (either order) in
  /// coordinate c, in rank order.
  @inline(__always)
  private func forEachRow(_ c: Int, _ from: Int, _ to: Int, _ body: (Int32) -> Void) {
    let rows = rowAt + c * n
    var t = Swift.min(from, to)
    let e = Swift.max(from, to)
    while t < e {
      body(rows[t])
      t += 1
    }
  }

  /// For each row i, #{j ≠ i : max_{c ∈ dims} |x_jc − x_ic| < radii[i]} (≤ if inclusive).
  package func count(dims: Range<Int>, radii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { cp in
      let out = cp.baseAddress!
      radii.withUnsafeBufferPointer { rp in
        order.withUnsafeBufferPointer { op in
          _forEachChunk(n, threads: threads) { range in
            let s = Scratch(words: words, dims: dims.count, spacing: spacing)
            defer { s.free() }
            for t in range {
              let i = op[t]
              let r = rp[i]
              let c = box(t, dims, r, inclusive, s, enumerate: false) { _ in }
              // The row itself is in the box iff 0 is inside the radius.
              out[i] = c - ((inclusive ? 0 <= r : 0 < r) ? 1 : 0)
            }
          }
        }
      }
    }
    return counts
  }

  /// `NearestNeighbors._leafOrderBounds` with window half-width m, from these rows (in query
  /// order, so each window is contiguous) through the AVX2 kernel `ibp_window_bounds_avx2`:
  /// the same values (each the k-th smallest of the same exact distances); nil without AVX2.
  /// 10 + 10 at N = 10⁵: the bounds took 10 % of the estimate's CPU time in the Swift loop.
  func windowBounds(k: Int, window m: Int, threads: Int) -> [Double]? {
    guard avx2 else { return nil }
    var staged = [Double](repeating: .infinity, count: n)
    let (n, d, data) = (self.n, self.d, self.data)
    staged.withUnsafeMutableBufferPointer { sp in
      let out = sp.baseAddress!
      _forEachChunk(n, threads: threads) { range in
        let best = UnsafeMutablePointer<Double>.allocate(capacity: k)
        defer { best.deallocate() }
        ibp_window_bounds_avx2(data, n, d, m, k, range.lowerBound, range.upperBound, out + range.lowerBound, best)
      }
    }
    var bounds = [Double](repeating: .infinity, count: n)
    for t in 0..<n { bounds[order[t]] = staged[t] }
    return bounds
  }

  /// The k nearest neighbours (max-norm over all d coordinates, (distance, index) order) of
  /// every row, given upperBounds[i] ≥ the k-th neighbour distance of row i.
  func kNearest(k: Int, upperBounds: [Double], threads: Int) -> NeighborList {
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    let (d, data) = (self.d, self.data)
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        let dBase = dp.baseAddress!
        let iBase = ip.baseAddress!
        upperBounds.withUnsafeBufferPointer { up in
          order.withUnsafeBufferPointer { op in
            _forEachChunk(n, threads: threads) { range in
              let s = Scratch(words: words, dims: d, spacing: spacing)
              let candidates = UnsafeMutablePointer<Int32>.allocate(capacity: n)
              let distances = UnsafeMutablePointer<Double>.allocate(capacity: n)
              defer { s.free(); candidates.deallocate(); distances.deallocate() }
              let rowBytes = d * MemoryLayout<Double>.stride
              for t in range {
                let i = op[t]
                let q = data + t * d
                var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                // Candidates are internal rows (query order); the heap gets original rows, so
                // its (distance, index) order is the other engines'. They are collected first and
                // each row prefetched eight candidates ahead: the rows are scattered (even in
                // query order, a 20-d neighbourhood spans much of the tree), and reading them
                // one miss at a time was a third of the kNN.
                var m = 0
                _ = box(t, 0..<d, up[i], true, s, enumerate: true) { u in
                  candidates[m] = Int32(truncatingIfNeeded: u)
                  m += 1
                }
                // Every candidate's distance (the AVX2 kernel, or the same loop in Swift), then
                // the heap takes those within its bound.
                if avx2 {
                  ibp_candidate_distances_avx2(data, d, q, candidates, m, distances)
                } else {
                  for a in 0..<Swift.min(8, m) { ibp_prefetch_bytes(data + Int(candidates[a]) * d, rowBytes) }
                  for a in 0..<m {
                    if a + 8 < m { ibp_prefetch_bytes(data + Int(candidates[a + 8]) * d, rowBytes) }
                    distances[a] = _maxNormDistance(data + Int(candidates[a]) * d, q, d)
                  }
                }
                for a in 0..<m {
                  let u = Int(candidates[a])
                  if u != t && distances[a] <= heap.bound { heap.offer(distances[a], op[u]) }
                }
                heap.sortAscending()
              }
            }
          }
        }
      }
    }
    return NeighborList(k: k, indices: idx, distances: dist)
  }
}

/// The last value of every block of 2^shift ranks of an ascending array s[0..<n] (the final,
/// partial block's last value included): the upper level of the slab searches (`_maxNormSlab`).
struct _SlabIndex {
  static let shift = 6
  /// Blocks per column.
  let blocks: Int
  /// Column c's block ends at `ends + c * blocks`.
  let ends: UnsafeMutablePointer<Double>

  /// Allocates; `fill` sets the values once the columns are sorted.
  init(count n: Int, columns: Int) {
    blocks = (n + (1 << Self.shift) - 1) >> Self.shift
    ends = .allocate(capacity: Swift.max(1, blocks * columns))
  }

  /// - Parameter sorted: `columns` ascending columns of n values, one after another.
  func fill(from sorted: UnsafePointer<Double>, count n: Int, columns: Int) {
    for c in 0..<columns {
      for j in 0..<blocks { ends[c * blocks + j] = sorted[c * n + Swift.min(((j + 1) << Self.shift) - 1, n - 1)] }
    }
  }

  func free() { ends.deallocate() }
}

/// Ranks [a, b) of the ascending values s[0..<n] with |v − x| < r (≤ r if `inclusive`), the
/// subtraction done as a direct scan does it (v − x above x, x − v below), so a slab holds
/// exactly the rows a scan would accept: the one slab search of box and tree bitsets.
///
/// For r > 0 (r ≥ 0 when inclusive) both ends are bisections over the ranks: "v − x inside"
/// holds on a prefix of the ranks (below x the difference is negative, hence inside) and ends
/// at b; "x − v inside" fails on a prefix and first holds at a (at or above x the difference
/// is ≤ 0, hence inside; rounding is monotone, so neither predicate changes twice). The two
/// run side by side in the lanes of a `SIMD2`, branch-free and the same number of steps —
/// fl(x − v) = −fl(v − x) exactly, so one subtraction serves both. A bisection that compares
/// with a branch mispredicts about every other step (LLVM turns the select back into a jump),
/// and these searches were a quarter of a box-bitset count at N = 10⁴. Other radii (r = 0
/// strict, negative or NaN: empty slabs) take the three plain bisections around x's rank.
///
/// In two levels: the bisections run first over the block ends of `_SlabIndex` (2^shift ranks
/// per block: a small array that stays in cache), then over the 2^shift ranks of the block each
/// lane landed in — as many steps as one bisection over all n ranks, but at N = 10⁵ the top
/// dozen steps of that bisection missed the cache on every query's every coordinate. The
/// answer is the same: "holds" is monotone over the ranks, so the first failing rank lies in the
/// first block whose last rank fails (n when none does). Ranks past n − 1 read s[n − 1], which
/// then fails, as every rank past the answer does.
@inline(__always)
func _maxNormSlab(
  _ s: UnsafePointer<Double>, count n: Int, _ x: Double, _ r: Double, _ inclusive: Bool,
  blockEnds: UnsafePointer<Double>, blocks: Int, shift: Int = _SlabIndex.shift
) -> (Int, Int) {
  guard n > 0, inclusive ? r >= 0 : r > 0 else { return _maxNormSlabAroundRank(s, count: n, x, r, inclusive) }
  let sign = SIMD2<Double>(1, -1)
  let flip: SIMDMask<SIMD2<Int64>> = [false, true]
  let xs = SIMD2(repeating: x)
  let rs = SIMD2(repeating: r)
  @inline(__always) func holds(_ v: SIMD2<Double>) -> SIMDMask<SIMD2<Int64>> {
    let u = (v - xs) * sign
    return (inclusive ? u .<= rs : u .< rs) .^ flip
  }
  // Upper level: the first block whose last value fails, per lane (`blocks` if none).
  var block = SIMD2<Int64>(0, 0)
  var len = blocks
  while len > 1 {
    let half = len >> 1
    let at = block &+ Int64(half - 1)
    block = block.replacing(with: block &+ Int64(half), where: holds(SIMD2(blockEnds[Int(at[0])], blockEnds[Int(at[1])])))
    len -= half
  }
  block = block.replacing(with: block &+ 1, where: holds(SIMD2(blockEnds[Int(block[0])], blockEnds[Int(block[1])])))
  // Lower level: within the block (a lane with no failing block starts at ≥ n and stays there).
  let last = Int64(n - 1)
  var base = block &<< Int64(shift)
  len = 1 << shift
  @inline(__always) func value(_ at: SIMD2<Int64>) -> SIMD2<Double> {
    SIMD2(s[Int(Swift.min(at[0], last))], s[Int(Swift.min(at[1], last))])
  }
  while len > 1 {
    let half = len >> 1
    base = base.replacing(with: base &+ Int64(half), where: holds(value(base &+ Int64(half - 1))))
    len -= half
  }
  base = base.replacing(with: base &+ 1, where: holds(value(base)))
  return (Swift.min(Int(base[1]), n), Swift.min(Int(base[0]), n))
}

/// `_maxNormSlab` by three bisections: x's rank, then the inside ranks on each side of it.
@inline(__always)
func _maxNormSlabAroundRank(_ s: UnsafePointer<Double>, count n: Int, _ x: Double, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
  @inline(__always) func inside(_ v: Double) -> Bool { inclusive ? v <= r : v < r }
  var lo = 0
  var hi = n
  while lo < hi { let m = (lo + hi) >> 1; if s[m] < x { lo = m + 1 } else { hi = m } }
  let mid = lo
  var a = mid
  var b = n
  while a < b { let m = (a + b) >> 1; if inside(s[m] - x) { a = m + 1 } else { b = m } }
  let end = a
  a = 0
  b = mid
  while a < b { let m = (a + b) >> 1; if inside(x - s[m]) { b = m } else { a = m + 1 } }
  return (a, end)
}

/// max_c |p_c − q_c| over c < d, branch-free (four coordinates per step in SIMD lanes, sign bits
/// cleared): the same value as a scalar loop — each |p_c − q_c| is the same double, and a
/// maximum does not round. A scalar loop with an early exit mispredicted on most candidates of
/// a box-bitset kNN query (the bit set's rows are near the bound in every coordinate).
@inline(__always)
func _maxNormDistance(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>, _ d: Int) -> Double {
  let magnitude = SIMD4<UInt64>(repeating: ~(1 << 63))
  var m4 = SIMD4<Double>()
  var c = 0
  while c + 4 <= d {
    let v = UnsafeRawPointer(p + c).loadUnaligned(as: SIMD4<Double>.self)
      - UnsafeRawPointer(q + c).loadUnaligned(as: SIMD4<Double>.self)
    let a = unsafeBitCast(unsafeBitCast(v, to: SIMD4<UInt64>.self) & magnitude, to: SIMD4<Double>.self)
    m4 = m4.replacing(with: a, where: a .> m4)
    c += 4
  }
  var m = Swift.max(Swift.max(m4[0], m4[1]), Swift.max(m4[2], m4[3]))
  while c < d {
    let a = Swift.abs(p[c] - q[c])
    m = a > m ? a : m
    c += 1
  }
  return m
}
