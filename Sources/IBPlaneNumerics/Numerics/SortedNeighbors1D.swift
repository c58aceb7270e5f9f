/// Exact radius counts in one dimension by binary search on the sorted values: O(N log N)
/// instead of a tree walk. The predicate is evaluated exactly as elsewhere, |x_j − x_i| < r
/// (or ≤ r), on each side of x_i; floating-point subtraction is monotone, so the predicate is
/// monotone along the sorted order and the search finds the same set as a direct scan.
struct _SortedCounts1D {
  let sorted: [Double]

  init(_ set: _NeighborPoints) {
    sorted = set.data.sorted()
  }

  func count(values: [Double], reducedRadii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    let n = values.count
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { cp in
      let cBase = cp.baseAddress!
      sorted.withUnsafeBufferPointer { s in
        _forEachChunk(n, threads: threads) { range in
          for i in range {
            let x = values[i]
            let r = reducedRadii[i]
            @inline(__always) func inside(_ v: Double) -> Bool { inclusive ? v <= r : v < r }
            // First index with s[j] >= x, then extend right while s[j] − x is inside.
            var lo = 0
            var hi = s.count
            while lo < hi { let m = (lo + hi) / 2; if s[m] < x { lo = m + 1 } else { hi = m } }
            let mid = lo
            // Right side: largest j ≥ mid with s[j] − x inside (monotone non-decreasing in j).
            var a = mid
            var b = s.count
            while a < b { let m = (a + b) / 2; if inside(s[m] - x) { a = m + 1 } else { b = m } }
            let right = a - mid
            // Left side: indices < mid with x − s[j] inside (monotone non-increasing as j falls).
            a = 0
            b = mid
            while a < b { let m = (a + b) / 2; if inside(x - s[m]) { b = m } else { a = m + 1 } }
            let left = mid - a
            // The point itself (distance 0) is among them iff 0 is inside.
            cBase[i] = left + right - (inside(0) ? 1 : 0)
          }
        }
      }
    }
    return counts
  }
}
