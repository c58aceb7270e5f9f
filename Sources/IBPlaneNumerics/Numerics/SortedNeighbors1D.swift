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
  let rows: [Int32]
  let sorted: [Double]

  init(_ set: _NeighborPoints) {
    let x = set.data
    rows = x.withUnsafeBufferPointer { _radixOrder($0, offset: 0, count: set.count, stride: 1) }
    sorted = rows.map { x[Int($0)] }
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
              // Three passes per chunk: gather the radii into sorted order, search, scatter the
              // counts back to rows. The gather and scatter are random accesses (a cache miss
              // each from N ≈ 10⁵); in loops of independent iterations the processor overlaps
              // them, where inside the search loop each waited behind the previous search.
              let local = UnsafeMutablePointer<Double>.allocate(capacity: range.count)
              let found = UnsafeMutablePointer<Int>.allocate(capacity: range.count)
              defer { local.deallocate(); found.deallocate() }
              let first = range.lowerBound
              for t in range { local[t - first] = radii[Int(rp[t])] }
              for t in range { found[t - first] = Self.countAround(s, n, t, local[t - first], inclusive) }
              for t in range { cBase[Int(rp[t])] = found[t - first] }
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
    // v ≤ r ⟺ v < r.nextUp for every double v (none lies between), so one strict comparison
    // serves both forms.
    let bound = inclusive ? r.nextUp : r
    /// half if inside, else 0 — by a mask, not a branch: the outcomes of a bisection are random
    /// and a mispredicted jump per step cost more than the loads (the compiler turned a `?:`
    /// select into a jump).
    @inline(__always) func step(_ v: Double, _ half: Int) -> Int {
      half & (0 &- Int(unsafeBitCast(v < bound, to: UInt8.self)))
    }
    // Right: the largest count c with s[t + c] − x inside (u = t + 1 … t + c all inside):
    // gallop out from t, then bisect [good, good + len).
    var good = 0
    var stride = 1
    while t &+ good &+ stride < n && s[t &+ good &+ stride] - x < bound { good &+= stride; stride &<<= 1 }
    var len = Swift.min(good &+ stride, n &- t) &- good  // good + len: first offset known outside (or the end)
    while len > 1 { let half = len &>> 1; good &+= step(s[t &+ good &+ half] - x, half); len &-= half }
    let right = good
    // Left: offsets t − c with x − s[t − c] inside.
    good = 0
    stride = 1
    while t &- good &- stride >= 0 && x - s[t &- good &- stride] < bound { good &+= stride; stride &<<= 1 }
    len = Swift.min(good &+ stride, t &+ 1) &- good
    while len > 1 { let half = len &>> 1; good &+= step(x - s[t &- good &- half], half); len &-= half }
    return (good, right)
  }
}
