import CNative

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
/// Whether the binning kernels of `CNative/binning_kernels.h` run: the processor has AVX2 and
/// `IBPLANE_BINNING_AVX2` is not 0. Otherwise Swift loops of the same results run. The one
/// switch for `DistinctSort`'s pass here and the binning estimators' coders, searches,
/// extremes and label codes (public, underscored, for IBPlaneEstimators).
public let _binningAVX2: Bool = {
  if let v = getenv("IBPLANE_BINNING_AVX2"), String(cString: v) == "0" { return false }
  return ibp_bin_avx2_available() != 0
}()

public enum DistinctSort {
  /// The most distinct bit patterns the AVX2 pass collects before it leaves the pool to the
  /// hashed set (each known pattern is one compare per vector of values).
  static let vectorLimit = 16

  /// Digit width: 2¹¹ counters (16 KiB) per pass stay in L1; 6 passes cover 64 bits.
  static let digitBits = 11
  static let passes = 6

  /// The distinct values of `values` in increasing order (see the type's comment). Up to
  /// `fewLimit` distinct values are collected by hashing (`fewDistinct`) before the radix sort
  /// takes over; the tests compare both routes (0 forces the radix sort).
  public static func sortedDistinct(_ values: UnsafeBufferPointer<Double>, fewLimit: Int = 4096) -> [Double] {
    let n = values.count
    if n == 0 { return [] }
    if fewLimit > 0, let few = fewDistinct(values, limit: fewLimit) { return few }
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

  /// The sorted distinct values when there are at most `limit` of them, else nil (found out
  /// after reading at most the values up to the (limit + 1)-th distinct one). Binary or
  /// pixel-valued inputs (2 or 256 values in a pool of 10⁶) and saturated layers are common;
  /// for them one pass over a small open-addressing set of bit patterns replaces the radix
  /// sort's passes over 10⁶ keys, and only the few distinct values are sorted. (A shortcut for
  /// a repeat of the previous value was slower: on shuffled binary inputs it mispredicts half
  /// the time.) Same result as the radix route, zeros included: ±0 is
  /// one value, kept as −0.0 when any −0.0 occurs. A key equal to the set's empty marker (a NaN
  /// pattern; callers pass finite values) gives nil, leaving it to the radix route.
  ///
  /// With `avx2`, a vector pass runs first (`_vectorPatterns`): pools of at most `vectorLimit`
  /// distinct bit patterns never reach the hashed set (binary inputs: 1.0 → 0.1 ms for 2²⁰
  /// floats); the same result, zeros included.
  static func fewDistinct(_ values: UnsafeBufferPointer<Double>, limit: Int, avx2: Bool = _binningAVX2) -> [Double]? {
    let negativeZero = (-0.0).bitPattern
    if avx2, let patterns = values.withMemoryRebound(to: UInt64.self, { _vectorPatterns($0) }) {
      // A NaN pattern equal to the set's empty marker gives nil, as in the hashed route.
      if patterns.contains(UInt64.max) { return nil }
      return sortedValues(patterns, limit: limit, negativeZero: negativeZero) { Double(bitPattern: $0) }
    }
    return fewDistinct(values, limit: limit, bits: { $0.bitPattern }, negativeZero: negativeZero) { Double(bitPattern: $0) }
  }

  /// `fewDistinct` of floats, as doubles (each widened exactly): the same values as that of
  /// the widened array, without widening it. A float's bit pattern never equals the empty marker.
  static func fewDistinct(_ values: UnsafeBufferPointer<Float>, limit: Int, avx2: Bool = _binningAVX2) -> [Double]? {
    let negativeZero = UInt64((-Float(0)).bitPattern)
    let value = { (bits: UInt64) in Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))) }
    if avx2, let patterns = values.withMemoryRebound(to: UInt32.self, { _vectorPatterns($0) }) {
      return sortedValues(patterns.map { UInt64($0) }, limit: limit, negativeZero: negativeZero, value: value)
    }
    return fewDistinct(values, limit: limit, bits: { UInt64($0.bitPattern) }, negativeZero: negativeZero, value: value)
  }

  /// The distinct bit patterns of `x` in order of first appearance when there are at most
  /// `vectorLimit`, else nil: `ibp_first_unknown_u64` skips the values whose pattern is known,
  /// and each value it stops at is a new pattern. Needs AVX2 (callers check `_binningAVX2` or
  /// `ibp_bin_avx2_available`); public, underscored, for `DiscreteEntropy`'s label columns.
  public static func _vectorPatterns(_ x: UnsafeBufferPointer<UInt64>) -> [UInt64]? {
    vectorPatterns(x) { x, n, known, count in ibp_first_unknown_u64(x, n, known, count) }
  }

  /// `_vectorPatterns` of 32-bit patterns (`ibp_first_unknown_u32`, eight a step).
  public static func _vectorPatterns(_ x: UnsafeBufferPointer<UInt32>) -> [UInt32]? {
    vectorPatterns(x) { x, n, known, count in ibp_first_unknown_u32(x, n, known, count) }
  }

  @inline(__always)
  private static func vectorPatterns<P: FixedWidthInteger>(
    _ x: UnsafeBufferPointer<P>, firstUnknown: (UnsafePointer<P>, Int, UnsafePointer<P>?, Int) -> Int
  ) -> [P]? {
    guard let base = x.baseAddress else { return [] }
    let n = x.count
    var known: [P] = []
    known.reserveCapacity(vectorLimit)
    var i = 0
    while true {
      i += known.withUnsafeBufferPointer { firstUnknown(base + i, n - i, $0.baseAddress, $0.count) }
      if i >= n { return known }
      if known.count == vectorLimit { return nil }
      known.append(x[i])
      i += 1
    }
  }

  /// The sorted values of distinct bit patterns (each −0 pattern folded into +0; more than
  /// `limit` folded values give nil), with a zero kept as −0.0 when a −0 pattern occurs: the
  /// result of the hashed route for the same set.
  private static func sortedValues(_ patterns: [UInt64], limit: Int, negativeZero: UInt64, value: (UInt64) -> Double) -> [Double]? {
    var keys: [UInt64] = []
    for p in patterns {
      let key = p == negativeZero ? 0 : p
      if !keys.contains(key) { keys.append(key) }
    }
    if keys.count > limit { return nil }
    return sortedValues(keys, sawNegativeZero: patterns.contains(negativeZero), value: value)
  }

  /// `keys` (distinct, −0 folded) as sorted values, the zero as −0.0 when `sawNegativeZero`.
  private static func sortedValues(_ keys: [UInt64], sawNegativeZero: Bool, value: (UInt64) -> Double) -> [Double] {
    var out = keys.map(value)
    out.sort()
    if sawNegativeZero, let z = out.firstIndex(of: 0) { out[z] = -0.0 }
    return out
  }

  /// The sorted distinct values of floats, as doubles: `fewDistinct` of the floats, else the
  /// radix route on their widened copy.
  public static func sortedDistinct(_ values: UnsafeBufferPointer<Float>, fewLimit: Int = 4096) -> [Double] {
    if values.isEmpty { return [] }
    if fewLimit > 0, let few = fewDistinct(values, limit: fewLimit) { return few }
    let widened = values.map { Double($0) }
    return widened.withUnsafeBufferPointer { sortedDistinct($0, fewLimit: 0) }
  }

  @inline(__always)
  private static func fewDistinct<F>(
    _ values: UnsafeBufferPointer<F>, limit: Int, bits bitPattern: (F) -> UInt64, negativeZero: UInt64, value: (UInt64) -> Double
  ) -> [Double]? {
    let empty = UInt64.max
    var size = 16
    var bits: UInt64 = 4
    while size < 4 * Swift.max(limit, 1) {
      size <<= 1
      bits += 1
    }
    let mask = size - 1
    var slots = [UInt64](repeating: empty, count: size)
    var distinct: [UInt64] = []
    var sawNegativeZero = false
    let shift = 64 - bits
    let complete = slots.withUnsafeMutableBufferPointer { slots -> Bool in
      // Inserts `key` (−0 already folded into +0) unless present; false when it is the empty
      // marker or the set is full.
      func insert(_ key: UInt64) -> Bool {
        if key == empty { return false }
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift)
        while true {
          let k = slots[slot]
          if k == key { return true }
          if k == empty {
            slots[slot] = key
            distinct.append(key)
            return distinct.count <= limit
          }
          slot = (slot &+ 1) & mask
        }
      }
      // Four values a step: their home slots are read side by side, and when all four hold
      // their keys (nearly always, once the few values are in) one branch passes them, with
      // no branch per value (1.4 → 1.1 ms for 2²⁰ shuffled binary values). A −0 (to be
      // remembered) or a key equal to the empty marker (which would match an empty slot)
      // sends the four through `insert` one by one, in order.
      let n = values.count
      var i = 0
      let home = { (key: UInt64) in Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) }
      var negative = false
      while i &+ 4 <= n {
        let (b0, b1, b2, b3) = (bitPattern(values[i]), bitPattern(values[i &+ 1]), bitPattern(values[i &+ 2]), bitPattern(values[i &+ 3]))
        let (z0, z1, z2, z3) = (b0 == negativeZero, b1 == negativeZero, b2 == negativeZero, b3 == negativeZero)
        let (k0, k1, k2, k3) = (z0 ? 0 : b0, z1 ? 0 : b1, z2 ? 0 : b2, z3 ? 0 : b3)
        let found = (slots[home(k0)] ^ k0) | (slots[home(k1)] ^ k1) | (slots[home(k2)] ^ k2) | (slots[home(k3)] ^ k3)
        let special = z0 || z1 || z2 || z3 || b0 == empty || b1 == empty || b2 == empty || b3 == empty
        if found != 0 || special {
          negative = negative || z0 || z1 || z2 || z3
          guard insert(k0), insert(k1), insert(k2), insert(k3) else { return false }
        }
        i &+= 4
      }
      if negative { sawNegativeZero = true }
      while i < n {
        let b = bitPattern(values[i])
        if b == negativeZero { sawNegativeZero = true }
        guard insert(b == negativeZero ? 0 : b) else { return false }
        i &+= 1
      }
      return true
    }
    guard complete else { return nil }
    return sortedValues(distinct, sawNegativeZero: sawNegativeZero, value: value)
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
