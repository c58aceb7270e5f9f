import Foundation
import IBPlaneCore
import IBPlaneNumerics
import CNative

/// Fixed-width binning estimators of mutual information (Shwartz-Ziv & Tishby 2017).
///
/// Each unit's activation is mapped to a bin; a sample's row of bins is one discrete symbol
/// and entropies are plug-in (or Miller–Madow) estimates on symbol counts
/// (`DiscreteEntropy`). In the information plane, with X uniform over N distinct inputs,
/// I(X;T) = H(T); with recorded, repeated inputs I(X;T) = H(X) + H(T) − H(X,T) from joint counts;
/// I(T;Y) = H(T) − Σ_y p(y) H(T | Y=y).
///
/// References: R. Shwartz-Ziv, N. Tishby, "Opening the black box of deep neural networks via
/// information", arXiv:1703.00810 (2017), code `ravidziv/IDNNs`; A. M. Saxe et al., "On the
/// information bottleneck theory of deep learning", ICLR 2018, code `artemyk/ibsgd`.
///
/// Notes: binning measures the partition, not the network's information (T is a
/// deterministic function of X, so the true I(X;T) is infinite or H(X)); the value depends on
/// the bin size, saturates at ln N when every sample has its own symbol (watch the
/// `bins_occupied` diagnostic), and plug-in entropy is biased low by ≈ (K − 1)/2N.
/// Complexity O(N · width) expected time (hashing), O(N · width) memory.
public enum BinningConvention: Sendable, Equatable {
  /// IDNNs (`information_process.py`): edges = `linspace(-1, 1, bins)` cast to float32, and a
  /// value v goes to `edges[digitize(v, edges) − 1]`. Quirks reproduced on purpose: a value
  /// exactly on an edge goes to the bin starting at that edge; every value ≥ 1 shares the
  /// last edge's bin; every value < −1 gets `digitize = 0`, index −1, which numpy wraps to
  /// the *last* edge: values below −1 share the bin of values ≥ 1. Default `bins` = 30.
  case idnns(bins: Int)
  /// ibsgd (Saxe et al.): bin = `floor(v / binSize)` on an unbounded grid, computed in the
  /// activations' own precision (float32 activations divide by float32(binSize), as numpy
  /// does for a float32 array and a Python float). Default `binSize` = 0.07.
  case floor(binSize: Double)
  /// `bins` equal-width bins spanning the layer's observed min…max in that snapshot (all units
  /// pooled): bin = min(bins − 1, ⌊(v − min)/(max − min) · bins⌋) in double precision, the
  /// maximum in the last bin; a constant layer is one bin. Default `bins` = 30.
  case range(bins: Int)
  /// The default: `idnns` when every value of the layer lies in [−1, 1] (bit for bit the same
  /// codes), otherwise the IDNNs grid widened to cover the data: `bins` equally spaced edges
  /// from min(−1, layer min) to max(1, layer max), a value in the bin of the greatest edge
  /// ≤ it (the maximum in the last edge's own bin, as 1 is under `idnns`). It never clips.
  ///
  /// Why: Shwartz-Ziv & Tishby binned tanh outputs, which lie in [−1, 1], so their 30 edges on
  /// [−1, 1] cover the data; on an unbounded layer (ReLU, logits) the same edges put every value
  /// ≥ 1 into one bin (and, numpy's wrap-around, every value < −1 into it too), which reads as
  /// compression that is not there. Saxe et al. (2018) bin ReLU layers over the range their
  /// activity actually takes, and Chelombiev et al. (2019) show that the fixed [−1, 1] grid
  /// under-resolves unbounded activity. Widening the IDNNs grid (rather than switching to
  /// `range`) keeps the bin layout continuous in the data: a layer whose maximum creeps past 1
  /// gets edges barely wider than IDNNs', not suddenly twice as many bins over [0, max].
  /// The grid depends on each snapshot's extremes, so its width changes along training; for
  /// one fixed width use `floor`, for equal-mass bins `adaptive-binning`. The grid used is
  /// reported as the `bin_low` / `bin_high` diagnostics. Default `bins` = 30.
  case auto(bins: Int)

