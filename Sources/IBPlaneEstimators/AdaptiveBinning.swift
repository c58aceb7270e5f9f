import Foundation
import IBPlaneCore
import IBPlaneNumerics
import CNative

/// Adaptive (entropy-based, equal-mass) binning (Chelombiev, Houghton & O'Donnell 2019).
///
/// Bin edges come from the activations themselves so that each bin holds (nearly) equal mass,
/// and unbounded layers (ReLU) are not crushed into a few fixed-width bins. With U the sorted
/// **unique** values u₀ < … < u_{U−1} of the pool and B bins, the interior edges are
///
///     e_k = u[⌊k·U/B⌋],  k = 1 … B−1   (duplicates removed when U < B)
///
/// and a value v goes to bin #{k : e_k ≤ v} ∈ 0…B−1 (numpy `digitize`). An optional lower
/// edge per activation family (−1 for tanh, 0 for ReLU) gives values below it a bin of their
/// own; activations of that family never fall below it, so it changes nothing for them.
///
/// Modes: `perLayer` (the original): the pool is every unit and sample of the layer in that
/// snapshot; `perUnit`: each unit gets its own edges from its own values.
///
/// Ties: edges are taken among *unique* values, so a value repeated many times (ReLU's exact
/// zeros, saturated tanh units) counts once when placing edges and all its copies fall in one
/// bin — that bin holds more than N/B samples; the other bins stay equal in unique values,
/// not in samples. Invariance: `perUnit` symbols are unchanged by any strictly increasing map
/// of one unit; `perLayer` symbols by a strictly increasing map applied to the whole layer.
///
/// Entropies and MI as in `BinningEstimator` (plug-in or Miller–Madow on symbol counts).
/// Complexity O(P) for the sorted distinct values of the pooled P values (`DistinctSort`: one
/// hashed pass when there are at most 4,096 of them, as for binary or pixel inputs, else a radix
/// sort of at most 6 passes; P = N·width per layer, N per unit), then O(N·width·log B).
///
/// Reference: I. Chelombiev, C. Houghton, C. O'Donnell, "Adaptive estimators show
/// information compression in deep neural networks", ICLR 2019.
public struct AdaptiveBinningEstimator: MutualInformationEstimator, InformationPlaneEstimator {
  public enum Mode: String, Sendable, CaseIterable {
    case perLayer = "per-layer"
    case perUnit = "per-unit"
  }

  /// B, the number of bins (default 30).
  public var bins: Int
  public var mode: Mode
  /// Lower edge of the activation family (e.g. −1 tanh, 0 ReLU); `nil` (default) for none.
  public var lowerEdge: Double?
  public var correction: DiscreteEntropy.Correction
  public var second: DiscreteSecondVariable

  public init(
    bins: Int = 30, mode: Mode = .perLayer, lowerEdge: Double? = nil,
    correction: DiscreteEntropy.Correction = .plugIn, second: DiscreteSecondVariable = .discrete
  ) {
    self.bins = bins
    self.mode = mode
    self.lowerEdge = lowerEdge
    self.correction = correction
    self.second = second
  }

