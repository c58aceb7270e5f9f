import Foundation
import IBPlaneCore
import IBPlaneNumerics
import CNative

/// Entropy and mutual information of discrete symbols: the single entropy-from-counts routine
/// behind every binning estimator of ibplane (fixed-width, range, adaptive).
///
/// Plug-in (maximum-likelihood) entropy of n samples with symbol counts c_k:
///
///     Ĥ = −Σ_k (c_k/n) ln(c_k/n) = ln n − (1/n) Σ_k c_k ln c_k
///
/// Miller–Madow correction (Miller 1955): Ĥ_MM = Ĥ + (K − 1)/(2n), K = number of occupied
/// symbols. The plug-in estimate is biased low by ≈ (K − 1)/(2n) − O(1/n²) when n ≫ K
/// (Paninski 2003, "Estimation of entropy and mutual information", Neural Computation 15);
/// Miller–Madow removes that first-order term and nothing else, so both fail when K ≈ n
/// (every sample its own symbol: Ĥ = ln n, the saturation the information-plane literature
/// reports as I(X;T) = log₂ N).
///
/// Mutual information: Î(A;B) = Ĥ(A) + Ĥ(B) − Ĥ(A,B), each term plug-in or Miller–Madow.
/// With discrete B this equals Ĥ(A) − Σ_b p̂(b) Ĥ(A | B=b) term for term (also for Miller–Madow:
/// both give the correction (K_A − 1 + K_B − 1 − K_AB + 1)/(2n)). The plug-in MI of independent
/// variables is biased up by ≈ (K_A − 1)(K_B − 1)/(2n).
///
/// Symbols are found by hashing (never by sorting): a row of integer codes is packed into one
/// `UInt64` in mixed radix when the per-column code ranges (or, renumbered, the per-column
/// value counts) allow, otherwise the row itself is the key. Complexity O(n · width) expected time, O(n) memory.
public enum DiscreteEntropy {
  /// Which entropy estimate a binning estimator reports as its value; both are always
  /// computed and returned in the diagnostics.
  public enum Correction: String, Sendable, CaseIterable {
    /// Plug-in (maximum likelihood), as in Shwartz-Ziv & Tishby 2017 and Saxe et al. 2018.
    case plugIn = "plug-in"
    /// Miller–Madow: plug-in + (K − 1)/(2n).
    case millerMadow = "miller-madow"
  }

  /// Entropy of one discrete sample, both estimates and the number of occupied symbols.
  public struct Value: Sendable, Equatable {
    public var plugInNats: Double
    public var millerMadowNats: Double
    /// K: symbols seen at least once.
    public var occupied: Int
    public var samples: Int

    public func nats(_ correction: Correction) -> Double {
      correction == .plugIn ? plugInNats : millerMadowNats
    }
  }

  /// Ĥ from symbol counts (zeros are ignored). Sums run in `Double`.
  public static func entropy<C: Collection>(counts: C) -> Value where C.Element == Int {
    var n = 0
    var occupied = 0
    var sumCLogC = 0.0
    for c in counts where c > 0 {
      n += c
      occupied += 1
      if c > 1 {  // 1 · ln 1 = 0: saturated layers are mostly singletons
        let x = Double(c)
        sumCLogC += x * log(x)
      }
    }
    guard n > 0 else { return Value(plugInNats: 0, millerMadowNats: 0, occupied: 0, samples: 0) }
    let nn = Double(n)
    let h = Swift.max(0, log(nn) - sumCLogC / nn)
    return Value(plugInNats: h, millerMadowNats: h + Double(occupied - 1) / (2 * nn), occupied: occupied, samples: n)
  }