  /// The convention from its command-line spelling (`auto`, `idnns`, `floor`, `range`) with the
  /// defaults above for parameters not given.
  public init(name: String, bins: Int? = nil, binSize: Double? = nil) throws {
    switch name {
    case "auto": self = .auto(bins: bins ?? 30)
    case "idnns": self = .idnns(bins: bins ?? 30)
    case "floor": self = .floor(binSize: binSize ?? 0.07)
    case "range": self = .range(bins: bins ?? 30)
    default:
      throw EstimatorError.invalidParameter(name: "convention", value: name, expected: "auto, idnns, floor or range")
    }
    try validate()
  }

  /// Throws when a parameter is out of range.
  public func validate() throws {
    switch self {
    case .idnns(let b), .range(let b), .auto(let b):
      try EstimatorParameterRange.check(b, in: EstimatorParameterRange.bins, name: "bins", what: "an integer")
    case .floor(let s):
      // Applied in the activations' precision: float32 must hold the width as a normal number.
      try EstimatorParameterRange.check(s, in: EstimatorParameterRange.binSize, name: "binsize", what: "a bin width")
    }
  }

  /// Its part of the canonical `params` string, e.g. `convention=idnns,bins=30`.
  public var parameterDescription: String {
    switch self {
    case .auto(let b): return "convention=auto,bins=\(b)"
    case .idnns(let b): return "convention=idnns,bins=\(b)"
    case .floor(let s): return "convention=floor,binsize=\(EstimatorParameter.render(s))"
    case .range(let b): return "convention=range,bins=\(b)"
    }
  }

  var parameters: [String: String] {
    switch self {
    case .auto(let b): return ["convention": "auto", "bins": "\(b)"]
    case .idnns(let b): return ["convention": "idnns", "bins": "\(b)"]
    case .floor(let s): return ["convention": "floor", "binsize": "\(s)"]
    case .range(let b): return ["convention": "range", "bins": "\(b)"]
    }
  }

  /// The IDNNs edges: numpy's `linspace(-1, 1, bins)` (i·step − 1, last edge exactly 1),
  /// then `astype(np.float32)` as in `calc_information_sampling`.
  public static func idnnsEdges(bins: Int) -> [Double] {
    let step = 2.0 / Double(bins - 1)
    return (0..<bins).map { i in Double(Float(i == bins - 1 ? 1.0 : Double(i) * step + -1.0)) }
  }

  /// The per-unit bin codes of `m` (row-major, same shape). Throws for non-finite values and
  /// for `floor` codes outside ±2³¹.
  public func codes<S: BLASScalar>(_ m: Matrix<S>) throws -> [Int32] {
    try validate()
    try EstimatorError.validateFinite(m, name: "layer")
    return try validatedCodes(m, extremes: Self.extremes(m))
  }

