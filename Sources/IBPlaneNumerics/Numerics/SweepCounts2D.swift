/// Exact max-norm radius counts in two dimensions in O(N log N) total, by an offline sweep.
///
/// Under the max-norm the ball |x_j − x_i|∞ < r is a box, and in each coordinate c the rows
/// with |x_jc − x_ic| < r (or ≤ r) are a contiguous range of ranks [a_c, b_c) of that
/// coordinate's sorted order: the predicate is evaluated on the sorted values with the same
/// floating-point subtraction a direct scan uses, and subtraction is monotone (see
/// `SortedNeighbors1D.swift`), so the binary search finds exactly the rows a scan would. The
/// count is then a pure integer question — how many rows have rank₀ ∈ [a₀, b₀) and
/// rank₁ ∈ [a₁, b₁) — answered by inclusion–exclusion over four dominance counts
/// F(X, Y) = #{j : rank₀(j) < X, rank₁(j) < Y}. All 4N of them are answered in one sweep over
/// X = 0 … N that inserts rows in rank₀ order into a Fenwick tree over rank₁ (Bentley's
/// offline orthogonal range counting): 4N prefix queries and N insertions, O(log N) each.
///
/// Why not the k-d tree: KSG's marginal radii are the *joint* k-th neighbour distances, so a
/// marginal box holds hundreds to thousands of rows and a tree walk visits every leaf on its
/// boundary (O(√m) leaves per query in 2-d); here a query costs the same whatever the box holds.
/// The counts are integers, so the result is identical to every other engine's.
///
/// Parallelism: the slab searches run in chunks over `threads`; the sweep runs once per
/// query half (two workers when allowed), each half inserting all rows (its own Fenwick tree).
/// Memory: O(N) — sorted values, ranks and rows per coordinate, four 32-bit event records per query.
struct _SweepCounts2D {
  let n: Int
  /// sorted[c * n + t]: the t-th smallest value of coordinate c.
  let sorted: [Double]
  /// rank1OfRank0[t]: the coordinate-1 rank of the row holding coordinate-0 rank t.
  let rank1OfRank0: [Int32]
  /// rank[c * n + i]: the rank of row i in coordinate c.
  let rank: [Int32]
  /// rowOfRank[c * n + t]: the row of rank t in coordinate c.
  let rowOfRank: [Int32]

  init(_ set: _NeighborPoints) {
    precondition(set.dimension == 2 && !set.euclidean, "the 2-d sweep needs two max-norm coordinates")
    let n = set.count
    self.n = n
    let x = set.data
    var sorted = [Double](repeating: 0, count: 2 * n)
    var rank = [Int32](repeating: 0, count: 2 * n)
    var rows0: [Int32] = []
    var rowOfRank: [Int32] = []
    rowOfRank.reserveCapacity(2 * n)
    for c in 0..<2 {
      // Ties by row index, so the ranks are a deterministic permutation.
      let rows = x.withUnsafeBufferPointer { _radixOrder($0, offset: c, count: n, stride: 2) }
      for t in 0..<n {
        let i = Int(rows[t])
        sorted[c * n + t] = x[2 * i + c]
        rank[c * n + i] = Int32(t)
      }
      if c == 0 { rows0 = rows }
      rowOfRank.append(contentsOf: rows)
    }
    self.rowOfRank = rowOfRank
    self.sorted = sorted
    self.rank = rank
    self.rank1OfRank0 = rows0.map { rank[n + Int($0)] }
  }