  /// Dense symbol ids for the rows of `codes` (row-major, `rows × width` integer codes):
  /// equal rows get equal ids, ids run over 0..<count in order of first appearance.
  public static func symbols(codes: [Int32], rows: Int, width: Int) -> DiscreteSymbols {
    precondition(codes.count == rows * width, "codes must hold rows × width values")
    if rows == 0 { return DiscreteSymbols(ids: [], counts: []) }
    if width == 0 { return DiscreteSymbols(ids: [Int32](repeating: 0, count: rows), counts: [rows]) }
    // Mixed-radix packing: code − low_j in 0..<radix_j per column. Any packing that is
    // one-to-one gives the same ids (first appearance), so the whole array's range is tried
    // first (one pass that vectorises; the bounded binning conventions give every column the
    // same range anyway), then each column's own (a pass with a store per code).
    var (low, high) = (codes[0], codes[0])
    codes.withUnsafeBufferPointer { c in
      for v in c {
        low = v < low ? v : low
        high = v > high ? v : high
      }
    }
    let uniformLows = [Int32](repeating: low, count: width)
    if let radices = _radices(lows: uniformLows, highs: [Int32](repeating: high, count: width)) {
      return _packedSymbols(codes, rows: rows, width: width, lows: uniformLows, radices: radices)
    }
    var lows = [Int32](repeating: .max, count: width)
    var highs = [Int32](repeating: .min, count: width)
    codes.withUnsafeBufferPointer { c in
      lows.withUnsafeMutableBufferPointer { lo in
        highs.withUnsafeMutableBufferPointer { hi in
          for i in 0..<rows {
            for j in 0..<width {
              let v = c[i * width + j]
              lo[j] = Swift.min(lo[j], v)
              hi[j] = Swift.max(hi[j], v)
            }
          }
        }
      }
    }
    // Code ranges too wide to pack (16 binary columns binned into 30 bins span 30¹⁶ > 2⁶⁴) may
    // still hold few values per column: renumber them densely and pack those. Ids are in order
    // of first appearance on every path, so the symbols are the same.
    if let radices = _radices(lows: lows, highs: highs) {
      return _packedSymbols(codes, rows: rows, width: width, lows: lows, radices: radices)
    }
    if let (dense, distinct) = _denseColumnCodes(codes, rows: rows, width: width, lows: lows, highs: highs),
      let radices = _radices(lows: [Int32](repeating: 0, count: width), highs: distinct.map { $0 - 1 })
    {
      return _packedSymbols(dense, rows: rows, width: width, lows: [Int32](repeating: 0, count: width), radices: radices)
    }
    var ids = [Int32](repeating: 0, count: rows)
    var counts: [Int] = []
    var table = [ArraySlice<Int32>: Int32](minimumCapacity: rows)
    for i in 0..<rows {
      let key = codes[(i * width)..<((i + 1) * width)]
      if let id = table[key] {
        ids[i] = id
        counts[Int(id)] += 1
      } else {
        let id = Int32(counts.count)
        table[key] = id
        ids[i] = id
        counts.append(1)
      }
    }
    return DiscreteSymbols(ids: ids, counts: counts)
  }

  /// The mixed radices (code − low_j in 0..<radix_j per column) when every key fits a
  /// `UInt64`, that is when their product is at most 2⁶⁴ (16 columns of 16 codes each exactly
  /// fill it); nil otherwise.
  static func _radices(lows: [Int32], highs: [Int32]) -> [UInt64]? {
    var radices = [UInt64](repeating: 1, count: lows.count)
    var capacity: UInt128 = 1  // ≤ 2⁶⁴ times a radix ≤ 2³², so the product cannot overflow
    for j in lows.indices {
      radices[j] = UInt64(Int64(highs[j]) - Int64(lows[j]) + 1)
      capacity *= UInt128(radices[j])
      if capacity > UInt128(1) << 64 { return nil }
    }
    return radices
  }

  /// Symbols of rows packed into one `UInt64` key each (mixed radix), hashed by
  /// `_PackedSymbolTable`.
  static func _packedSymbols(_ codes: [Int32], rows: Int, width: Int, lows: [Int32], radices: [UInt64]) -> DiscreteSymbols {
    codes.withUnsafeBufferPointer { c in
      _packedSymbols(rows: rows, width: width, lows: lows, radices: radices, blockRows: 256) { first, count in
        UnsafeBufferPointer(rebasing: c[(first * width)..<((first + count) * width)])
      }
    }
  }

