/// Exact rescaling by powers of two: the scale safety of every estimator that squares or sums
/// its data.
///
/// Multiplying by 2^e changes only a floating-point number's exponent, so sums, products,
/// quotients, square roots and comparisons of rescaled numbers are the rescaled results of the
/// original ones, bit for bit, as long as nothing overflows or becomes subnormal. Data whose
/// largest magnitude M is far from 1 (X × 1e300, X × 1e−300) overflow or underflow in squares
/// and sums of squares — variances, covariance matrices, squared distances — and a
/// scale-invariant estimator (KSG after standardisation, the Gaussian estimator's correlation,
/// PCA's directions, a kernel whose width follows the data) then returns 0 or NaN instead of
/// its value. Rescaled so that M ∈ [1, 2), the same computation gives the value it gives on the
/// unscaled data.
///
/// Data whose M lies in [2^−L, 2^L] (L = `safeExponent`: 250 for Double, 30 for Float, so that
/// squared distances and sums of squares of any realistic N and dimension stay finite and
/// normal) are left exactly as they are: results on ordinary data do not change by a bit.
package enum _PowerOfTwo {
  /// L of the type's safe range [2^−L, 2^L].
  static func safeExponent<S: BLASScalar>(_: S.Type) -> Int { S.self == Float.self ? 30 : 250 }

  /// e with M·2^e ∈ [1, 2), or 0 when M is 0, not finite or inside the safe range of `S`.
  package static func exponent<S: BLASScalar>(largest m: Double, for _: S.Type) -> Int {
    guard m > 0, m.isFinite else { return 0 }
    let limit = safeExponent(S.self)
    let e = Int(m.exponent)
    return (-limit...limit).contains(e) ? 0 : -e
  }

  /// x·2^e, exact unless the result over- or underflows. Two factors, so that |e| up to twice
  /// the largest exponent (a subnormal scaled to 1) needs no unrepresentable power.
  @inline(__always) package static func scaled<S: BinaryFloatingPoint>(_ x: S, _ e: Int) -> S {
    if e == 0 { return x }
    let half = e / 2
    return x * S(sign: .plus, exponent: S.Exponent(half), significand: 1)
      * S(sign: .plus, exponent: S.Exponent(e - half), significand: 1)
  }

  /// max |x| over every element of `m`, in Double (0 for an empty matrix). Specialised:
  /// unspecialised, the generic reduce and conversion were ~14 % of a lossy plane job (issue 17).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  package static func largestMagnitude<S: BLASScalar>(_ m: Matrix<S>) -> Double {
    // Concrete loops for the two scalar types: called from other modules the generic `reduce`
    // is not specialised and cost ~10 ms per 10⁵ elements (a fifth of a 1 + 1 KSG estimate).
    // (`S.self ==` then a bit cast, not `as? [Double]`: a conditional array cast from a generic
    // element type copies element by element.)
    if S.self == Double.self {
      return unsafeBitCast(m.elements, to: [Double].self).withUnsafeBufferPointer { p in
        var best = 0.0
        for v in p { best = Swift.max(best, v.magnitude) }
        return best
      }
    }
    if S.self == Float.self {
      return unsafeBitCast(m.elements, to: [Float].self).withUnsafeBufferPointer { p in
        var best = 0.0
        for v in p { best = Swift.max(best, Double(v.magnitude)) }
        return best
      }
    }
    return m.elements.reduce(0.0) { Swift.max($0, Double($1.magnitude)) }
  }

  /// max |x_ij| of each column j.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  static func columnLargestMagnitudes<S: BLASScalar>(_ m: Matrix<S>) -> [Double] {
    // Concrete loops as in `largestMagnitude`: reached from unspecialised generic callers
    // (`columnExponents` in KNN preprocessing) the generic conversion ran per element, ~5 % of
    // a 1 + 1 KSG estimate at N = 10⁵.
    func loop<T: BinaryFloatingPoint>(_ p: UnsafeBufferPointer<T>, _ widen: (T) -> Double) -> [Double] {
      var out = [Double](repeating: 0, count: m.columns)
      let w = m.columns
      for i in 0..<m.rows {
        for j in 0..<w { out[j] = Swift.max(out[j], widen(p[i &* w &+ j].magnitude)) }
      }
      return out
    }
    if S.self == Double.self {
      return unsafeBitCast(m.elements, to: [Double].self).withUnsafeBufferPointer { loop($0) { $0 } }
    }
    if S.self == Float.self {
      return unsafeBitCast(m.elements, to: [Float].self).withUnsafeBufferPointer { loop($0) { Double($0) } }
    }
    var out = [Double](repeating: 0, count: m.columns)
    for i in 0..<m.rows {
      for j in 0..<m.columns { out[j] = Swift.max(out[j], Double(m.elements[i * m.columns + j].magnitude)) }
    }
    return out
  }

  /// The exponent that brings the whole of `m` into range (one factor for every element:
  /// distances and PCA directions need the same scale on every coordinate).
  package static func exponent<S: BLASScalar>(of m: Matrix<S>) -> Int {
    exponent(largest: largestMagnitude(m), for: S.self)
  }

  /// The exponent of each column (per-coordinate quantities: standardisation, correlation).
  package static func columnExponents<S: BLASScalar>(of m: Matrix<S>) -> [Int] {
    columnLargestMagnitudes(m).map { exponent(largest: $0, for: S.self) }
  }

  /// `m` times 2^e (`m` itself when e = 0).
  package static func scaled<S: BLASScalar>(_ m: Matrix<S>, by e: Int) -> Matrix<S> {
    guard e != 0 else { return m }
    var out = m
    for k in out.elements.indices { out.elements[k] = scaled(out.elements[k], e) }
    return out
  }

  /// Column j of `m` times 2^e_j (`m` itself when every e_j = 0).
  package static func scaledColumns<S: BLASScalar>(_ m: Matrix<S>, by e: [Int]) -> Matrix<S> {
    guard e.contains(where: { $0 != 0 }) else { return m }
    var out = m
    for i in 0..<m.rows {
      for j in 0..<m.columns where e[j] != 0 {
        out.elements[i * m.columns + j] = scaled(out.elements[i * m.columns + j], e[j])
      }
    }
    return out
  }
}
