import Foundation
import Testing

@testable import IBPlaneEstimators
@testable import IBPlaneNumerics

/// Issue 18's binning fast paths (stop 26) against plain references: the branch-free IDNNs
/// codes, the symbol packings (whole-array range, per-column range, dense renumbering, hashed
/// rows), the hashed few-distinct sort, the four-lane adaptive search, and the blocked finite
/// check. Each reference is written the obvious way, so a fast path that drifts fails here.
@Suite struct BinningFastPathTests {
  /// numpy `digitize` on the IDNNs edges, then the wrap of index −1 to the last edge.
  private func idnnsReference(_ v: Double, edges: [Double]) -> Int32 {
    var lo = 0
    var hi = edges.count  // g = #{edges ≤ v} by bisection
    while lo < hi {
      let mid = (lo + hi) / 2
      if edges[mid] <= v { lo = mid + 1 } else { hi = mid }
    }
    return Int32(lo == 0 ? edges.count - 1 : lo - 1)
  }

  @Test(arguments: [2, 3, 30, 257, 1_000, 1 << 20])
  func idnnsCodesEqualTheBisectionOnEveryEdge(bins: Int) throws {
    let edges = BinningConvention.idnnsEdges(bins: bins)
    // Every edge (every 997th of a million) and its neighbours, the midpoints, both ends of
    // the grid and beyond, and the 0/1 inputs of the 12-bit task.
    var values: [Double] = [-1.5, -1, 1, 1.25, 3e300, -3e300, 0, 1, -0.0, 0.5]
    for (i, e) in edges.enumerated() where bins < 5_000 || i % 997 == 0 || i == edges.count - 1 {
      values += [e, e.nextUp, e.nextDown, Double(Float(e).nextUp), Double(Float(e).nextDown)]
      if i + 1 < edges.count { values.append((e + edges[i + 1]) / 2) }
    }
    let random = RandomSource(seed: UInt64(bins))
    values += (0..<2_000).map { _ in random.uniform() * 2.4 - 1.2 }
    // Both sides of each cell boundary of the AVX2 kernel's grid (the midpoints above).
    values += values.filter { $0.magnitude <= 1 }.flatMap { [$0.nextUp, $0.nextDown] }
    let convention = BinningConvention.idnns(bins: bins)
    let got = try convention.codes(Matrix(column: values))
    let want = values.map { idnnsReference($0, edges: edges) }
    #expect(got == want)
    // Float layers: the same codes for the same (widened) values.
    let floats = values.filter { $0.magnitude < 1e30 }.map { Float($0) }
    #expect(try convention.codes(Matrix(column: floats)) == floats.map { idnnsReference(Double($0), edges: edges) })
    // The AVX2 kernel and the Swift coder, each against the bisection (on a processor without
    // AVX2 both runs take the Swift coder).
    for avx2 in [true, false] where !avx2 || _binningAVX2 {
      let coded = _IDNNSCoding.with(bins: bins) { coder in
        (codes(values, coder, avx2: avx2), codes(floats, coder, avx2: avx2))
      }
      #expect(coded.0 == want, "avx2 \(avx2)")
      #expect(coded.1 == floats.map { idnnsReference(Double($0), edges: edges) }, "avx2 \(avx2), float")
    }
  }

  private func codes<S: BLASScalar, C: _BinCoding>(_ values: [S], _ coder: C, avx2: Bool) -> [Int32] {
    var out = [Int32](repeating: -7, count: values.count)
    values.withUnsafeBufferPointer { v in out.withUnsafeMutableBufferPointer { coder.codes(v, into: $0, avx2: avx2) } }
    return out
  }