  /// `_packedSymbols` of codes produced a block of at most `blockRows` rows at a time:
  /// `codes(first, count)` returns the row-major codes of rows first..<first + count (the
  /// binning conventions code each block into a small buffer here instead of storing a code
  /// array first). Every code must be in its column's range (≥ low_j, < low_j + radix_j).
  @inline(__always)
  static func _packedSymbols(
    rows: Int, width: Int, lows: [Int32], radices: [UInt64], blockRows: Int,
    codes: (_ first: Int, _ count: Int) -> UnsafeBufferPointer<Int32>
  ) -> DiscreteSymbols {
    var table = _PackedSymbolTable(capacity: rows)
    // The mixed-radix value Σ_j (code_j − low_j) · place_j, place_j = Π_{l > j} radix_l: as
    // Horner's rule, but with independent products instead of one chain of multiply-adds per
    // row.
    var places = [UInt64](repeating: 1, count: width)
    for j in stride(from: width - 2, through: 0, by: -1) { places[j] = places[j + 1] &* radices[j + 1] }
    let offset = (0..<width).reduce(UInt64(0)) { $0 &+ UInt64(truncatingIfNeeded: Int64(lows[$1])) &* places[$1] }
    // key = Σ_j code_j · place_j − Σ_j low_j · place_j, wrapping: the same value modulo 2⁶⁴
    // as Σ_j (code_j − low_j) · place_j, which is in 0..<2⁶⁴ (every code is ≥ its column's
    // low), so the key is that mixed-radix value exactly. A block's keys are all computed
    // before any is looked up: a run of lookups keeps several table misses in flight, where
    // one lookup after each row's keying had one at a time.
    let ids = [Int32](unsafeUninitializedCapacity: rows) { ids, initialised in
      withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Swift.max(blockRows, 1)) { keys in
        places.withUnsafeBufferPointer { places in
          var first = 0
          while first < rows {
            let n = Swift.min(blockRows, rows - first)
            let c = codes(first, n)
            for b in 0..<n {
              var key: UInt64 = 0
              for j in 0..<width {
                key &+= UInt64(truncatingIfNeeded: Int64(c[b &* width &+ j])) &* places[j]
              }
              keys[b] = key &- offset
            }
            table.lookUp(UnsafeBufferPointer(rebasing: keys[0..<n]), ids: UnsafeMutableBufferPointer(rebasing: ids[first..<(first + n)]))
            first += n
          }
        }
      }
      initialised = rows
    }
    return DiscreteSymbols(ids: ids, counts: table.counts())
  }

  /// Each column's codes renumbered 0..<k_j in order of first appearance, with the k_j, when
  /// every column's code range is at most `rows` wide (a table of that size per column);
  /// otherwise nil. Columns are taken in consecutive groups whose tables total at most 2²²
  /// entries (16 MiB; a group holds at least one column), and each group's rows are read in
  /// memory order: all columns at once for the bounded binning codes, one column at a time
  /// only for very wide ranges. First appearance in row order is the same for any grouping.
  static func _denseColumnCodes(_ codes: [Int32], rows: Int, width: Int, lows: [Int32], highs: [Int32]) -> ([Int32], [Int32])? {
    guard (0..<width).allSatisfy({ Int64(highs[$0]) - Int64(lows[$0]) < Int64(Swift.max(rows, 16)) }) else { return nil }
    var offsets = [Int](repeating: 0, count: width + 1)
    for j in 0..<width { offsets[j + 1] = offsets[j] + Int(Int64(highs[j]) - Int64(lows[j]) + 1) }
    var dense = HugePages.array(repeating: Int32(0), count: rows * width)
    var distinct = [Int32](repeating: 0, count: width)
    codes.withUnsafeBufferPointer { c in
      dense.withUnsafeMutableBufferPointer { out in
        distinct.withUnsafeMutableBufferPointer { next in
          offsets.withUnsafeBufferPointer { offsets in
            lows.withUnsafeBufferPointer { lows in
              var first = 0
              while first < width {
                var end = first + 1
                while end < width && offsets[end + 1] - offsets[first] <= 1 << 22 { end += 1 }
                var table = [Int32](repeating: -1, count: offsets[end] - offsets[first])
                table.withUnsafeMutableBufferPointer { table in
                  for i in 0..<rows {
                    for j in first..<end {
                      let slot = offsets[j] - offsets[first] + Int(Int64(c[i * width + j]) - Int64(lows[j]))
                      var t = table[slot]
                      if t < 0 {
                        t = next[j]
                        table[slot] = t
                        next[j] += 1
                      }
                      out[i * width + j] = t
                    }
                  }
                }
                first = end
              }
            }
          }
        }
      }
    }
    return (dense, distinct)
  }

  /// Dense symbol ids for the rows of `m` taken as exact values (a class column, repeated
  /// inputs): each column's distinct values get integer codes, then rows are hashed.
  /// −0 and +0 are the same value; each NaN is a value of its own (NaN ≠ NaN).
  ///
  /// Specialised for `Float` and `Double`, and a column's first `_ColumnCodes.scanLimit`
  /// distinct values are found by a linear scan before any hashing: a label or binary input
  /// column has a handful of values, and the generic per-column `Dictionary` it replaces ran
  /// through witness tables (issue 18's profile). Codes are in order of first appearance
  /// either way, so the symbols are the same.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public static func symbols<S: BLASScalar>(rowsOf m: Matrix<S>) -> DiscreteSymbols {
    let (rows, width) = (m.rows, m.columns)
    if width == 1, _binningAVX2, let few = m.elements.withUnsafeBufferPointer({ _fewValueColumnSymbols($0) }) { return few }
    if width == 1 {
      // One column (a class label): its codes, 0, 1, 2, … in order of first appearance, are
      // already the symbol ids, so no row keys or table are needed.
      var coder = _ColumnCodes<S>()
      var counts: [Int] = []
      let ids = m.elements.withUnsafeBufferPointer { e in
        [Int32](unsafeUninitializedCapacity: rows) { ids, initialised in
          for i in 0..<rows {
            let c = coder.code(e[i])
            ids[i] = c
            if Int(c) == counts.count { counts.append(1) } else { counts[Int(c)] += 1 }
          }
          initialised = rows
        }
      }
      return DiscreteSymbols(ids: ids, counts: counts)
    }
    var codes = HugePages.array(repeating: Int32(0), count: rows * width)
    m.elements.withUnsafeBufferPointer { e in
      codes.withUnsafeMutableBufferPointer { c in
        for j in 0..<width {
          var coder = _ColumnCodes<S>()
          for i in 0..<rows { c[i * width + j] = coder.code(e[i * width + j]) }
        }
      }
    }
    return symbols(codes: codes, rows: rows, width: width)
  }

  /// The symbols of a column of at most `DistinctSort.vectorLimit` distinct bit patterns, none
  /// a NaN (class labels), by the AVX2 kernels: `DistinctSort._vectorPatterns` finds the patterns
  /// in order of first appearance, each gets the code of its value (−0 and +0 are one value, as
  /// in `_ColumnCodes`; a value's first pattern in that order is its first appearance, so codes
  /// come in order of first appearance too), and `ibp_codes_of_known_u32/_u64` writes every
  /// row's code and counts them. Otherwise nil (more patterns, a NaN, or not Float or Double):
  /// the caller's `_ColumnCodes` route, which gives these same symbols. Needs AVX2.
  static func _fewValueColumnSymbols<S: BLASScalar>(_ e: UnsafeBufferPointer<S>) -> DiscreteSymbols? {
    guard let base = e.baseAddress else { return nil }
    let n = e.count
    func symbols<P: FixedWidthInteger>(
      _ patterns: [P], value: (P) -> Double, kernel: (UnsafePointer<P>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int>) -> Void
    ) -> DiscreteSymbols? {
      var values: [Double] = []
      var codes: [Int32] = []
      for p in patterns {
        let v = value(p)
        if v.isNaN { return nil }
        if let k = values.firstIndex(where: { $0 == v }) {
          codes.append(Int32(k))
        } else {
          codes.append(Int32(values.count))
          values.append(v)
        }
      }
      var tally = [Int](repeating: 0, count: patterns.count)
      let ids = [Int32](unsafeUninitializedCapacity: n) { ids, initialised in
        patterns.withUnsafeBufferPointer { known in
          codes.withUnsafeBufferPointer { c in
            tally.withUnsafeMutableBufferPointer { t in
              if let k = known.baseAddress, let c0 = c.baseAddress, let o = ids.baseAddress, let t0 = t.baseAddress { kernel(k, c0, o, t0) }
            }
          }
        }
        initialised = n
      }
      var counts = [Int](repeating: 0, count: values.count)
      for (j, c) in codes.enumerated() { counts[Int(c)] += tally[j] }
      return DiscreteSymbols(ids: ids, counts: counts)
    }
    if S.self == Float.self {
      return UnsafeRawPointer(base).withMemoryRebound(to: UInt32.self, capacity: n) { x in
        guard let patterns = DistinctSort._vectorPatterns(UnsafeBufferPointer(start: x, count: n)) else { return nil }
        return symbols(patterns, value: { Double(Float(bitPattern: $0)) }) { k, c, o, t in
          ibp_codes_of_known_u32(x, n, k, c, patterns.count, o, t)
        }
      }
    }
    if S.self == Double.self {
      return UnsafeRawPointer(base).withMemoryRebound(to: UInt64.self, capacity: n) { x in
        guard let patterns = DistinctSort._vectorPatterns(UnsafeBufferPointer(start: x, count: n)) else { return nil }
        return symbols(patterns, value: { Double(bitPattern: $0) }) { k, c, o, t in
          ibp_codes_of_known_u64(x, n, k, c, patterns.count, o, t)
        }
      }
    }
    return nil
  }

  /// Symbols of n distinct samples (ids 0..<n): X in the information plane when inputs are
  /// not recorded.
  public static func distinctSymbols(_ n: Int) -> DiscreteSymbols {
    DiscreteSymbols(ids: (0..<n).map { Int32($0) }, counts: [Int](repeating: 1, count: n))
  }

  /// Î(A;B) = Ĥ(A) + Ĥ(B) − Ĥ(A,B) from paired symbols, plug-in and Miller–Madow.
  public static func mutualInformation(_ a: DiscreteSymbols, _ b: DiscreteSymbols) -> DiscreteMutualInformation {
    precondition(a.ids.count == b.ids.count, "paired symbols must have equal length")
    let n = a.ids.count
    let ha = entropy(counts: a.counts)
    let hb = entropy(counts: b.counts)
    let joint: Value
    if a.count == n || b.count == n {
      // One side is all distinct, so every pair is distinct: Ĥ(A,B) = ln n.
      let nn = Double(n)
      joint = Value(plugInNats: log(nn), millerMadowNats: log(nn) + Double(n - 1) / (2 * nn), occupied: n, samples: n)
    } else if a.count * b.count <= Swift.max(1 << 16, 4 * n) {
      var cells = [Int](repeating: 0, count: a.count * b.count)
      for i in 0..<n { cells[Int(a.ids[i]) * b.count + Int(b.ids[i])] += 1 }
      joint = entropy(counts: cells)
    } else {
      // Counts in order of the pairs' first appearance, so the sum of c ln c is taken in one
      // order: a `Dictionary`'s values come in an order seeded per table (by its storage), and
      // the same counts summed in another order differed in the last bits between two equal
      // estimates (found by a test comparing a Float layer's estimate with its Double one's).
      var table = _PackedSymbolTable(capacity: n)
      let block = 512
      withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block) { keys in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: block) { ids in
          var first = 0
          while first < n {
            let m = Swift.min(block, n - first)
            for k in 0..<m { keys[k] = UInt64(a.ids[first + k]) &* UInt64(b.count) &+ UInt64(b.ids[first + k]) }
            table.lookUp(UnsafeBufferPointer(rebasing: keys[0..<m]), ids: ids)
            first += m
          }
        }
      }
      joint = entropy(counts: table.counts())
    }
    return DiscreteMutualInformation(first: ha, second: hb, joint: joint)
  }
}

