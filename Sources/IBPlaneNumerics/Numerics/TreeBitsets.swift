/// Exact max-norm radius counts and kNN by a k-d tree whose small straddling nodes are filtered
/// with per-coordinate rank bitsets over *tree positions* ("tree bitsets").
///
/// Why. KSG's marginal counts at the joint radius are boxes of hundreds to thousands of rows
/// (in 5 dimensions about √N of them). A k-d tree counts a node wholly inside the box in O(1)
/// and skips one wholly outside, but in 5 and more dimensions almost every node the box touches
/// straddles its surface (a box spanning two or three leaf widths per coordinate touches
/// (2.5 + 1)^5 ≈ 500 leaves, few of them inside), so the tree scans tens of points per point
/// counted. Box bitsets (`BoxBitsets.swift`) filter all N rows per query with word operations —
/// independent of the box's content but O(N) per query. Here the two are combined: the bitsets
/// are indexed by the point's position in k-d-tree leaf order, so the rows of a tree node are a
/// contiguous bit range, and a straddling node of at most `blockSize` rows is filtered with
/// 2 · d' word operations per 64 rows (d' the coordinates whose slab is not everything) instead
/// of a coordinate scan per row; the tree still counts inside nodes in O(1) and skips outside
/// ones, and the per-query slab search (a binary search per coordinate) is done once.
///
/// Exactness. The slab of coordinate c — the ranks whose value v has |v − x_c| < r (≤ r) — is
/// found by binary search with the same floating-point predicate as a direct scan (subtraction
/// is monotone: `SortedNeighbors1D.swift`), then *widened* to the enclosing checkpoints of the
/// prefix table (ranks multiple of `spacing`) and *narrowed* to the checkpoints inside it. A row
/// outside a widened slab fails that coordinate's test, so the AND of the widened slabs is a
/// superset of the box; a row inside every narrowed slab passes every test, so their AND is a
/// subset, counted by population count. Only the rows between the two (within one spacing of a
/// slab end in some coordinate) are tested directly, coordinate by coordinate, with the
/// predicate of the k-d tree and brute force. Whole-node decisions are the k-d tree's (`_KDTreeView.boxDistances`). Counts
/// and neighbour lists are therefore identical to brute force's, for any thread count (each
/// query writes only its own slots).
///
/// kNN queries (not chosen by `.automatic`: measured no faster than the k-d tree in 10 joint
/// dimensions) start from an upper bound u_i on the k-th neighbour distance (the k-th nearest
/// among the ±max(32, k) neighbours in leaf order — k actual other rows), filter with the slabs
/// at u_i (inclusive), and search the tree nearest child first with the usual (distance, index)
/// heap, pruning nodes farther than min(u_i, current k-th distance).
///
/// Memory: the prefix table d · (N/spacing + 1) · N/8 bytes — the spacing, a power of two ≥ 64,
/// is chosen to keep it under `memoryBudget` (64 MB) — plus the sorted coordinates (8 N d bytes)
/// and the k-d tree (points in leaf order, 8 N d bytes, and its nodes). A coarse spacing only
/// widens the slabs (more rows tested directly), never changes a result; at N = 10⁶ in 5
/// dimensions it is 16,384 ranks, against slabs of about 3·10⁵ ranks.
///
/// Complexity per query: O(d log N) for the slabs, plus the tree's straddling nodes at the
/// `blockSize` level times 2 d' · blockSize / 64 word operations, plus one direct test per
/// candidate row. Build: O(d N log N) sorts and O(d N²/spacing / 64) for the table.
// @unchecked Sendable: the buffers are filled in `init` and only read afterwards (queries from
// several workers read them concurrently); they are freed in `deinit`, after the last reader.
package final class _TreeBitsets: @unchecked Sendable {
  /// Largest prefix table, bytes.
  static let memoryBudget = 64 << 20
  /// Finest checkpoint spacing (ranks).
  static let minimumSpacing = 64
  /// Size at or below which a straddling tree node is filtered by the bitsets instead of being
  /// split further. Weakly sensitive: KSG 5 + 5 marginal counts at N = 10⁵ took 1.88, 2.12,
  /// 2.25, 2.67 CPU s at 2,048, 512, 128, 64 (16 MB table); at 3·10⁵ 11.4 s at 2,048 and 8,192
  /// (64 MB table; 12.2 s with 16 MB) — `ibplane-bench ksg-engines`, load ~7.
  static let blockSize = 2_048

  let tree: _KDTree
  let n: Int
  let d: Int
  let words: Int
  let spacing: Int
  let checkpointCount: Int
  /// Coordinate-major sorted values: sorted[c * n + t] is the t-th smallest value of coordinate c.
  private let sorted: UnsafeMutablePointer<Double>
  /// Every 64th sorted value of each coordinate, the upper level of the slab searches.
  private let slabIndex: _SlabIndex
  /// prefix[(c * checkpointCount + q) * words ..]: the tree positions whose rank in coordinate c
  /// is below min(q · spacing, n).
  private let prefix: UnsafeMutablePointer<UInt64>

  /// Smallest power-of-two spacing ≥ `minimumSpacing` keeping the prefix table under the budget.
  static func spacing(samples n: Int, dimension d: Int) -> Int {
    let words = (n + 63) / 64
    var s = minimumSpacing
    while s < n && d * ((n + s - 1) / s + 1) * words * 8 > memoryBudget { s *= 2 }
    return s
  }

  package init(_ set: _NeighborPoints, tree: _KDTree? = nil) {
    precondition(!set.euclidean, "tree bitsets need the max-norm")
    let tree = tree ?? _KDTree(set, lanes: false)
    self.tree = tree
    n = set.count
    d = set.dimension
    words = (n + 63) / 64
    spacing = Self.spacing(samples: n, dimension: d)
    checkpointCount = (n + spacing - 1) / spacing + 1
    sorted = .allocate(capacity: n * d)
    prefix = .allocate(capacity: d * checkpointCount * words)
    slabIndex = _SlabIndex(count: n, columns: d)
    let (n, d, words, spacing, cpc) = (self.n, self.d, self.words, self.spacing, checkpointCount)
    let (sorted, prefix) = (self.sorted, self.prefix)
    tree.points.withUnsafeBufferPointer { pb in
      let pts = pb.baseAddress!
      Parallel.forEach(d) { c in
        // Positions by (value, position), by radix (`RadixOrder.swift`): the comparison sort's permutation.
        let ranks = _radixOrder(UnsafeBufferPointer(start: pts, count: n * d), offset: c, count: n, stride: d)
        for t in 0..<n { sorted[c * n + t] = pts[Int(ranks[t]) * d + c] }
        let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        defer { bits.deallocate() }
        bits.initialize(repeating: 0, count: words)
        for q in 0..<cpc {
          (prefix + (c * cpc + q) * words).initialize(from: bits, count: words)
          var t = q * spacing
          let end = Swift.min(t + spacing, n)
          while t < end {
            let p = Int(ranks[t])
            bits[p >> 6] |= 1 << UInt64(p & 63)
            t += 1
          }
        }
      }
    }
    slabIndex.fill(from: sorted, count: n, columns: d)
  }

  deinit {
    slabIndex.free()
    sorted.deallocate()
    prefix.deallocate()
  }

  /// Ranks [a, b) of coordinate c whose value v satisfies |v − x| < r (≤ r if inclusive), the
  /// subtraction done as a direct scan does it (`_maxNormSlab`, as box bitsets).
  @inline(__always)
  private func slab(_ c: Int, _ x: Double, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
    _maxNormSlab(
      sorted + c * n, count: n, x, r, inclusive, blockEnds: slabIndex.ends + c * slabIndex.blocks, blocks: slabIndex.blocks)
  }

  /// Per-worker scratch: for each restricted coordinate, the checkpoint rows of its slab widened
  /// outwards (a superset) and narrowed inwards (a subset), narrowest first.
  private struct Filter {
    let lower: UnsafeMutablePointer<UnsafePointer<UInt64>>
    let upper: UnsafeMutablePointer<UnsafePointer<UInt64>>
    let innerLower: UnsafeMutablePointer<UnsafePointer<UInt64>>
    let innerUpper: UnsafeMutablePointer<UnsafePointer<UInt64>>
    let width: UnsafeMutablePointer<Int>
    var used = 0
    /// Some inner slab is empty: no row is certainly inside.
    var innerEmpty = false
    init(dims: Int) {
      lower = .allocate(capacity: dims)
      upper = .allocate(capacity: dims)
      innerLower = .allocate(capacity: dims)
      innerUpper = .allocate(capacity: dims)
      width = .allocate(capacity: dims)
    }
    func free() {
      lower.deallocate(); upper.deallocate(); innerLower.deallocate(); innerUpper.deallocate(); width.deallocate()
    }
  }

  /// Sets `f` to the widened and narrowed slabs of the box of radius r around q; false when some
  /// slab is empty (then no row, the query's own included, is in the box).
  @inline(__always)
  private func prepare(_ q: UnsafePointer<Double>, _ r: Double, _ inclusive: Bool, _ f: inout Filter) -> Bool {
    f.used = 0
    f.innerEmpty = false
    for c in 0..<d {
      let (a, b) = slab(c, q[c], r, inclusive)
      if b <= a { return false }
      // Only a slab of every row may be left out: one whose widening reaches both ends still
      // restricts the narrowed (certainly-inside) set.
      if a == 0 && b == n { continue }
      let qa = a / spacing
      let qb = Swift.min((b + spacing - 1) / spacing, checkpointCount - 1)
      // Inner checkpoints: ranks [ia·s, ib·s) ⊆ [a, b), or the whole table's end when b = n.
      let ia = (a + spacing - 1) / spacing
      let ib = b == n ? checkpointCount - 1 : b / spacing
      if ib <= ia { f.innerEmpty = true }
      let width = qb - qa
      let rowBase = prefix + c * checkpointCount * words
      // Insertion by width: the narrowest slab first, so the AND reaches zero sooner.
      var u = f.used
      while u > 0 && f.width[u - 1] > width {
        f.lower[u] = f.lower[u - 1]
        f.upper[u] = f.upper[u - 1]
        f.innerLower[u] = f.innerLower[u - 1]
        f.innerUpper[u] = f.innerUpper[u - 1]
        f.width[u] = f.width[u - 1]
        u -= 1
      }
      f.lower[u] = UnsafePointer(rowBase + qa * words)
      f.upper[u] = UnsafePointer(rowBase + qb * words)
      f.innerLower[u] = UnsafePointer(rowBase + Swift.min(ia, ib) * words)
      f.innerUpper[u] = UnsafePointer(rowBase + ib * words)
      f.width[u] = width
      f.used += 1
    }
    return true
  }

  /// For every word of positions in [lo, hi): `sure` (rows inside every narrowed slab — certainly
  /// in the box, when `inner`) and `body(position)` for every other row inside all widened slabs
  /// (candidates to test directly). Without `inner`, every row of the widened slabs is a candidate.
  @inline(__always)
  private func candidates(_ lo: Int, _ hi: Int, _ f: Filter, inner: Bool, sure: (UInt64) -> Void, _ body: (Int) -> Void) {
    let first = lo >> 6
    let last = (hi - 1) >> 6
    let useInner = inner && !f.innerEmpty
    var w = first
    while w <= last {
      var m: UInt64 = ~0
      if w == first { m &= ~0 << UInt64(lo & 63) }
      if w == last {
        let e = hi - (last << 6)
        if e < 64 { m &= (1 << UInt64(e)) - 1 }
      }
      var j = 0
      while j < f.used && m != 0 {
        m &= f.upper[j][w] ^ f.lower[j][w]
        j += 1
      }
      if useInner && m != 0 {
        var s = m
        j = 0
        while j < f.used && s != 0 {
          s &= f.innerUpper[j][w] ^ f.innerLower[j][w]
          j += 1
        }
        sure(s)
        m &= ~s
      }
      while m != 0 {
        body(w << 6 | m.trailingZeroBitCount)
        m &= m &- 1
      }
      w += 1
    }
  }

  /// For each row i, #{j ≠ i : max_c |x_jc − x_ic| < reducedRadii[i]} (≤ if inclusive).
  package func count(reducedRadii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: n)
    let (n, d) = (self.n, self.d)
    counts.withUnsafeMutableBufferPointer { cp in
      let out = cp.baseAddress!
      reducedRadii.withUnsafeBufferPointer { radii in
        tree.withView { view in
          _forEachChunk(n, threads: threads) { range in
            var f = Filter(dims: d)
            defer { f.free() }
            for t in range {
              let i = view.order[t]
              let q = view.points + t * d
              let r = radii[i]
              var c = 0
              if prepare(q, r, inclusive, &f) {
                c = countNode(view, 0, q, r, inclusive, f)
              }
              // The row itself was counted iff 0 is inside the radius.
              if inclusive ? 0 <= r : 0 < r { c -= 1 }
              out[i] = c
            }
          }
        }
      }
    }
    return counts
  }

  private func countNode(_ view: _KDTreeView, _ node: Int, _ q: UnsafePointer<Double>, _ r: Double, _ inclusive: Bool, _ f: Filter) -> Int {
    let (near, far) = view.boxDistances(q, node)
    if inclusive ? near > r : near >= r { return 0 }
    let lo = view.lo[node], hi = view.hi[node]
    if inclusive ? far <= r : far < r { return hi - lo }
    let l = view.left[node]
    if l < 0 || hi - lo <= Self.blockSize {
      let d = self.d
      let pts = view.points
      var c = 0
      candidates(lo, hi, f, inner: true, sure: { c += $0.nonzeroBitCount }) { p in
        let x = pts + p * d
        for k in 0..<d {
          let v = Swift.abs(x[k] - q[k])
          if inclusive ? !(v <= r) : !(v < r) { return }
        }
        c += 1
      }
      return c
    }
    return countNode(view, l, q, r, inclusive, f) + countNode(view, view.right[node], q, r, inclusive, f)
  }

  /// The k nearest neighbours (max-norm over all coordinates, (distance, index) order) of every row.
  func kNearest(k: Int, threads: Int) -> NeighborList {
    let (n, d) = (self.n, self.d)
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    let m = Swift.max(32, k)
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        let dBase = dp.baseAddress!
        let iBase = ip.baseAddress!
        tree.withView { view in
          let set = view.set
          _forEachChunk(n, threads: threads) { range in
            var f = Filter(dims: d)
            defer { f.free() }
            for t in range {
              let i = view.order[t]
              let q = view.points + t * d
              var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
              // Upper bound: the k nearest among the neighbours in leaf order (k actual rows).
              let lo = Swift.max(0, Swift.min(t - m, n - 1 - 2 * m))
              let hiT = Swift.min(n, lo + 2 * m + 1)
              for u in lo..<hiT where u != t {
                let r = set.reducedDistance(q, view.points + u * d, exceeding: heap.bound)
                if r <= heap.bound { heap.offer(r, view.order[u]) }
              }
              let bound = heap.bound
              heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
              _ = prepare(q, bound, true, &f)  // never empty: the k rows above are inside
              nearestNode(view, 0, q, i, bound, f, &heap)
              heap.sortAscending()
            }
          }
        }
      }
    }
    return NeighborList(k: k, indices: idx, distances: dist)
  }

  private func nearestNode(
    _ view: _KDTreeView, _ node: Int, _ q: UnsafePointer<Double>, _ self_: Int, _ limit: Double, _ f: Filter,
    _ heap: inout _NeighborHeap
  ) {
    let l = view.left[node]
    let lo = view.lo[node], hi = view.hi[node]
    if l < 0 || hi - lo <= Self.blockSize {
      let d = self.d
      let pts = view.points
      let set = view.set
      candidates(lo, hi, f, inner: false, sure: { _ in }) { p in
        let j = view.order[p]
        if j == self_ { return }
        let bound = Swift.min(heap.bound, limit)
        let r = set.reducedDistance(q, pts + p * d, exceeding: bound)
        if r <= bound { heap.offer(r, j) }
      }
      return
    }
    let rgt = view.right[node]
    let dl = view.boxNear(q, l)
    let dr = view.boxNear(q, rgt)
    let (first, dFirst, second, dSecond) = dl <= dr ? (l, dl, rgt, dr) : (rgt, dr, l, dl)
    if dFirst <= Swift.min(heap.bound, limit) { nearestNode(view, first, q, self_, limit, f, &heap) }
    if dSecond <= Swift.min(heap.bound, limit) { nearestNode(view, second, q, self_, limit, f, &heap) }
  }
}