  /// `codes` of a validated convention and a finite `m` whose `extremes` are given (the
  /// estimate paths check finiteness once for the pair and share the extremes with
  /// `diagnostics`, instead of a finite check and an extremes pass per use).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func validatedCodes<S: BLASScalar>(_ m: Matrix<S>, extremes: (Double, Double)?) throws -> [Int32] {
    let count = m.elements.count
    func codes<C: _BinCoding>(_ coder: C) -> [Int32] {
      m.elements.withUnsafeBufferPointer { e in
        HugePages.array(count: count) { (o: UnsafeMutableBufferPointer<Int32>) in coder.codes(e, into: o) }
      }
    }
    switch self {
    case .floor(let binSize):
      var out = HugePages.array(repeating: Int32(0), count: count)
      let s = S(binSize)
      for k in 0..<count {
        let q = Double((m.elements[k] / s).rounded(.down))  // exact: an integer-valued S
        guard q.magnitude < 2_147_483_647 else {
          throw EstimatorError.degenerate(
            "value \(m.elements[k]) at row \(k / m.columns), column \(k % m.columns) is more than 2³¹ bins of size \(binSize) from 0")
        }
        out[k] = Int32(q)
      }
      return out
    default:
      // No coder only for `range` over fewer than two distinct values: every code is 0.
      return withCoding(extremes: extremes, idnns: codes, linear: codes) ?? [Int32](repeating: 0, count: count)
    }
  }

  /// Calls `idnns` or `linear` with this bounded convention's coder for data of these
  /// `extremes` (`auto` resolved: the IDNNs grid inside [−1, 1], else the widened range); nil
  /// for `floor` and for `range` of fewer than two distinct values (no coder: `validatedCodes`
  /// codes them itself, and `fusedSymbols` leaves them to it).
  func withCoding<R>(
    extremes: (Double, Double)?, idnns: (_IDNNSCoding) -> R, linear: (_LinearCoding) -> R
  ) -> R? {
    switch self {
    case .floor: return nil
    case .idnns(let bins): return _IDNNSCoding.with(bins: bins, idnns)
    case .auto(let bins):
      guard let (lo, hi) = extremes, lo < -1 || hi > 1 else { return _IDNNSCoding.with(bins: bins, idnns) }
      // The range [min(−1, lo), max(1, hi)] in `bins` bins, the top edge in the last bin.
      return linear(_LinearCoding(low: Swift.min(-1, lo), high: Swift.max(1, hi), scale: Double(bins - 1), floor: false, last: bins - 1))
    case .range(let bins):
      guard let (lo, hi) = extremes, hi > lo else { return nil }
      return linear(_LinearCoding(low: lo, high: hi, scale: Double(bins), floor: true, last: bins - 1))
    }
  }

  /// The symbols of a finite `m` under a bounded convention, each row coded and packed into
  /// its key in one pass (no code array), when the codes' common range, known from `extremes`
  /// (the codes are monotone in the value, except IDNNs' wrap of values below −1 into the last
  /// bin, for which the whole grid is taken), packs a row into one `UInt64`; otherwise nil, and
  /// the caller codes first. The same symbols as `symbols(codes:)` of `validatedCodes`: the
  /// same codes, and ids in order of first appearance under any one-to-one packing.
  func fusedSymbols<S: BLASScalar>(_ m: Matrix<S>, extremes: (Double, Double)?) -> DiscreteSymbols? {
    guard let (lo, hi) = extremes else { return nil }  // nil only for an empty m
    func packed<C: _BinCoding>(_ coder: C) -> DiscreteSymbols? {
      let (low, high) = coder.codeRange(lo: lo, hi: hi)
      let lows = [Int32](repeating: low, count: m.columns)
      guard let radices = DiscreteEntropy._radices(lows: lows, highs: [Int32](repeating: high, count: m.columns)) else {
        return nil
      }
      // Blocks of ~8,192 codes (32 KiB, in the first-level cache while they are packed).
      let width = m.columns
      let blockRows = Swift.max(1, 8_192 / width)
      return m.elements.withUnsafeBufferPointer { e in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: blockRows * width) { buffer in
          DiscreteEntropy._packedSymbols(rows: m.rows, width: width, lows: lows, radices: radices, blockRows: blockRows) {
            first, count in
            let out = UnsafeMutableBufferPointer(rebasing: buffer[0..<(count * width)])
            coder.codes(UnsafeBufferPointer(rebasing: e[(first * width)..<((first + count) * width)]), into: out)
            return UnsafeBufferPointer(out)
          }
        }
      }
    }
    return withCoding(extremes: extremes, idnns: packed, linear: packed) ?? nil
  }

  /// The smallest and largest value of `m` in double precision; `nil` when it is empty.
  /// Assumes finite values: the plain comparisons (not `Swift.min`'s NaN ordering) vectorise.
  /// Ties keep the zero `Swift.min` / `Swift.max` kept (the first lowest, the last highest), so
  /// the sign of a zero `bin_low` / `bin_high` is as before.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func extremes<S: BLASScalar>(_ m: Matrix<S>, avx2: Bool = _binningAVX2) -> (Double, Double)? {
    guard !m.elements.isEmpty else { return nil }
    return m.elements.withUnsafeBufferPointer { e -> (Double, Double) in
      var (lo, hi) = avx2 ? Self.vectorExtremes(e) : Self.laneExtremes(e)
      // Only the sign of a zero extreme depends on the order of the comparisons: it is taken
      // from the first zero (the lowest, as `v < lo` kept it) or the last zero (the highest, as
      // `v >= hi` kept it), whichever route found the value.
      if lo == 0, let k = e.firstIndex(where: { $0 == 0 }) { lo = e[k] }
      if hi == 0, let k = e.lastIndex(where: { $0 == 0 }) { hi = e[k] }
      return (Double(lo), Double(hi))
    }
  }

  /// The least and greatest of a non-empty finite `e` by the AVX2 kernels (`ibp_extremes_f32/
  /// _f64`: MINPS/MAXPS are the lanes' `v < l ? v : l`, so the same values), the sign of a zero
  /// left to the caller.
  private static func vectorExtremes<S: BLASScalar>(_ e: UnsafeBufferPointer<S>) -> (S, S) {
    guard let base = e.baseAddress else { return laneExtremes(e) }
    if S.self == Float.self {
      var (l, h) = (Float(0), Float(0))
      base.withMemoryRebound(to: Float.self, capacity: e.count) { ibp_extremes_f32($0, e.count, &l, &h) }
      return (S(Double(l)), S(Double(h)))
    }
    if S.self == Double.self {
      var (l, h) = (0.0, 0.0)
      base.withMemoryRebound(to: Double.self, capacity: e.count) { ibp_extremes_f64($0, e.count, &l, &h) }
      return (S(l), S(h))
    }
    return laneExtremes(e)
  }

  /// The same in four independent accumulators (one chain of compares per element took
  /// ~2.5 ns: the selects wait on each other, and 0/1 data mispredicts a branchy form). Finite
  /// values are totally ordered except −0 = +0, so the lanes' combination is the value.
  private static func laneExtremes<S: BLASScalar>(_ e: UnsafeBufferPointer<S>) -> (S, S) {
    let n = e.count
    var (l0, l1, l2, l3) = (e[0], e[0], e[0], e[0])
    var (h0, h1, h2, h3) = (e[0], e[0], e[0], e[0])
    var i = 0
    while i + 4 <= n {
      let (v0, v1, v2, v3) = (e[i], e[i + 1], e[i + 2], e[i + 3])
      l0 = v0 < l0 ? v0 : l0
      l1 = v1 < l1 ? v1 : l1
      l2 = v2 < l2 ? v2 : l2
      l3 = v3 < l3 ? v3 : l3
      h0 = v0 > h0 ? v0 : h0
      h1 = v1 > h1 ? v1 : h1
      h2 = v2 > h2 ? v2 : h2
      h3 = v3 > h3 ? v3 : h3
      i += 4
    }
    while i < n {
      l0 = e[i] < l0 ? e[i] : l0
      h0 = e[i] > h0 ? e[i] : h0
      i += 1
    }
    return (Swift.min(Swift.min(l0, l1), Swift.min(l2, l3)), Swift.max(Swift.max(h0, h1), Swift.max(h2, h3)))
  }

  /// What the convention did to `m`, as estimate diagnostics: `clipped_fraction`, the
  /// fraction of values outside the convention's edges and so merged into an end bin with
  /// values they differ from (only `idnns` clips: values < −1 or > 1), and for the bounded
  /// grids the edges spanned, `bin_low` and `bin_high` (`auto` shows here whether it widened).
  /// Assumes finite values (`codes` checks them).
  public func diagnostics<S: BLASScalar>(_ m: Matrix<S>) -> [String: Double] {
    diagnostics(m, extremes: Self.extremes(m))
  }

  /// `diagnostics` with `m`'s extremes already known.
  func diagnostics<S: BLASScalar>(_ m: Matrix<S>, extremes: (Double, Double)?) -> [String: Double] {
    guard let (lo, hi) = extremes else { return ["clipped_fraction": 0] }
    switch self {
    case .idnns:
      var clipped = 0
      for v in m.elements where Double(v) < -1 || Double(v) > 1 { clipped += 1 }
      return ["clipped_fraction": Double(clipped) / Double(m.elements.count), "bin_low": -1, "bin_high": 1]
    case .auto: return ["clipped_fraction": 0, "bin_low": Swift.min(-1, lo), "bin_high": Swift.max(1, hi)]
    case .range: return ["clipped_fraction": 0, "bin_low": lo, "bin_high": hi]
    case .floor: return ["clipped_fraction": 0]
    }
  }

  /// The discrete symbols (one per row) of `m` under this convention.
  public func symbols<S: BLASScalar>(_ m: Matrix<S>) throws -> DiscreteSymbols {
    DiscreteEntropy.symbols(codes: try codes(m), rows: m.rows, width: m.columns)
  }

  /// The symbols of a finite `m` (checked by the caller), with the extremes they were coded
  /// with (for `diagnostics(_:extremes:)`, so one extremes pass serves both).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func validatedSymbols<S: BLASScalar>(_ m: Matrix<S>) throws -> (symbols: DiscreteSymbols, extremes: (Double, Double)?) {
    try validate()
    let e = Self.extremes(m)
    if let s = fusedSymbols(m, extremes: e) { return (s, e) }
    return (DiscreteEntropy.symbols(codes: try validatedCodes(m, extremes: e), rows: m.rows, width: m.columns), e)
  }
}