  /// For each row i, #{j ≠ i : max_c |x_jc − x_ic| < radii[i]} (≤ if inclusive).
  func count(radii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    let n = self.n
    guard n > 0 else { return [] }
    // Slabs: lo0, hi0, lo1, hi1 per query.
    var slabs = [Int32](repeating: 0, count: 4 * n)
    slabs.withUnsafeMutableBufferPointer { sp in
      let out = sp.baseAddress!
      sorted.withUnsafeBufferPointer { s in
        rowOfRank.withUnsafeBufferPointer { rw in
          radii.withUnsafeBufferPointer { r in
            // Queries in rank order of each coordinate, so consecutive searches touch nearby
            // sorted values; the radii are gathered and the slabs scattered in separate loops
            // of independent iterations (see `_SortedCounts1D.count`).
            _forEachChunk(2 * n, threads: threads) { range in
              let local = UnsafeMutablePointer<Double>.allocate(capacity: range.count)
              defer { local.deallocate() }
              let first = range.lowerBound
              for u in range { local[u - first] = r[Int(rw[u])] }
              var u = first
              while u < range.upperBound {
                let c = u >= n ? 1 : 0
                let t = u - c * n
                if u &+ 4 <= range.upperBound && (c == 1 || u &+ 4 <= n) {
                  // Four ranks of one coordinate side by side (`_SortedCounts1D.sides4`).
                  let (left, right, inside) = _SortedCounts1D.sides4(s.baseAddress! + c * n, n, t, local + (u - first), inclusive)
                  for lane in 0..<4 {
                    let i = Int(rw[u &+ lane])
                    let (a, b) = inside[lane] ? (t &+ lane &- Int(left[lane]), t &+ lane &+ Int(right[lane]) &+ 1) : (t &+ lane, t &+ lane)
                    out[4 * i + 2 * c] = Int32(a)
                    out[4 * i + 2 * c + 1] = Int32(b)
                  }
                  u &+= 4
                  continue
                }
                let (a, b) = Self.slab(s.baseAddress! + c * n, n, t, local[u - first], inclusive)
                let i = Int(rw[u])
                out[4 * i + 2 * c] = Int32(a)
                out[4 * i + 2 * c + 1] = Int32(b)
                u &+= 1
              }
            }
          }
        }
      }
    }
    var counts = [Int](repeating: 0, count: n)
    let halves = Swift.min(2, threads, n)
    counts.withUnsafeMutableBufferPointer { cp in
      let out = cp.baseAddress!
      slabs.withUnsafeBufferPointer { sp in
        rank1OfRank0.withUnsafeBufferPointer { rp in
          Parallel.forEach(halves, threads: halves) { h in
            Self.sweep(queries: (n * h / halves)..<(n * (h + 1) / halves), slabs: sp.baseAddress!, rank1: rp.baseAddress!, n: n, out: out)
          }
        }
      }
    }
    // The row itself is in its box iff 0 is inside the radius.
    for i in 0..<n where inclusive ? 0 <= radii[i] : 0 < radii[i] { counts[i] -= 1 }
    return counts
  }

  /// Ranks [a, b) of sorted values s[0..<n] with |s − s[t]| < r (≤ r if inclusive), the
  /// subtraction done as a direct scan does it; empty when 0 itself is outside. Galloping
  /// search from t (`_SortedCounts1D.countAround`), touching O(log m) entries near t.
  @inline(__always)
  static func slab(_ s: UnsafePointer<Double>, _ n: Int, _ t: Int, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
    if !(inclusive ? 0 <= r : 0 < r) { return (t, t) }
    let (left, right) = _SortedCounts1D.sides(s, n, t, r, inclusive)
    return (t - left, t + right + 1)
  }

  /// One sweep for `queries`: out[i] = F(b₀,b₁) − F(a₀,b₁) − F(b₀,a₁) + F(a₀,a₁).
  private static func sweep(
    queries: Range<Int>, slabs: UnsafePointer<Int32>, rank1: UnsafePointer<Int32>, n: Int, out: UnsafeMutablePointer<Int>
  ) {
    if queries.isEmpty { return }
    // Events bucketed by X (counting sort): start[X] ..< start[X + 1] in `events`.
    var start = [Int](repeating: 0, count: n + 2)
    for i in queries {
      start[Int(slabs[4 * i]) + 1] += 2
      start[Int(slabs[4 * i + 1]) + 1] += 2
    }
    for X in 0...n { start[X + 1] += start[X] }
    // Event: (query << 2 | (upper X ? 2 : 0) | (upper Y ? 1 : 0)).
    var events = [Int](repeating: 0, count: start[n + 1])
    var fill = start
    for i in queries {
      for (xSide, X) in [(0, slabs[4 * i]), (2, slabs[4 * i + 1])] {
        events[fill[Int(X)]] = i << 2 | xSide
        events[fill[Int(X)] + 1] = i << 2 | xSide | 1
        fill[Int(X)] += 2
      }
    }
    var tree = [Int32](repeating: 0, count: n + 1)
    tree.withUnsafeMutableBufferPointer { tp in
      let fenwick = tp.baseAddress!
      for X in 0...n {
        if X > 0 {  // insert the row of rank₀ X − 1
          var p = Int(rank1[X - 1]) + 1
          while p <= n { fenwick[p] += 1; p += p & -p }
        }
        for e in start[X]..<start[X + 1] {
          let ev = events[e]
          let i = ev >> 2
          let Y = Int(slabs[4 * i + 2 + (ev & 1)])
          var p = Y
          var f = 0
          while p > 0 { f += Int(fenwick[p]); p -= p & -p }
          // Sign: + for (b₀,b₁) and (a₀,a₁), − for the mixed corners.
          out[i] += ((ev & 2) >> 1) == (ev & 1) ? f : -f
        }
      }
    }
  }
}