  @Test func jointCountsOfLargeSymbolSetsAreSummedInFirstAppearanceOrder() {
    // More symbol pairs than the dense table takes (300 × 300 > 2¹⁶): the hashed joint counts,
    // in order of first appearance, so the plug-in sum is the same bits every time.
    let random = RandomSource(seed: 37)
    for n in [1, 5_000, 20_000] {
      let a = DiscreteSymbols(classes: (0..<n).map { _ in random.integer(below: 300) }, classCount: 300)
      let b = DiscreteSymbols(classes: (0..<n).map { _ in random.integer(below: 300) }, classCount: 300)
      var order: [Int: Int] = [:]
      var counts: [Int] = []
      for i in 0..<n {
        let pair = Int(a.ids[i]) * b.count + Int(b.ids[i])
        if let k = order[pair] { counts[k] += 1 } else {
          order[pair] = counts.count
          counts.append(1)
        }
      }
      let joint = DiscreteEntropy.mutualInformation(a, b).joint
      let want = DiscreteEntropy.entropy(counts: counts)
      #expect(joint.plugInNats.bitPattern == want.plugInNats.bitPattern, "n \(n)")
      #expect(joint.occupied == want.occupied && joint.samples == n, "n \(n)")
      #expect(a.count * b.count > Swift.max(1 << 16, 4 * n) || n < 2, "the hashed branch, n \(n)")
    }
  }

  @Test func adaptiveFusedSymbolsEqualTheSymbolsOfTheCodes() throws {
    // Per-layer adaptive binning packs each block's codes as it goes when −1…#edges packs a
    // row; the same symbols as coding first. Per-unit and ranges too wide to pack take the
    // coded route (nil).
    let random = RandomSource(seed: 36)
    func matrix(_ rows: Int, _ width: Int, _ value: () -> Double) throws -> Matrix<Double> {
      try Matrix(rows: rows, columns: width, elements: (0..<(rows * width)).map { _ in value() })
    }
    let binary16 = try matrix(3_000, 16) { Double(random.integer(below: 2)) }
    let relu = try matrix(2_000, 3) { Swift.max(0, random.normal()) }
    let tanh = try matrix(2_000, 5) { Foundation.tanh(random.normal() * 2) }
    let wide = try matrix(500, 16) { random.normal() }  // 31¹⁶ > 2⁶⁴
    let cases: [(String, AdaptiveBinningEstimator, Matrix<Double>, Bool)] = [
      ("16 binary columns", AdaptiveBinningEstimator(), binary16, true),
      ("relu, lower edge 0", AdaptiveBinningEstimator(bins: 12, lowerEdge: 0), relu, true),
      ("tanh, lower edge 0 (values below it)", AdaptiveBinningEstimator(bins: 7, lowerEdge: 0), tanh, true),
      ("tanh, 2 bins", AdaptiveBinningEstimator(bins: 2), tanh, true),
      ("16 continuous columns, 30 bins (coded route)", AdaptiveBinningEstimator(), wide, false),
      ("per unit (coded route)", AdaptiveBinningEstimator(mode: .perUnit), relu, false),
    ]
    for (what, estimator, m, fuses) in cases {
      let coded = DiscreteEntropy.symbols(codes: estimator.validatedCodes(m), rows: m.rows, width: m.columns)
      let fused = estimator.fusedSymbols(m)
      #expect((fused != nil) == fuses, "\(what)")
      if let fused {
        let same = fused == coded
        #expect(same, "\(what)")
      }
      // A float layer (AVX2 only: the Swift search takes a double pool): the same symbols as
      // the codes of its widened values.
      let floats = m.converted(to: Float.self)
      let codedF = DiscreteEntropy.symbols(codes: estimator.validatedCodes(floats), rows: m.rows, width: m.columns)
      let fusedF = estimator.fusedSymbols(floats)
      #expect((fusedF != nil) == (fuses && _binningAVX2), "\(what), float")
      if let fusedF {
        let same = fusedF == codedF
        #expect(same, "\(what), float")
      }
      #expect(estimator.fusedSymbols(floats, avx2: false) == nil, "\(what), float without AVX2")
    }
  }