/// Dense ids of discrete symbols, one per sample, with the count of each symbol.
public struct DiscreteSymbols: Sendable, Equatable {
  /// Symbol id of each sample, in 0..<count.
  public var ids: [Int32]
  /// Occurrences of each symbol.
  public var counts: [Int]
  /// Number of distinct symbols.
  public var count: Int { counts.count }

  public init(ids: [Int32], counts: [Int]) {
    self.ids = ids
    self.counts = counts
  }

  /// Symbols of a class column (values in 0..<classCount; empty classes are simply absent).
  public init(classes: [Int], classCount: Int) {
    var remap = [Int32](repeating: -1, count: Swift.max(classCount, 0))
    var ids = [Int32](repeating: 0, count: classes.count)
    var counts: [Int] = []
    for (i, y) in classes.enumerated() {
      if remap[y] < 0 {
        remap[y] = Int32(counts.count)
        counts.append(0)
      }
      ids[i] = remap[y]
      counts[Int(remap[y])] += 1
    }
    self.init(ids: ids, counts: counts)
  }
}

/// Î(A;B) of two discrete samples with the entropies it came from.
public struct DiscreteMutualInformation: Sendable, Equatable {
  public var first: DiscreteEntropy.Value
  public var second: DiscreteEntropy.Value
  public var joint: DiscreteEntropy.Value