  public var name: String { "adaptive-binning" }
  /// True: a float layer's edges are its values widened (exactly) and its codes compare the
  /// widened values with them, so it has the edges, codes and estimate of its widened copy.
  public var estimatesFloatAsDouble: Bool { true }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y): the edges adapt to the whole layer, and both terms use
  /// them; re-adapting the edges to each class would change the discretisation being measured.
  /// With T a function of X and Y of X in the sample, the plug-in difference is exactly the
  /// class-conditional plug-in Σ p(y) Î(X;T|Y=y) on these bins (chain rule of plug-in MI).
  public var conditionalInputForm: ConditionalInputForm { .difference }

  var parameters: [String: String] {
    var p = ["bins": "\(bins)", "mode": mode.rawValue, "correction": correction.rawValue]
    if let l = lowerEdge { p["lower"] = "\(l)" }
    return p
  }

  func validate() throws {
    try EstimatorParameterRange.check(bins, in: EstimatorParameterRange.bins, name: "bins", what: "an integer")
    if let l = lowerEdge {
      try EstimatorParameterRange.check(l, in: EstimatorParameterRange.lowerEdge, name: "lower", what: "a lower edge")
    }
  }

  /// The interior edges e_k = u[⌊k·U/B⌋] of a pool of finite values (sorted unique values u,
  /// by `DistinctSort`: a radix sort, the same edges as a comparison sort up to the sign of a
  /// zero edge, which no comparison sees).
  public static func edges(of values: [Double], bins: Int) -> [Double] {
    values.withUnsafeBufferPointer { edges(ofBuffer: $0, bins: bins) }
  }

  static func edges(ofBuffer values: UnsafeBufferPointer<Double>, bins: Int) -> [Double] {
    edges(sortedDistinct: DistinctSort.sortedDistinct(values), bins: bins)
  }

  /// The edges of a float pool: those of its values widened (exactly), without widening it.
  static func edges(ofBuffer values: UnsafeBufferPointer<Float>, bins: Int) -> [Double] {
    edges(sortedDistinct: DistinctSort.sortedDistinct(values), bins: bins)
  }

  private static func edges(sortedDistinct u: [Double], bins: Int) -> [Double] {
    let unique = u.count
    var out: [Double] = []
    out.reserveCapacity(bins - 1)
    for k in 1..<bins {
      let e = u[(k * unique) / bins]
      if out.last != e { out.append(e) }
    }
    return out
  }

  /// Per-unit bin codes (row-major, same shape as `m`).
  public func codes<S: BLASScalar>(_ m: Matrix<S>) throws -> [Int32] {
    try validate()
    try EstimatorError.validateFinite(m, name: "layer")
    return validatedCodes(m)
  }

  /// `codes` of a finite `m` (checked by the caller) with validated parameters.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func validatedCodes<S: BLASScalar>(_ m: Matrix<S>) -> [Int32] {
    let (rows, columns) = (m.rows, m.columns)
    guard rows > 0, columns > 0 else { return [] }
    let lower = lowerEdge ?? -.infinity
    // Values of unit j (or of the whole layer) as doubles, then each value's bin: −1 below the
    // lower edge, else #{edges ≤ v} (`assign`, which writes every code of its unit: the array
    // needs no zero fill first).
    return m.elements.withUnsafeBufferPointer { e in
      HugePages.array(count: m.elements.count) { (o: UnsafeMutableBufferPointer<Int32>) in
        if mode == .perLayer, S.self == Double.self, let base = e.baseAddress {
          // A double layer is its own pool: no copy.
          let pool = UnsafeBufferPointer(start: UnsafeRawPointer(base).assumingMemoryBound(to: Double.self), count: e.count)
          Self.assign(pool, bins: bins, lower: lower, into: o, start: 0, stride: 1)
          return
        }
        var pool = [Double](repeating: 0, count: mode == .perLayer ? e.count : rows)
        pool.withUnsafeMutableBufferPointer { pool in
          let units = mode == .perLayer ? 1 : columns
          for unit in 0..<units {
            let (start, stride) = mode == .perLayer ? (0, 1) : (unit, columns)
            for i in 0..<pool.count { pool[i] = Double(e[start + i * stride]) }
            Self.assign(UnsafeBufferPointer(pool), bins: bins, lower: lower, into: o, start: start, stride: stride)
          }
        }
      }
    }
  }

  /// Writes the bin of each value of `pool` to `o[start + i·stride]`: −1 below `lower`, else
  /// #{edges ≤ v} for the pool's own edges.
  ///
  /// The edges are padded with +∞ to 2^m − 1 entries, so m fixed halving steps, each a
  /// conditional add (no data-dependent branch; 0/1 inputs would mispredict half of them), give
  /// #{padded ≤ v} = #{edges ≤ v} for finite v. Four values are searched side by side in
  /// `SIMD4` lanes: one search is a chain of dependent loads, four are independent chains the
  /// core overlaps, and the vector compare-and-mask keeps the steps branch-free. (Written with
  /// scalar `cond ? step : 0`, LLVM's x86 cmov conversion turned the selects back into
  /// branches, which on shuffled 0/1 inputs mispredict half the time: 7.8 ms against 1.7 ms
  /// for 2²⁰ values in a stand-alone test.) A contiguous pool (`stride` 1) on a processor
  /// with AVX2 runs the same search in `CNative/binning_kernels.h` (`ibp_bin_search_f64`:
  /// 256-bit lanes and gathers, where Swift's `SIMD4<Double>` is two 128-bit halves); the
  /// tests hold both to a linear count.
  static func assign(
    _ pool: UnsafeBufferPointer<Double>, bins: Int, lower: Double, into o: UnsafeMutableBufferPointer<Int32>, start: Int, stride: Int
  ) {
    assign(pool, padded: padded(Self.edges(ofBuffer: pool, bins: bins)), lower: lower, into: o, start: start, stride: stride)
  }

  /// `edges` padded with +∞ to 2^m − 1 entries (`assign`'s search).
  static func padded(_ edges: [Double]) -> [Double] {
    var width = 1
    while width <= edges.count { width *= 2 }
    return edges + [Double](repeating: .infinity, count: width - 1 - edges.count)
  }

  /// `assign` with the pool's edges already padded (`padded(_:)`), for the values of `pool`
  /// (all of the pool, or a block of it).
  static func assign(
    _ pool: UnsafeBufferPointer<Double>, padded: [Double], lower: Double, into o: UnsafeMutableBufferPointer<Int32>, start: Int,
    stride: Int, avx2: Bool = _binningAVX2
  ) {
    let width = padded.count + 1
    padded.withUnsafeBufferPointer { ed in
      let n = pool.count
      if stride == 1, avx2, n > 0, let x = pool.baseAddress, let out = o.baseAddress {
        ibp_bin_search_f64(x, n, ed.baseAddress, width, lower, out + start)
        return
      }
      var i = 0
      let floor = SIMD4<Double>(repeating: lower)
      while i &+ 4 <= n {
        let v = SIMD4<Double>(pool[i], pool[i &+ 1], pool[i &+ 2], pool[i &+ 3])
        var at = SIMD4<Int64>(repeating: 0)
        var step = width >> 1
        while step > 0 {
          let k = step &- 1
          let e = SIMD4<Double>(ed[Int(at[0]) &+ k], ed[Int(at[1]) &+ k], ed[Int(at[2]) &+ k], ed[Int(at[3]) &+ k])
          at &+= SIMD4<Int64>(repeating: 0).replacing(with: Int64(step), where: e .<= v)
          step >>= 1
        }
        let codes = SIMD4<Int32>(truncatingIfNeeded: at.replacing(with: -1, where: v .< floor))
        o[start &+ i &* stride] = codes[0]
        o[start &+ (i &+ 1) &* stride] = codes[1]
        o[start &+ (i &+ 2) &* stride] = codes[2]
        o[start &+ (i &+ 3) &* stride] = codes[3]
        i &+= 4
      }
      while i < n {
        let v = pool[i]
        var at = 0
        var step = width >> 1
        while step > 0 {
          at &+= ed[at &+ step &- 1] <= v ? step : 0
          step >>= 1
        }
        o[start &+ i &* stride] = v < lower ? -1 : Int32(truncatingIfNeeded: at)
        i &+= 1
      }
    }
  }

  public func symbols<S: BLASScalar>(_ m: Matrix<S>) throws -> DiscreteSymbols {
    try validate()
    try EstimatorError.validateFinite(m, name: "layer")
    return fusedSymbols(m) ?? DiscreteEntropy.symbols(codes: validatedCodes(m), rows: m.rows, width: m.columns)
  }

  /// The symbols of a finite `perLayer` `m` (checked by the caller; a float `m` only with the
  /// AVX2 search), each block of rows coded into a small buffer and packed (no code array, no
  /// pass over it for its range: the codes are −1…#edges), when that range packs a row into
  /// one `UInt64`; otherwise nil, and the caller codes first. The same symbols as `symbols(codes:)` of `validatedCodes`: the
  /// same codes, and ids in order of first appearance under any one-to-one packing.
  func fusedSymbols<S: BLASScalar>(_ m: Matrix<S>, avx2: Bool = _binningAVX2) -> DiscreteSymbols? {
    guard mode == .perLayer, m.rows > 0, m.columns > 0 else { return nil }
    if S.self == Double.self {
      return unsafeBitCast(m.elements, to: [Double].self).withUnsafeBufferPointer { e in
        packedBlocks(rows: m.rows, width: m.columns, edges: Self.edges(ofBuffer: e, bins: bins)) { first, count, out, padded in
          let block = UnsafeBufferPointer(rebasing: e[first..<(first + count)])
          Self.assign(block, padded: padded, lower: lowerEdge ?? -.infinity, into: out, start: 0, stride: 1, avx2: avx2)
        }
      }
    }
    // A float layer: its edges from the floats themselves, searched as floats eight lanes at a
    // time (`floatUp`: the same comparisons as the double search of each widened value; the
    // Swift search takes a double pool: the caller's coded route).
    guard S.self == Float.self, avx2 else { return nil }
    return unsafeBitCast(m.elements, to: [Float].self).withUnsafeBufferPointer { e in
      let edges = Self.edges(ofBuffer: e, bins: bins)
      let padded32 = Self.padded(edges).map(Self.floatUp)
      let lower32 = Self.floatUp(lowerEdge ?? -.infinity)
      return padded32.withUnsafeBufferPointer { padded32 in
        packedBlocks(rows: m.rows, width: m.columns, edges: edges) { first, count, out, _ in
          Self.assign(UnsafeBufferPointer(rebasing: e[first..<(first + count)]), padded32: padded32, lower32: lower32, into: out)
        }
      }
    }
  }

  /// The search of `assign` for floats, against the padded edges rounded up to floats
  /// (`padded(_:).map(floatUp)`) and the lower edge likewise (`floatUp`): `o[i]` = −1 below
  /// the lower edge, else #{edges ≤ Double(x[i])}. AVX2 only (`ibp_bin_search_f32`).
  static func assign(
    _ x: UnsafeBufferPointer<Float>, padded32: UnsafeBufferPointer<Float>, lower32: Float, into o: UnsafeMutableBufferPointer<Int32>
  ) {
    if let x0 = x.baseAddress, let o0 = o.baseAddress {
      ibp_bin_search_f32(x0, x.count, padded32.baseAddress, padded32.count + 1, lower32, o0)
    }
  }

  /// The smallest float ≥ `e` (+∞ beyond the largest float): for a finite float v,
  /// Double(v) ≥ e exactly when v ≥ floatUp(e), so a float search against rounded-up edges
  /// takes the double search's steps (`ibp_bin_search_f32`).
  static func floatUp(_ e: Double) -> Float {
    let f = Float(e)
    return Double(f) < e ? f.nextUp : f
  }

  /// `fusedSymbols`' packing, given the pool's `edges`: `code(first, count, out, padded)` writes
  /// the codes of elements first..<first + count (whole rows) to `out`.
  private func packedBlocks(
    rows: Int, width: Int, edges: [Double],
    code: (_ first: Int, _ count: Int, _ out: UnsafeMutableBufferPointer<Int32>, _ padded: [Double]) -> Void
  ) -> DiscreteSymbols? {
    let lows = [Int32](repeating: lowerEdge == nil ? 0 : -1, count: width)
    guard let radices = DiscreteEntropy._radices(lows: lows, highs: [Int32](repeating: Int32(edges.count), count: width)) else {
      return nil
    }
    let padded = Self.padded(edges)
    // Blocks of ~8,192 codes (32 KiB, in the first-level cache while they are packed).
    let blockRows = Swift.max(1, 8_192 / width)
    return withUnsafeTemporaryAllocation(of: Int32.self, capacity: blockRows * width) { buffer in
      DiscreteEntropy._packedSymbols(rows: rows, width: width, lows: lows, radices: radices, blockRows: blockRows) {
        first, count in
        let out = UnsafeMutableBufferPointer(rebasing: buffer[0..<(count * width)])
        code(first * width, count * width, out, padded)
        return UnsafeBufferPointer(out)
      }
    }
  }

  /// Î(A;B) with A adaptively binned and B discrete or binned the same way (`second`); a
  /// discrete B must have at most N/2 distinct rows (`_DiscreteY`).
  @_specialize(where S == Float)  // specialised bodies, callees included (issue 18)
  @_specialize(where S == Double)
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))  // finite, both
    try validate()
    func binned(_ m: Matrix<S>) -> DiscreteSymbols {
      fusedSymbols(m) ?? DiscreteEntropy.symbols(codes: validatedCodes(m), rows: m.rows, width: m.columns)
    }
    let sa = binned(a)
    let sb = second == .binned ? binned(b) : DiscreteEntropy.symbols(rowsOf: b)
    if second == .discrete { try _DiscreteY.require(b, symbols: sb, estimator: name, binnedHint: true) }
    var p = parameters
    p["second"] = second.rawValue
    return try DiscreteEntropy.mutualInformation(sa, sb).estimate(correction, parameters: p).requiringFinite(estimator: name, quantity: "I(X;Y)")
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    try _BinnedPlane.point(
      layerSymbols: try symbols(layer), layer: layer, context: context, correction: correction,
      parameters: parameters
    ).requiringFinite(estimator: name)
  }
}