  @Test func estimatesFloatAsDoubleHoldsBitForBit() throws {
    // `ibplane estimate` skips widening a float32 X when the estimator says its value is the
    // same in Float: every bounded convention, both kinds of second variable, layers inside
    // and beyond ±1 (auto widens, idnns clips), binary inputs.
    let random = RandomSource(seed: 35)
    let n = 3_000
    func floats(_ width: Int, _ value: () -> Double) throws -> Matrix<Float> {
      try Matrix(rows: n, columns: width, elements: (0..<(n * width)).map { _ in Float(value()) })
    }
    let layers = [
      try floats(5) { Foundation.tanh(random.normal() * 2) }, try floats(4) { Swift.max(0, random.normal() * 3) },
      try floats(16) { Double(random.integer(below: 2)) },
    ]
    let labels = try Matrix(rows: n, columns: 1, elements: (0..<n).map { _ in Float(random.integer(below: 10)) })
    let second = try floats(2) { random.normal() }
    for convention: BinningConvention in [.auto(bins: 30), .idnns(bins: 30), .idnns(bins: 7), .range(bins: 50)] {
      for (kind, b) in [(DiscreteSecondVariable.discrete, labels), (.binned, second)] {
        let estimator = BinningEstimator(convention: convention, correction: .millerMadow, second: kind)
        #expect(estimator.estimatesFloatAsDouble)
        for a in layers {
          let single = try estimator.estimate(a, b)
          let double = try estimator.estimate(a.converted(to: Double.self), b.converted(to: Double.self))
          #expect(single.nats.bitPattern == double.nats.bitPattern, "\(convention), \(kind), width \(a.columns)")
          #expect(single.diagnostics == double.diagnostics, "\(convention), \(kind), width \(a.columns)")
        }
      }
    }
    #expect(!BinningEstimator(convention: .floor(binSize: 0.5)).estimatesFloatAsDouble)
    for estimator in [
      AdaptiveBinningEstimator(), AdaptiveBinningEstimator(bins: 7, lowerEdge: 0), AdaptiveBinningEstimator(mode: .perUnit),
      AdaptiveBinningEstimator(bins: 12, correction: .millerMadow, second: .binned),
    ] {
      #expect(estimator.estimatesFloatAsDouble)
      for a in layers {
        for b in [labels, second] where estimator.second == .binned || b.columns == 1 {
          let single = try estimator.estimate(a, b)
          let double = try estimator.estimate(a.converted(to: Double.self), b.converted(to: Double.self))
          #expect(single.nats.bitPattern == double.nats.bitPattern, "adaptive \(estimator.parameterDescription), width \(a.columns)")
          #expect(single.diagnostics == double.diagnostics, "adaptive \(estimator.parameterDescription), width \(a.columns)")
        }
      }
    }
  }

  @Test func linearCodesOfTheAVX2KernelEqualTheSwiftCoder() throws {
    // `auto` widened and `range`, over spans of every size (a span wider than the largest
    // double is measured in halves), at the grid's edges, their neighbours and the extremes;
    // every length 0…9 for the kernel's partial last group of four.
    let random = RandomSource(seed: 18)
    let spans: [(Double, Double)] = [(-1, 1), (-3.5, 2), (0, 1e-300), (-1e308, 1.5e308), (-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude), (5, 5.000001)]
    for (lo, hi) in spans {
      for (bins, floor) in [(30, false), (50, true), (1 << 20, true), (2, false)] {
        let coder = floor
          ? _LinearCoding(low: lo, high: hi, scale: Double(bins), floor: true, last: bins - 1)
          : _LinearCoding(low: Swift.min(-1, lo), high: Swift.max(1, hi), scale: Double(bins - 1), floor: false, last: bins - 1)
        let step = (hi / 2 - lo / 2) / Double(bins) * 2
        var values: [Double] = [lo, hi, lo.nextUp, hi.nextDown, lo / 2 + hi / 2]
        for i in stride(from: 0, through: bins, by: Swift.max(1, bins / 97)) {
          let edge = lo + Double(i) * step
          if edge.isFinite && edge >= lo && edge <= hi { values += [edge, edge.nextUp, edge.nextDown].filter { $0 >= lo && $0 <= hi } }
        }
        values += (0..<500).map { _ in lo + random.uniform() * (hi / 2 - lo / 2) * 2 }.filter { $0.isFinite && $0 >= lo && $0 <= hi }
        let floats = values.map { Float($0) }.filter { Double($0) >= lo && Double($0) <= hi }
        let want = values.map { coder.code($0) }
        let wantF = floats.map { coder.code(Double($0)) }
        for avx2 in [true, false] where !avx2 || _binningAVX2 {
          #expect(codes(values, coder, avx2: avx2) == want, "[\(lo), \(hi)], \(bins) bins, avx2 \(avx2)")
          #expect(codes(floats, coder, avx2: avx2) == wantF, "[\(lo), \(hi)], \(bins) bins, avx2 \(avx2), float")
          for n in 0..<10 where n <= values.count {
            #expect(codes(Array(values.prefix(n)), coder, avx2: avx2) == Array(want.prefix(n)), "length \(n)")
          }
        }
      }
    }
  }