/// The code of one value under a bounded binning convention (`BinningConvention.withCoding`).
protocol _BinCoding {
  func code(_ v: Double) -> Int32
  /// Bounds on the codes of values in [lo, hi] that include every such code (`fusedSymbols`).
  func codeRange(lo: Double, hi: Double) -> (Int32, Int32)
  /// The coder's parameters for the AVX2 kernels (`CNative/binning_kernels.h`).
  var kernel: ibp_bin_coder { get }
}

extension _BinCoding {
  /// Whether the AVX2 coding kernels run (the processor has AVX2, and `IBPLANE_BINNING_AVX2`
  /// is not 0); otherwise the Swift `code` loop runs, with the same codes.
  static var avx2: Bool { _binningAVX2 }

  /// `out[k] = code(Double(values[k]))` for every k, four values at a time through the AVX2
  /// kernel when `avx2` (Float and Double values), else one at a time in Swift.
  @inline(__always)
  func codes<S: BLASScalar>(_ values: UnsafeBufferPointer<S>, into out: UnsafeMutableBufferPointer<Int32>, avx2: Bool = Self.avx2) {
    let n = values.count
    guard n > 0 else { return }
    if avx2, let o = out.baseAddress {
      var k = kernel
      if S.self == Double.self {
        values.withMemoryRebound(to: Double.self) { ibp_bin_codes_f64(&k, $0.baseAddress, n, o) }
        return
      }
      if S.self == Float.self {
        values.withMemoryRebound(to: Float.self) { ibp_bin_codes_f32(&k, $0.baseAddress, n, o) }
        return
      }
    }
    for k in 0..<n { out[k] = code(Double(values[k])) }
  }
}

