/// Exact radius counts in one dimension on the sorted values: O(N log m) for boxes of m rows.
/// The predicate is evaluated exactly as elsewhere, |x_j − x_i| < r (or ≤ r), on each side of
/// x_i; floating-point subtraction is monotone, so the predicate is monotone along the sorted
/// order and the search finds the same set as a direct scan.
///
/// Queries run in sorted order and each search gallops outwards from the query's own rank
/// (Bentley & Yao's exponential search) instead of bisecting the whole array: a query then
/// touches O(log m) nearby entries, m the rows in its interval, and consecutive queries
/// touch the same cache lines — against three full binary searches with cache misses.
struct _SortedCounts1D {
  /// Row indices ordered by (value, row).
  let rows: [Int]
  let sorted: [Double]

  init(_ set: _NeighborPoints) {
    let x = set.data
    rows = (0..<set.count).sorted { a, b in x[a] < x[b] || (x[a] == x[b] && a < b) }
    sorted = rows.map { x[$0] }
  }

  func count(values: [Double], reducedRadii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    let n = values.count
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { cp in
      let cBase = cp.baseAddress!
      sorted.withUnsafeBufferPointer { sp in
        rows.withUnsafeBufferPointer { rp in
          reducedRadii.withUnsafeBufferPointer { radii in
            let s = sp.baseAddress!
            _forEachChunk(n, threads: threads) { range in
              for t in range {
                let i = rp[t]
                let r = radii[i]
                cBase[i] = Self.countAround(s, n, t, r, inclusive)
              }
            }
          }
        }
      }
    }
    return counts
  }

  /// #{u ≠ t : |s[u] − s[t]| inside r} for sorted s[0..<n]: the predicate is monotone along
  /// each side of t (ties of s[t] included, at difference 0).
  @inline(__always)
  static func countAround(_ s: UnsafePointer<Double>, _ n: Int, _ t: Int, _ r: Double, _ inclusive: Bool) -> Int {
    if !(inclusive ? 0 <= r : 0 < r) { return 0 }  // nothing, not even an equal value, is inside
    let (left, right) = sides(s, n, t, r, inclusive)
    return left + right
  }

  /// (left, right): how many entries just below and just above rank t are inside r of s[t],
  /// given that 0 is inside.
  @inline(__always)
  static func sides(_ s: UnsafePointer<Double>, _ n: Int, _ t: Int, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
    let x = s[t]
    @inline(__always) func inside(_ v: Double) -> Bool { inclusive ? v <= r : v < r }
    // Right: the largest count c with s[t + c] − x inside (u = t + 1 … t + c all inside).
    var good = 0
    var step = 1
    while t + good + step < n && inside(s[t + good + step] - x) { good += step; step <<= 1 }
    var bad = Swift.min(good + step, n - t)  // first offset known outside (or the end)
    while bad - good > 1 { let m = (good + bad) >> 1; if inside(s[t + m] - x) { good = m } else { bad = m } }
    let right = good
    // Left: offsets t − c with x − s[t − c] inside.
    good = 0
    step = 1
    while t - good - step >= 0 && inside(x - s[t - good - step]) { good += step; step <<= 1 }
    bad = Swift.min(good + step, t + 1)
    while bad - good > 1 { let m = (good + bad) >> 1; if inside(x - s[t - m]) { good = m } else { bad = m } }
    return (good, right)
  }
}