  /// Ids in order of first appearance from a dictionary over whole rows.
  private func symbolsReference(_ codes: [Int32], rows: Int, width: Int) -> DiscreteSymbols {
    var table: [[Int32]: Int32] = [:]
    var ids: [Int32] = []
    var counts: [Int] = []
    for i in 0..<rows {
      let row = Array(codes[(i * width)..<((i + 1) * width)])
      if let id = table[row] {
        ids.append(id)
        counts[Int(id)] += 1
      } else {
        table[row] = Int32(counts.count)
        ids.append(Int32(counts.count))
        counts.append(1)
      }
    }
    return DiscreteSymbols(ids: ids, counts: counts)
  }

  @Test func symbolPackingsEqualTheRowDictionary() {
    let random = RandomSource(seed: 26)
    func codes(rows: Int, width: Int, _ value: (Int, Int) -> Int32) -> [Int32] {
      (0..<(rows * width)).map { value($0 / width, $0 % width) }
    }
    let cases: [(String, Int, Int, [Int32])] = [
      // One range for every column, packing 16¹⁶ = 2⁶⁴ keys exactly (the 16 binary inputs
      // binned into 30 bins: codes 14 and 29, a range of 16).
      ("2^64 keys, whole-array range", 4_000, 16, codes(rows: 4_000, width: 16) { _, _ in random.integer(below: 2) == 0 ? 14 : 29 }),
      // 17 such columns overflow any packing of the ranges; renumbering gives 2¹⁷ keys.
      ("dense renumbering", 4_000, 17, codes(rows: 4_000, width: 17) { _, _ in random.integer(below: 2) == 0 ? 14 : 29 }),
      // Columns of different ranges: the whole-array range overflows, the columns' fit.
      ("per-column ranges", 3_000, 12, codes(rows: 3_000, width: 12) { _, j in j == 0 ? Int32(random.integer(below: 1 << 20)) - 500_000 : Int32(random.integer(below: 3)) }),
      // Wide ranges in every column, few distinct values per column: dense renumbering.
      ("wide ranges, few values", 2_000, 9, codes(rows: 2_000, width: 9) { _, j in Int32(j * 100_000) * Int32(random.integer(below: 3)) - 150_000 }),
      // Ranges wider than the rows: hashed rows (the dictionary route).
      ("hashed rows", 1_000, 3, codes(rows: 1_000, width: 3) { _, _ in Int32(truncatingIfNeeded: random.integer(below: 1 << 31)) &* 2 }),
      // Many rows repeated, few distinct.
      ("repeats", 5_000, 4, codes(rows: 5_000, width: 4) { i, j in Int32((i % 7) * (j + 1)) }),
      ("one column", 100, 1, codes(rows: 100, width: 1) { i, _ in Int32(i % 3) - 1 }),
    ]
    for (what, rows, width, c) in cases {
      #expect(DiscreteEntropy.symbols(codes: c, rows: rows, width: width) == symbolsReference(c, rows: rows, width: width), "\(what)")
    }
  }

  @Test func denseRenumberingInColumnGroupsEqualsTheRowDictionary() throws {
    // Tables totalling more than 2²² entries are taken in several column groups: 70 columns of
    // a range of 65,000 codes each (64 columns, then 6), two values used per column.
    let (rows, width) = (65_000, 70)
    let random = RandomSource(seed: 3)
    let c = (0..<(rows * width)).map { _ in random.integer(below: 2) == 0 ? Int32(0) : 64_999 }
    let lows = [Int32](repeating: 0, count: width)
    let highs = [Int32](repeating: 64_999, count: width)
    let (dense, distinct) = try #require(DiscreteEntropy._denseColumnCodes(c, rows: rows, width: width, lows: lows, highs: highs))
    #expect(distinct == [Int32](repeating: 2, count: width))
    for j in [0, 1, 37, 69] {
      let first = c[j]  // row 0's code is renumbered 0, the other value 1
      #expect((0..<rows).allSatisfy { dense[$0 * width + j] == (c[$0 * width + j] == first ? 0 : 1) })
    }
    // The grouped renumbering gives the same symbols (and so the same ids) as the row dictionary.
    #expect(DiscreteEntropy.symbols(codes: c, rows: rows, width: width) == symbolsReference(c, rows: rows, width: width))
  }