/// IDNNs' digitize over `idnnsEdges`: #{edges ≤ v} − 1, and values below the first edge (−1)
/// in the last bin, as `np.digitize(v) - 1` indexes from the end.
struct _IDNNSCoding: _BinCoding {
  /// The edges padded with −∞ and +∞: padded[g + 1] is edge g.
  let padded: UnsafeBufferPointer<Double>
  let bins: Int
  let inverseStep: Double
  let top: Double

  static func with<R>(bins: Int, _ body: (_IDNNSCoding) -> R) -> R {
    // Both fix-up steps of `code` stop at the padding without index checks.
    let padded = [-Double.infinity] + BinningConvention.idnnsEdges(bins: bins) + [Double.infinity]
    return padded.withUnsafeBufferPointer { ed in
      body(_IDNNSCoding(padded: ed, bins: bins, inverseStep: Double(bins - 1) / 2, top: Double(bins)))
    }
  }

  @inline(__always)
  func code(_ v: Double) -> Int32 {
    // digitize(v) = #{edges ≤ v} = g with padded[g] ≤ v < padded[g + 1]. For v in
    // [e_i, e_{i+1}) that is i + 1, so the guess is ⌊(v + 1)/step⌋ + 1, clamped to 0…bins (the
    // clamped value is ≥ 0, so truncation is the floor), then one branch-free step each way.
    // The guess is off by at most one: the edges are i·step − 1 rounded to float32, at most
    // 2⁻²⁴ away, which is < 0.04 of a step for every allowed bin count (≤ 2²⁰), and the
    // product's own rounding is ~2⁻³³ of a step; below −1 − step the guess is 0 and at or
    // above 1 it is `bins`, both exact. So no data-dependent branch is left (0/1 inputs, which
    // sit on edges, would mispredict one), and the tests check every edge and its neighbours
    // against a bisection of the edges.
    var g = Int(Swift.min(Swift.max((v + 1) * inverseStep + 1, 0), top))
    g &+= padded[g &+ 1] <= v ? 1 : 0
    g &-= padded[g] > v ? 1 : 0
    return Int32(truncatingIfNeeded: g == 0 ? bins &- 1 : g &- 1)
  }

