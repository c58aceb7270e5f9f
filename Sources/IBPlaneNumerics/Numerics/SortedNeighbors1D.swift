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
              var t = first
              while t &+ 4 <= range.upperBound {
                Self.countAround4(s, n, t, local + (t - first), inclusive, found + (t - first))
                t &+= 4
              }
              while t < range.upperBound {
                found[t - first] = Self.countAround(s, n, t, local[t - first], inclusive)
                t &+= 1
              }
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

  /// `countAround` of the four ranks t0 ..< t0 + 4 (radii r[0 ..< 4], counts to out[0 ..< 4]),
  /// through `sides4`.
  ///
  /// In `sides4` the gallops run one rank at a time; the bisections run side by side in `SIMD4` lanes,
  /// each lane taking exactly the steps of `sides` (a lane whose interval is down to one entry
  /// adds 0). Why: written as scalar code, LLVM's x86 cmov conversion turns the masked step of
  /// `sides` back into a jump, which mispredicts half the time (a stand-alone copy of this
  /// search over 10⁵ sorted values: 8.5 ms as compiled, 4.1 ms with the conversion disabled);
  /// a vector compare and mask stays branch-free, and four independent chains of loads overlap.
  @inline(__always)
  static func countAround4(
    _ s: UnsafePointer<Double>, _ n: Int, _ t0: Int, _ r: UnsafePointer<Double>, _ inclusive: Bool,
    _ out: UnsafeMutablePointer<Int>
  ) {
    let (left, right, inside) = sides4(s, n, t0, r, inclusive)
    let total = SIMD4<Int64>().replacing(with: left &+ right, where: inside)
    for lane in 0..<4 { out[lane] = Int(total[lane]) }
  }

  /// `sides` of the four ranks t0 ..< t0 + 4 (radii r[0 ..< 4]), with whether 0 itself is inside
  /// each radius (where it is not, the sides are meaningless and the count is 0).
  @inline(__always)
  static func sides4(
    _ s: UnsafePointer<Double>, _ n: Int, _ t0: Int, _ r: UnsafePointer<Double>, _ inclusive: Bool
  ) -> (left: SIMD4<Int64>, right: SIMD4<Int64>, inside: SIMDMask<SIMD4<Int64>>) {
    let radius = SIMD4<Double>(r[0], r[1], r[2], r[3])
    // v ≤ r ⟺ v < r.nextUp for every double v, as in `sides`.
    let bound = inclusive ? SIMD4<Double>(r[0].nextUp, r[1].nextUp, r[2].nextUp, r[3].nextUp) : radius
    let x = SIMD4<Double>(s[t0], s[t0 &+ 1], s[t0 &+ 2], s[t0 &+ 3])
    // Right of each rank: gallop (scalar), then bisect [good, good + len) in the lanes.
    var good = SIMD4<Int64>()
    var len = SIMD4<Int64>()
    for lane in 0..<4 {
      let t = t0 &+ lane
      let (xl, bl) = (x[lane], bound[lane])
      var g = 0
      var stride = 1
      while t &+ g &+ stride < n && s[t &+ g &+ stride] - xl < bl { g &+= stride; stride &<<= 1 }
      good[lane] = Int64(g)
      len[lane] = Int64(Swift.min(g &+ stride, n &- t) &- g)
    }
    while any(len .> 1) {
      let half = len &>> 1
      let at = SIMD4<Int64>(Int64(t0), Int64(t0 &+ 1), Int64(t0 &+ 2), Int64(t0 &+ 3)) &+ good &+ half
      let v = SIMD4<Double>(s[Int(at[0])], s[Int(at[1])], s[Int(at[2])], s[Int(at[3])]) - x
      good &+= SIMD4<Int64>().replacing(with: half, where: v .< bound)
      len &-= half
    }
    let right = good
    // Left of each rank: offsets t − c with x − s[t − c] inside.
    for lane in 0..<4 {
      let t = t0 &+ lane
      let (xl, bl) = (x[lane], bound[lane])
      var g = 0
      var stride = 1
      while t &- g &- stride >= 0 && xl - s[t &- g &- stride] < bl { g &+= stride; stride &<<= 1 }
      good[lane] = Int64(g)
      len[lane] = Int64(Swift.min(g &+ stride, t &+ 1) &- g)
    }
    while any(len .> 1) {
      let half = len &>> 1
      let at = SIMD4<Int64>(Int64(t0), Int64(t0 &+ 1), Int64(t0 &+ 2), Int64(t0 &+ 3)) &- good &- half
      let v = x - SIMD4<Double>(s[Int(at[0])], s[Int(at[1])], s[Int(at[2])], s[Int(at[3])])
      good &+= SIMD4<Int64>().replacing(with: half, where: v .< bound)
      len &-= half
    }
    // Nothing, not even an equal value, is inside a radius below 0 (or at 0, exclusive).
    let inside = inclusive ? SIMD4<Double>() .<= radius : SIMD4<Double>() .< radius
    return (good, right, inside)
  }

  /// (left, right): how many entries just below and just above rank t are inside r of s[t],
  /// given that 0 is inside.
  @inline(__always)
  static func sides(_ s: UnsafePointer<Double>, _ n: Int, _ t: Int, _ r: Double, _ inclusive: Bool) -> (Int, Int) {
    let x = s[t]
    // v ≤ r ⟺ v < r.nextUp for every double v (none lies between), so one strict comparison
    // serves both forms.
    let bound = inclusive ? r.nextUp : r
    /// half if inside, else 0 — meant as a mask, not a branch: the outcomes of a bisection are
    /// random and a mispredicted jump per step costs more than the loads. LLVM's x86 cmov
    /// conversion turns this mask back into a jump as well (as it did the `?:` select before
    /// it), so the hot loops use `sides4`; this one serves the leftover ranks.
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
