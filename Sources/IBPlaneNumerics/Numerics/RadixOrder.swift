/// Row indices 0..<n ordered by (value, row), values `x[offset + i * stride]`: exactly the permutation of
/// `(0..<n).sorted { x[a] < x[b] || (x[a] == x[b] && a < b) }` for finite values (−0 and +0
/// are equal there and here), by a stable least-significant-digit radix sort on 64-bit keys.
///
/// Why: the 1-d and 2-d marginal-count engines sort every coordinate once per estimate; a
/// comparison sort with a closure cost ~8 % of a 1 + 1 KSG estimate at N = 10⁵ and grows as
/// N log N, this is 6 linear passes (fewer when a digit is the same for every key, as the top
/// exponent bits of data at one scale usually are).
///
/// Keys: the IEEE bit pattern of v + 0.0 (which turns −0 into +0), sign bit flipped for
/// non-negative values and every bit flipped for negative ones — an order-preserving map of
/// finite doubles onto UInt64, equal keys exactly for equal values. The sort is stable and
/// starts from rows in index order, so equal values stay in row order.
///
/// - Precondition: every value is finite (NaN has no place in the order); n ≤ Int32.max.
func _radixOrder(_ values: UnsafeBufferPointer<Double>, offset: Int, count n: Int, stride: Int) -> [Int32] {
  precondition(n <= Int(Int32.max) && (n == 0 || offset + (n - 1) * stride < values.count))
  if n == 0 { return [] }
  let x = values.baseAddress! + offset
  let bits = 11
  let passes = (64 + bits - 1) / bits
  let buckets = 1 << bits
  let mask = UInt64(buckets - 1)
  var keys = [UInt64](repeating: 0, count: n)
  var keys2 = [UInt64](repeating: 0, count: n)
  var rows = [Int32](repeating: 0, count: n)
  var rows2 = [Int32](repeating: 0, count: n)
  var counts = [Int](repeating: 0, count: passes * buckets)
  keys.withUnsafeMutableBufferPointer { kp in
    keys2.withUnsafeMutableBufferPointer { kp2 in
      rows.withUnsafeMutableBufferPointer { rp in
        rows2.withUnsafeMutableBufferPointer { rp2 in
          counts.withUnsafeMutableBufferPointer { cp in
            let c = cp.baseAddress!
            var src = (kp.baseAddress!, rp.baseAddress!)
            var dst = (kp2.baseAddress!, rp2.baseAddress!)
            for i in 0..<n {
              let b = (x[i * stride] + 0.0).bitPattern
              let key = b >> 63 == 0 ? b | (1 << 63) : ~b
              src.0[i] = key
              src.1[i] = Int32(i)
              for p in 0..<passes { c[p * buckets + Int((key >> UInt64(p * bits)) & mask)] += 1 }
            }
            for p in 0..<passes {
              let h = c + p * buckets
              let shift = UInt64(p * bits)
              // A digit shared by every key leaves the order as it is.
              if h[Int((src.0[0] >> shift) & mask)] == n { continue }
              var sum = 0
              for b in 0..<buckets { let v = h[b]; h[b] = sum; sum += v }
              for i in 0..<n {
                let key = src.0[i]
                let b = Int((key >> shift) & mask)
                let at = h[b]
                h[b] = at + 1
                dst.0[at] = key
                dst.1[at] = src.1[i]
              }
              swap(&src, &dst)
            }
            if src.1 != rp.baseAddress! { rp.baseAddress!.update(from: src.1, count: n) }
          }
        }
      }
    }
  }
  return rows
}