  var kernel: ibp_bin_coder {
    ibp_bin_coder(
      kind: 0, padded: padded.baseAddress, bins: bins, inverse_step: inverseStep, h: 0, low_scaled: 0, span: 0, scale: 0,
      last: 0, floor_q: 0)
  }

  func codeRange(lo: Double, hi: Double) -> (Int32, Int32) {
    // Monotone from the first edge (exactly −1) up; below it the wrap to the last bin.
    lo >= -1 ? (code(lo), code(hi)) : (0, Int32(bins - 1))
  }
}

/// Equal-width bins over [low, high]: `range` (⌊(v − low)/span · bins⌋, the top value in the
/// last bin) and `auto` widened past [−1, 1] (⌊(v − low)/span · (bins − 1)⌋ by truncation,
/// v ≥ low). A span wider than the largest double is measured in halves, exactly, so
/// (v − low)/span stays a number in [0, 1] instead of ∞/∞ = NaN.
struct _LinearCoding: _BinCoding {
  let lowScaled: Double
  let h: Double
  let span: Double
  let scale: Double
  let floor: Bool
  let last: Double

  init(low: Double, high: Double, scale: Double, floor: Bool, last: Int) {
    h = (high - low).isFinite ? 1.0 : 0.5
    lowScaled = low * h
    span = high * h - low * h
    self.scale = scale
    self.floor = floor
    self.last = Double(last)
  }

  @inline(__always)
  func code(_ v: Double) -> Int32 {
    let q = (v * h - lowScaled) / span * scale
    // v ≥ low, so q ≥ 0 and truncation is the floor (no libm call) for `auto`; `range` keeps
    // its `rounded(.down)`.
    return Int32(Swift.min(last, floor ? q.rounded(.down) : q))
  }

  var kernel: ibp_bin_coder {
    ibp_bin_coder(
      kind: 1, padded: nil, bins: 0, inverse_step: 0, h: h, low_scaled: lowScaled, span: span, scale: scale, last: last,
      floor_q: floor ? 1 : 0)
  }

  func codeRange(lo: Double, hi: Double) -> (Int32, Int32) { (code(lo), code(hi)) }  // monotone in v
}

/// How the second variable of `estimate(_:_:)` is discretised.
public enum DiscreteSecondVariable: String, Sendable, CaseIterable {
  /// Each row of B is an exact symbol (a class column, or any discrete array).
  case discrete
  /// B is binned with the same rule as A.
  case binned
}

/// Fixed-width binning: `binning` on the command line and in reports.
///
/// Defaults: the `auto` convention with 30 bins (the IDNNs grid of the published plots on a
/// layer inside [−1, 1], widened to cover the data otherwise, so the default never clips),
/// plug-in entropy, the second variable of `estimate` taken as discrete (a class column).
/// Every estimate carries the `clipped_fraction` diagnostic (values merged into an end bin by
/// `idnns`; the `clipped_fraction` column of `plane.csv`). See `BinningConvention` for the
/// formulas and `DiscreteEntropy` for the entropy estimates.
public struct BinningEstimator: MutualInformationEstimator, InformationPlaneEstimator {
  public var convention: BinningConvention
  public var correction: DiscreteEntropy.Correction
  public var second: DiscreteSecondVariable

  public init(
    convention: BinningConvention = .auto(bins: 30), correction: DiscreteEntropy.Correction = .plugIn,
    second: DiscreteSecondVariable = .discrete
  ) {
    self.convention = convention
    self.correction = correction
    self.second = second
  }