  public var plugInNats: Double { first.plugInNats + second.plugInNats - joint.plugInNats }
  public var millerMadowNats: Double { first.millerMadowNats + second.millerMadowNats - joint.millerMadowNats }
  public func nats(_ correction: DiscreteEntropy.Correction) -> Double {
    correction == .plugIn ? plugInNats : millerMadowNats
  }

  /// An `Estimate` carrying both values and the occupancy diagnostics: `bins_occupied`
  /// (symbols of the first, binned variable), `symbols_other`, `bins_occupied_joint`, `n`,
  /// and the first variable's entropies `h_plugin_nats`, `h_miller_madow_nats`.
  public func estimate(_ correction: DiscreteEntropy.Correction, parameters: [String: String]) -> Estimate {
    Estimate(
      nats: nats(correction), parameters: parameters,
      diagnostics: [
        "bins_occupied": Double(first.occupied),
        "symbols_other": Double(second.occupied),
        "bins_occupied_joint": Double(joint.occupied),
        "n": Double(first.samples),
        "plugin_nats": plugInNats,
        "miller_madow_nats": millerMadowNats,
        "h_plugin_nats": first.plugInNats,
        "h_miller_madow_nats": first.millerMadowNats,
      ])
  }
}

/// Open-addressing hash table from packed 64-bit symbol keys to dense ids, for the hot loop of
/// `DiscreteEntropy.symbols(codes:rows:width:)`. Swift's `Dictionary` hashes with seeded
/// SipHash; a packed key needs only a multiplicative (Fibonacci) hash and linear probing
/// (see bench/bench_binning_kde.py for the resulting times). Load factor ≤ ½.
///
/// A slot holds its key, the key's id and the key's count, so a lookup touches one cache line
/// (separate key, id and count arrays took three), and keys are looked up a run at a time
/// with their home slots prefetched first: the table is larger than the second-level cache
/// for large inputs, and the lookups' misses then overlap instead of following one another.
struct _PackedSymbolTable {
  /// A key, its id and how many lookups found it (0 while the slot is empty: an all-zero slot
  /// is empty, so fresh zero pages need no fill).
  struct Slot {
    var key: UInt64
    var id: Int32
    var count: Int32
  }