  @Test func fewDistinctEqualsTheRadixSortBitForBit() {
    let random = RandomSource(seed: 11)
    let gaussian = random.normalMatrix(rows: 20_000, columns: 1).elements
    let inputs: [(String, [Double])] = [
      ("binary", gaussian.map { $0 > 0 ? 1 : 0 }),
      ("pixels", gaussian.map { (($0 + 4) * 32).rounded() }),
      ("zeros of both signs", gaussian.map { $0 > 1 ? -0.0 : ($0 > 0 ? 0.0 : ($0 * 4).rounded()) }),
      ("only −0", [-0.0, -0.0, 2, -3]),
      ("only +0", [0.0, 1, 1, -1]),
      ("continuous (falls back)", gaussian),
      ("4,096 distinct then repeats", (0..<10_000).map { Double($0 % 4_096) - 2_000 }),
      ("4,097 distinct, the last one late", (0..<10_000).map { Double($0 % 4_096) } + [1e9]),
      ("extremes", [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 0, 1]),
    ]
    for (what, values) in inputs {
      let fast = values.withUnsafeBufferPointer { DistinctSort.sortedDistinct($0) }
      let radix = values.withUnsafeBufferPointer { DistinctSort.sortedDistinct($0, fewLimit: 0) }
      #expect(fast.map(\.bitPattern) == radix.map(\.bitPattern), "\(what)")
    }
    // The limit: exactly `limit` distinct values are collected, one more is refused.
    let sixteen = (0..<1_000).map { Double($0 % 16) }
    #expect(sixteen.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 16) } == (0..<16).map(Double.init))
    #expect(sixteen.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 15) } == nil)
  }

  /// #{edges ≤ v} by a linear count, −1 below the lower edge.
  private func adaptiveReference(_ v: Double, edges: [Double], lower: Double) -> Int32 {
    v < lower ? -1 : Int32(edges.filter { $0 <= v }.count)
  }