  public var name: String { "binning" }
  /// True except for `floor`: the bounded conventions code `Double(v)` (exact for a float) and
  /// compare values only for equality and order, which widening keeps; `floor` divides in the
  /// matrix's own precision.
  public var estimatesFloatAsDouble: Bool {
    if case .floor = convention { return false }
    return true
  }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) class-conditionally (Σ p(y) Î(X;T | Y=y), `ConditionalInputForm`): the fixed
  /// edges are the same in every class, each term is a plug-in (or Miller–Madow) MI ≥ 0 with
  /// its own class's correction, and it equals the plug-in difference when Y is a function of X.
  public var conditionalInputForm: ConditionalInputForm { .classConditional }

  var parameters: [String: String] {
    convention.parameters.merging(["correction": correction.rawValue, "second": second.rawValue]) { $1 }
  }

  /// Î(A;B) with A binned and B discrete or binned (`second`). Bins of A are reported as
  /// `bins_occupied`. A discrete B must have at most N/2 distinct rows (`_DiscreteY`): a
  /// continuous B would be N classes and the value H(binned A).
  @_specialize(where S == Float)  // specialised bodies, callees included (issue 18)
  @_specialize(where S == Double)
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))  // finite, both
    let (sa, extremesA) = try convention.validatedSymbols(a)
    let sb = second == .binned ? try convention.validatedSymbols(b).symbols : DiscreteEntropy.symbols(rowsOf: b)
    if second == .discrete { try _DiscreteY.require(b, symbols: sb, estimator: name, binnedHint: true) }
    var e = try DiscreteEntropy.mutualInformation(sa, sb).estimate(correction, parameters: parameters)
      .requiringFinite(estimator: name, quantity: "I(X;Y)")
    // Of A, the binned variable (a binned B's own clipping is not reported).
    e.diagnostics.merge(convention.diagnostics(a, extremes: extremesA)) { $1 }
    return e
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    try EstimatorError.validateFinite(layer, name: "layer")
    let (symbols, extremes) = try convention.validatedSymbols(layer)
    var p = try _BinnedPlane.point(
      layerSymbols: symbols, layer: layer, context: context,
      correction: correction, parameters: convention.parameters.merging(["correction": correction.rawValue]) { $1 }
    ).requiringFinite(estimator: name)
    let d = convention.diagnostics(layer, extremes: extremes)
    p.inputInformation.diagnostics.merge(d) { $1 }
    p.labelInformation.diagnostics.merge(d) { $1 }
    return p
  }
}

/// The information-plane coordinates shared by every binning estimator.
enum _BinnedPlane {
  /// Symbols of X (distinct samples when inputs are not recorded), cached per recording.
  static func inputSymbols(_ context: PlaneContext) -> DiscreteSymbols {
    context.cached("binning.inputSymbols") {
      if let x = context.inputs { return DiscreteEntropy.symbols(rowsOf: x) }
      return DiscreteEntropy.distinctSymbols(context.sampleCount)
    }
  }

  /// Symbols of Y (class labels), cached per recording.
  static func labelSymbols(_ context: PlaneContext) throws -> DiscreteSymbols {
    guard case .classes(let c, let k) = context.labels else {
      throw EstimatorError.invalidParameter(
        name: "labels", value: "regression targets", expected: "class labels (binning estimates I(T;Y) from class counts)")
    }
    return context.cached("binning.labelSymbols") { DiscreteSymbols(classes: c, classCount: k) }
  }

  static func point(
    layerSymbols t: DiscreteSymbols, layer: Matrix<Float>, context: PlaneContext,
    correction: DiscreteEntropy.Correction, parameters: [String: String]
  ) throws -> PlanePoint {
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    // At least two samples and one unit (as the I(A;B) form requires of A): one sample or a
    // layer without units would be a plug-in 0, an empty one ∞. The callers have checked that
    // the layer is finite (its symbols need it).
    guard layer.rows >= 2 else { throw EstimatorError.tooFewSamples(needed: 2, got: layer.rows, what: "this estimator") }
    guard layer.columns > 0 else { throw EstimatorError.shapeMismatch("layer has no columns") }
    let x = inputSymbols(context)
    let y = try labelSymbols(context)
    return PlanePoint(
      inputInformation: DiscreteEntropy.mutualInformation(t, x).estimate(correction, parameters: parameters),
      labelInformation: DiscreteEntropy.mutualInformation(t, y).estimate(correction, parameters: parameters))
  }
}