  /// The slots' memory (`HugePages.zeroed`: zero pages, huge from 2 MiB on). A class the table
  /// shares when copied: a table is used where it is made and not copied.
  private let memory: ZeroedMemory
  private let slots: UnsafeMutableBufferPointer<Slot>
  private let shift: UInt64
  private let mask: Int
  /// The number of distinct keys looked up so far (ids are 0..<count, in order of first lookup).
  private(set) var count = 0

  init(capacity: Int) {
    var size = 16
    var bits: UInt64 = 4
    while size < 2 * capacity {
      size <<= 1
      bits += 1
    }
    guard let memory = HugePages.zeroed(byteCount: size * MemoryLayout<Slot>.stride) else {
      fatalError("out of memory: a symbol table of \(size) slots")  // as an Array's allocation would trap
    }
    self.memory = memory
    slots = UnsafeMutableBufferPointer(start: memory.base.bindMemory(to: Slot.self, capacity: size), count: size)
    shift = 64 - bits
    mask = size - 1
  }

  /// Writes the id of each of `keys` to `ids` (at least as long; a new key gets the next id)
  /// and counts it.
  @inline(__always)
  mutating func lookUp(_ keys: UnsafeBufferPointer<UInt64>, ids: UnsafeMutableBufferPointer<Int32>) {
    let (shift, mask, s) = (self.shift, self.mask, self.slots)
    var next = Int32(truncatingIfNeeded: count)
    guard let base = s.baseAddress else { return }
    @inline(__always) func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) &>> shift) }
    for key in keys { ibp_prefetch_bytes(base + home(key), MemoryLayout<Slot>.stride) }
    for i in 0..<keys.count {
      let key = keys[i]
      var slot = home(key)
      while true {
        if s[slot].count == 0 {
          s[slot] = Slot(key: key, id: next, count: 1)
          ids[i] = next
          next &+= 1
          break
        }
        if s[slot].key == key {
          s[slot].count &+= 1
          ids[i] = s[slot].id
          break
        }
        slot = (slot &+ 1) & mask
      }
    }
    count = Int(next)
    withExtendedLifetime(memory) {}
  }

  /// How many lookups found each id, by id.
  func counts() -> [Int] {
    var out = [Int](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { out in
      for slot in slots where slot.count > 0 { out[Int(slot.id)] = Int(slot.count) }
    }
    withExtendedLifetime(memory) {}
    return out
  }
}

