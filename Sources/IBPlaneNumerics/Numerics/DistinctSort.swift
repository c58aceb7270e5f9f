/// The distinct values of a finite array in increasing order, by an LSD radix sort on the bit
/// patterns: the sort behind adaptive binning's equal-mass edges (a pool of N × width values
/// per layer, 10⁶ for a 65,536 × 16 input), where the standard library's comparison sort (a
/// stable merge sort) took about 40 % of a single `estimate --estimator adaptive-binning`.
///
/// Why a radix sort here, and why by hand: the values are IEEE doubles whose bit patterns,
/// sign apart, order exactly as the values; a least-significant-digit pass is two streaming
/// sweeps of memory, and a pass whose digit is the same for every value is skipped. Activations
/// recorded in float32 and widened to double have 29 trailing zero bits, and binary inputs take
/// two values, so most of the 6 passes of 11 bits are skipped in practice. Neither GSL
/// (heapsort, `gsl_sort`) nor the Swift packages this project may use ship a radix sort.
///
/// Ties and zeros: values equal as doubles appear once (the first of them in sorted order; −0.0
/// and +0.0 are equal, and −0.0 is kept). Every later use compares values with `<=`/`<`, where the
/// sign of a zero does not matter, so results equal those of a comparison sort followed by the
/// same de-duplication. NaN is not a finite value: callers validate before (NaN has no place in
/// an order; a NaN input would be kept as its own largest or smallest entry).
public enum DistinctSort {
  /// Digit width: 2¹¹ counters (16 KiB) per pass stay in L1; 6 passes cover 64 bits.
  static let digitBits = 11
  static let passes = 6

  /// The distinct values of `values` in increasing order (see the type's comment).
  public static func sortedDistinct(_ values: UnsafeBufferPointer<Double>) -> [Double] {
    let n = values.count
    if n == 0 { return [] }
    // Split by sign: each part is sorted on the magnitude bits (sign bit cleared), where a
    // larger pattern is a larger magnitude; negatives are then read backwards.
    var negatives = [UInt64]()
    var positives = [UInt64]()
    var negativeCount = 0
    for v in values where v.sign == .minus { negativeCount += 1 }
    negatives.reserveCapacity(negativeCount)
    positives.reserveCapacity(n - negativeCount)
    for v in values {
      let bits = v.bitPattern & ~(UInt64(1) << 63)
      if v.sign == .minus { negatives.append(bits) } else { positives.append(bits) }
    }
    radixSort(&negatives)
    radixSort(&positives)
    var out = [Double]()
    out.reserveCapacity(n)
    var last = Double.nan
    for bits in negatives.reversed() {
      let v = -Double(bitPattern: bits)
      if out.isEmpty || v != last { out.append(v); last = v }
    }
    for bits in positives {
      let v = Double(bitPattern: bits)
      if out.isEmpty || v != last { out.append(v); last = v }
    }
    return out
  }

  /// Sorts `keys` ascending (LSD, `passes` digits of `digitBits`). Digits on which all keys
  /// agree are found first from the AND and OR of the keys and skipped; counts are taken only
  /// for the others, in one sweep, each digit's counts spread over 4 interleaved tables so that
  /// runs of equal keys do not chain their increments through one counter.
  static func radixSort(_ keys: inout [UInt64]) {
    let n = keys.count
    if n < 2 { return }
    let radix = 1 << digitBits
    let mask = UInt64(radix - 1)
    var all = UInt64.max
    var any: UInt64 = 0
    keys.withUnsafeBufferPointer { k in
      for key in k {
        all &= key
        any |= key
      }
    }
    let varying = (0..<passes).filter { p in ((all ^ any) >> UInt64(p * digitBits)) & mask != 0 }
    if varying.isEmpty { return }
    let lanes = 4
    var counts = [Int](repeating: 0, count: radix * lanes * varying.count)
    keys.withUnsafeBufferPointer { k in
      counts.withUnsafeMutableBufferPointer { c in
        for (slot, p) in varying.enumerated() {
          let shift = UInt64(p * digitBits)
          let table = slot * radix * lanes
          var i = 0
          while i + lanes <= n {
            for lane in 0..<lanes { c[table + lane * radix + Int((k[i + lane] >> shift) & mask)] += 1 }
            i += lanes
          }
          while i < n {
            c[table + Int((k[i] >> shift) & mask)] += 1
            i += 1
          }
        }
      }
    }
    var scratch = [UInt64](repeating: 0, count: n)
    var inKeys = true  // where the current order lives
    var offsets = [Int](repeating: 0, count: radix)
    for (slot, p) in varying.enumerated() {
      let table = slot * radix * lanes
      var total = 0
      for d in 0..<radix {
        offsets[d] = total
        for lane in 0..<lanes { total += counts[table + lane * radix + d] }
      }
      let shift = UInt64(p * digitBits)
      func scatter(_ from: UnsafeBufferPointer<UInt64>, _ to: UnsafeMutableBufferPointer<UInt64>) {
        offsets.withUnsafeMutableBufferPointer { o in
          for key in from {
            let d = Int((key >> shift) & mask)
            to[o[d]] = key
            o[d] += 1
          }
        }
      }
      if inKeys {
        keys.withUnsafeBufferPointer { src in scratch.withUnsafeMutableBufferPointer { dst in scatter(src, dst) } }
      } else {
        scratch.withUnsafeBufferPointer { src in keys.withUnsafeMutableBufferPointer { dst in scatter(src, dst) } }
      }
      inKeys.toggle()
    }
    if !inKeys { keys = scratch }
  }
}