  @Test(arguments: [2, 3, 5, 30, 97, 1_000])
  func adaptiveSearchOfTheAVX2KernelAndTheSwiftLanesEqualALinearCount(bins: Int) throws {
    // Every edge, its neighbours, the lower edge and its neighbours, ±0 and the extremes, in
    // pools of every length 0…9 (the kernel's partial last group) and one long one.
    let random = RandomSource(seed: UInt64(bins) + 100)
    let pool = (0..<5_000).map { _ in (random.normal() * 4).rounded() / 4 }
    let edges = AdaptiveBinningEstimator.edges(of: pool, bins: bins)
    let padded = AdaptiveBinningEstimator.padded(edges)
    var values = edges.flatMap { [$0, $0.nextUp, $0.nextDown] }
    values += [-0.5, (-0.5).nextUp, (-0.5).nextDown, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-300]
    values += pool.prefix(500)
    for lower in [-Double.infinity, -0.5] {
      let want = values.map { adaptiveReference($0, edges: edges, lower: lower) }
      for avx2 in [true, false] where !avx2 || _binningAVX2 {
        for n in Array(0..<10) + [values.count] {
          var out = [Int32](repeating: 99, count: n + 2)
          values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
              AdaptiveBinningEstimator.assign(
                UnsafeBufferPointer(rebasing: v[0..<n]), padded: padded, lower: lower, into: o, start: 1, stride: 1, avx2: avx2)
            }
          }
          #expect(Array(out[1..<(n + 1)]) == Array(want.prefix(n)), "lower \(lower), avx2 \(avx2), length \(n)")
          #expect(out[0] == 99 && out[n + 1] == 99, "written outside its range: length \(n)")
        }
      }
    }
  }

  @Test(arguments: [2, 3, 5, 30, 97])
  func floatSearchOfRoundedUpEdgesEqualsALinearCountOfTheWidenedValues(bins: Int) throws {
    // Double edges that floats cannot hold (from a double pool, a lower edge of 0.1, edges
    // beyond the largest float): the float search against `floatUp` of each must count as the
    // double comparison of each widened value does. Values: the floats at, above and below
    // every edge, ±0, the largest floats; every length 0…17 (the kernel's partial last group).
    guard _binningAVX2 else { return }
    let random = RandomSource(seed: UInt64(bins) + 200)
    let pool = (0..<5_000).map { _ in random.normal() / 3 }
    let edgeSets = [AdaptiveBinningEstimator.edges(of: pool, bins: bins), [-1e300, -1e39, 0.1, 1e39, 1e300]]
    for edges in edgeSets {
      let padded32 = AdaptiveBinningEstimator.padded(edges).map(AdaptiveBinningEstimator.floatUp)
      var values: [Float] = edges.flatMap { e -> [Float] in let f = Float(e); return [f, f.nextUp, f.nextDown] }
      values += [0, -0.0, 0.1, Float(0.1).nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]
      values = values.filter(\.isFinite) + pool.prefix(300).map { Float($0) }
      for lower in [-Double.infinity, 0.1, -0.5, -1e300] {
        let want = values.map { adaptiveReference(Double($0), edges: edges, lower: lower) }
        for n in Array(0..<18) + [values.count] {
          var out = [Int32](repeating: 99, count: n + 2)
          values.withUnsafeBufferPointer { v in
            padded32.withUnsafeBufferPointer { p in
              out.withUnsafeMutableBufferPointer { o in
                AdaptiveBinningEstimator.assign(
                  UnsafeBufferPointer(rebasing: v[0..<n]), padded32: p, lower32: AdaptiveBinningEstimator.floatUp(lower),
                  into: UnsafeMutableBufferPointer(rebasing: o[1...]))
              }
            }
          }
          #expect(Array(out[1..<(n + 1)]) == Array(want.prefix(n)), "edges \(edges.count), lower \(lower), length \(n)")
          #expect(out[0] == 99 && out[n + 1] == 99, "written outside its range: length \(n)")
        }
      }
    }
    #expect(AdaptiveBinningEstimator.floatUp(0.1) == Float(0.1).nextUp || Double(Float(0.1)) >= 0.1)
    #expect(AdaptiveBinningEstimator.floatUp(1e39) == .infinity && AdaptiveBinningEstimator.floatUp(-1e39) == -.greatestFiniteMagnitude)
    #expect(AdaptiveBinningEstimator.floatUp(-.infinity) == -.infinity && AdaptiveBinningEstimator.floatUp(-0.0).sign == .minus)
  }

  @Test(arguments: [2, 3, 5, 30, 97])
  func fourLaneAdaptiveSearchEqualsALinearCount(bins: Int) throws {
    let random = RandomSource(seed: UInt64(bins))
    for rows in [1, 3, 4, 5, 258] {
      let x = random.normalMatrix(rows: rows, columns: 3)
      let tied = try Matrix(rows: rows, columns: 3, elements: x.elements.map { ($0 * 2).rounded() })
      for m in [x, tied] {
        for lower: Double? in [nil, -0.5] {
          let perLayer = AdaptiveBinningEstimator(bins: bins, mode: .perLayer, lowerEdge: lower)
          let edges = AdaptiveBinningEstimator.edges(of: m.elements, bins: perLayer.bins)
          #expect(try perLayer.codes(m) == m.elements.map { adaptiveReference($0, edges: edges, lower: lower ?? -.infinity) })
          // Float layers take the pool copy; the same codes for the same values.
          #expect(try perLayer.codes(Matrix(rows: rows, columns: 3, elements: m.elements.map { Float($0) }))
            == perLayer.codes(Matrix(rows: rows, columns: 3, elements: m.elements.map { Double(Float($0)) })))
          let perUnit = AdaptiveBinningEstimator(bins: bins, mode: .perUnit, lowerEdge: lower)
          let codes = try perUnit.codes(m)
          for j in 0..<3 {
            let column = (0..<rows).map { m[$0, j] }
            let e = AdaptiveBinningEstimator.edges(of: column, bins: perUnit.bins)
            #expect((0..<rows).map { codes[$0 * 3 + j] } == column.map { adaptiveReference($0, edges: e, lower: lower ?? -.infinity) })
          }
        }
      }
    }
  }

  @Test func blockedFiniteCheckFindsTheFirstAnywhere() {
    for count in [1, 255, 256, 257, 1_000, 1_023, 1_024, 1_025, 5_000] {
      for position in Set([0, 1, 254, 255, 256, 257, 1_023, 1_024, 1_025, 2_047, 2_048, count / 2, count - 1]) where position < count {
        for bad in [Double.nan, .infinity, -.infinity] {
          var v = [Double](repeating: 1, count: count)
          v[position] = bad
          if position + 300 < count { v[position + 300] = .nan }  // a later one is not reported
          #expect(Matrix(column: v).firstNonFiniteIndex() == position, "count \(count), at \(position)")
          #expect(Matrix(column: v.map { Float($0) }).firstNonFiniteIndex() == position, "float, count \(count), at \(position)")
        }
      }
      // Large but finite (no overflow to ∞), of both signs, and the extremes of the exponent.
      let finite = (0..<count).map { Double($0) * ($0 % 2 == 0 ? 1e300 : -1e300) }
      #expect(Matrix(column: finite).firstNonFiniteIndex() == nil)
      let edges: [Double] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, -0.0]
      #expect(Matrix(column: (0..<count).map { edges[$0 % edges.count] }).firstNonFiniteIndex() == nil)
      let floatEdges: [Float] = [.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, -0.0]
      #expect(Matrix(column: (0..<count).map { floatEdges[$0 % floatEdges.count] }).firstNonFiniteIndex() == nil)
    }
  }

  @Test func zeroExtremesKeepTheirSignsAsSwiftMinAndMaxDid() throws {
    // Swift.min keeps the first of equal values, Swift.max the last: bin_low +0, bin_high −0.
    for values in [[0.0, -0.0], [0.0, -0.0, -1, 0.0, -0.0]] {
      let reference = (values.dropFirst().reduce(values[0]) { Swift.min($0, $1) }, values.dropFirst().reduce(values[0]) { Swift.max($0, $1) })
      let d = BinningConvention.range(bins: 4).diagnostics(Matrix(column: values))
      #expect(try #require(d["bin_low"]).bitPattern == reference.0.bitPattern)
      #expect(try #require(d["bin_high"]).bitPattern == reference.1.bitPattern)
    }
  }

  @Test func fusedSymbolsEqualTheSymbolsOfTheCodes() throws {
    // Each row coded and packed in one pass equals coding first, then `symbols(codes:)`, for
    // every bounded convention; the cases say whether the fused pass applies (the codes'
    // common range packs a row) or hands back to the coded route.
    let random = RandomSource(seed: 34)
    func matrix(_ rows: Int, _ width: Int, _ value: () -> Double) throws -> Matrix<Double> {
      try Matrix(rows: rows, columns: width, elements: (0..<(rows * width)).map { _ in value() })
    }
    let binary16 = try matrix(3_000, 16) { Double(random.integer(below: 2)) }
    let binary17 = try matrix(3_000, 17) { Double(random.integer(below: 2)) }
    let tanh = try matrix(2_000, 3) { Foundation.tanh(random.normal() * 2) }
    let wide = try matrix(2_000, 4) { random.normal() * 3 }  // beyond ±1: auto widens, idnns wraps and clips
    let below = try matrix(500, 2) { -1.5 - Double(random.integer(below: 3)) * 0.01 }  // all below −1
    let single = try matrix(300, 5) { 0.25 }
    let cases: [(String, BinningConvention, Matrix<Double>, Bool)] = [
      ("auto, 16 binary columns (2^64 keys)", .auto(bins: 30), binary16, true),
      ("auto, 17 binary columns (coded route)", .auto(bins: 30), binary17, false),
      ("idnns, tanh", .idnns(bins: 30), tanh, true),
      ("auto, tanh", .auto(bins: 30), tanh, true),
      ("idnns beyond ±1 (wrap below −1)", .idnns(bins: 30), wide, true),
      ("idnns, all below −1", .idnns(bins: 12), below, true),
      ("auto widened", .auto(bins: 30), wide, true),
      ("range", .range(bins: 50), wide, true),
      ("range, one value (coded route)", .range(bins: 50), single, false),
      ("auto, one value", .auto(bins: 30), single, true),
      ("range, 2^20 bins, one column", .range(bins: 1 << 20), try matrix(1_000, 1) { random.normal() }, true),
      ("floor (coded route)", .floor(binSize: 0.5), wide, false),
    ]
    for (what, convention, m, fuses) in cases {
      let e = BinningConvention.extremes(m)
      let coded = DiscreteEntropy.symbols(codes: try convention.validatedCodes(m, extremes: e), rows: m.rows, width: m.columns)
      let fused = convention.fusedSymbols(m, extremes: e)
      #expect((fused != nil) == fuses, "\(what)")
      // Compared as one Bool each, so that a failure names the case instead of printing
      // thousands of ids.
      if let fused {
        let same = fused == coded
        #expect(same, "\(what)")
      }
      let sameThroughTheEstimatePath = try convention.validatedSymbols(m).symbols == coded
      #expect(sameThroughTheEstimatePath, "\(what)")
      let floats = m.converted(to: Float.self)
      let codedF = DiscreteEntropy.symbols(codes: try convention.validatedCodes(floats, extremes: BinningConvention.extremes(floats)), rows: m.rows, width: m.columns)
      let sameInFloat = try convention.validatedSymbols(floats).symbols == codedF
      #expect(sameInFloat, "\(what), float")
    }
  }

  @Test func fourLaneExtremesEqualTheSequentialMinAndMax() throws {
    // Lengths around the four-lane unroll, values with ties of ±0 in any lane and position,
    // and runs where a non-zero value is the extreme: the value and the zero's sign are those
    // of one sequential `v < lo` / `v >= hi` pass.
    let random = RandomSource(seed: 18)
    let pool: [Double] = [0, -0.0, 0, -0.0, 1, -1, 2.5, -3]
    for n in 1...40 {
      for trial in 0..<25 {
        let values = (0..<n).map { _ in pool[random.integer(below: trial % 2 == 0 ? 4 : pool.count)] }
        var (lo, hi) = (values[0], values[0])
        for v in values {
          lo = v < lo ? v : lo
          hi = v >= hi ? v : hi
        }
        // The Swift loop, and the AVX2 kernels where the processor has them (every lane and
        // the partial last group: n runs past 8 floats and 4 doubles several times).
        for avx2 in [false] + (_binningAVX2 ? [true] : []) {
          let (l, h) = try #require(BinningConvention.extremes(Matrix(column: values), avx2: avx2))
          #expect(l.bitPattern == lo.bitPattern && h.bitPattern == hi.bitPattern, "\(values), avx2 \(avx2)")
          let (lf, hf) = try #require(BinningConvention.extremes(Matrix(column: values.map { Float($0) }), avx2: avx2))
          #expect(lf.bitPattern == lo.bitPattern && hf.bitPattern == hi.bitPattern, "\(values) as Float, avx2 \(avx2)")
        }
      }
    }
  }

  @Test func zeroedMemoryIsZeroAlignedAndWritable() throws {
    // Below, at and above one huge page; again after a block of each size was written and
    // freed (a reused heap block must come back zero too).
    for _ in 0..<2 {
      for bytes in [1, 100, (2 << 20) - 1, 2 << 20, (5 << 20) + 3] {
        let m = try #require(HugePages.zeroed(byteCount: bytes))
        let raw = UnsafeMutableRawBufferPointer(start: m.base, count: bytes)
        #expect(raw.allSatisfy { $0 == 0 }, "\(bytes) bytes")
        #expect(Int(bitPattern: m.base) % (bytes >= 2 << 20 ? 2 << 20 : 64) == 0, "\(bytes) bytes: alignment")
        for k in stride(from: 0, to: bytes, by: 4_093) { raw[k] = 0xA5 }
        raw[bytes - 1] = 0x5A
      }
    }
  }

  @Test func hugePageArraysFilledByTheirBodyHoldItsValues() {
    for count in [0, 1, 1_000, 3 << 20] {
      let a: [Int32] = HugePages.array(count: count) { out in
        for k in out.indices { out[k] = Int32(truncatingIfNeeded: k &* 7) }
      }
      #expect(a.count == count && a.indices.allSatisfy { a[$0] == Int32(truncatingIfNeeded: $0 &* 7) })
    }
  }

  @Test func hugePageArraysHoldTheirValues() {
    for count in [0, 1, 1_000, 3 << 20] {  // below and above the advised size (12 MiB of Int32)
      let a = HugePages.array(repeating: Int32(-7), count: count)
      #expect(a.count == count && a.allSatisfy { $0 == -7 })
    }
  }
}