/// Integer codes of one column's exact values, in order of first appearance: a linear scan
/// over the first `scanLimit` distinct values (compared with `==`, so −0 = +0 and NaN matches
/// nothing), then a `Dictionary` (same equality) once a column has more.
struct _ColumnCodes<S: BLASScalar> {
  static var scanLimit: Int { 8 }
  private var few: [S] = []
  private var hashing = false
  private var table: [S: Int32] = [:]
  private var next: Int32 = 0

  @inline(__always)
  mutating func code(_ v: S) -> Int32 {
    if !hashing {
      // The distinct values so far compare equal to v at most once (−0 and +0 are one value,
      // NaN equals nothing), so the sum of k + 1 over the matches is that k + 1, or 0. Summed
      // without an early exit or a select: random labels made the early exit's branch a coin
      // flip, mispredicted on every other row.
      var match: Int32 = 0
      few.withUnsafeBufferPointer { f in
        for k in 0..<f.count { match &+= Int32(truncatingIfNeeded: k &+ 1) &* (f[k] == v ? 1 : 0) }
      }
      if match > 0 { return match &- 1 }
      if few.count < Self.scanLimit {
        few.append(v)
        next += 1
        return next - 1
      }
      hashing = true
      table.reserveCapacity(4 * Self.scanLimit)
      for (k, u) in few.enumerated() where !u.isNaN { table[u] = Int32(k) }
    }
    if let c = table[v] { return c }
    table[v] = next
    next += 1
    return next - 1
  }
}
