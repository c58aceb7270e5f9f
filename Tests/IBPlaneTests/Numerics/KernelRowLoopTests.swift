import CNative
import Foundation
import Testing

import IBPlane

/// The row loops of the tiled engine that were rewritten for speed (issue 17): the KDE row
/// log-sums of the symmetric pass (half the pairs, `forEachUpperTile`) against the full pass
/// with running minima (`_gaussianRowLogSumsReference`), to rounding; several γ in one pass
/// against one pass each, bit for bit; the paired sums, stored kernel or not, against sums
/// formed from the kernel values, and the vector distance-row clamp against the scalar one.
@Suite struct KernelRowLoopTests {
  /// Shapes with widths that are not multiples of 4 or 2, odd tile heights and a far cluster.
  static func data(_ n: Int, _ d: Int, seed: UInt64) -> Matrix<Double> {
    let rng = RandomSource(seed: seed)
    var x = rng.normalMatrix(rows: n, columns: d)
    for i in 0..<(n / 7) { for k in 0..<d { x[i, k] += 30 } }
    return x
  }

  /// ‖a − b‖ ≤ tolerance · max(1, |b|) elementwise.
  static func close(_ a: [[Double]]?, _ b: [[Double]]?, _ tolerance: Double) -> Bool {
    guard let a, let b else { return a == nil && b == nil }
    return a.count == b.count && zip(a, b).allSatisfy { x, y in
      x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= tolerance * Swift.max(1, abs($1)) }
    }
  }

  @Test(arguments: [(157, 3, 32), (130, 1, 64), (97, 5, 97), (301, 2, 45), (40, 2, 64)])
  func symmetricPowersPassEqualsFullPass(shape: (Int, Int, Int)) throws {
    let (n, d, tile) = shape
    let x = Self.data(n, d, seed: UInt64(n))
    let groups: [Int32] = (0..<n).map { Int32(($0 * 5 + $0 / 3) % 3) }
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    for gamma in [0.02, 0.4, 3.0] {
      for g in [groups, nil] {
        let fused = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [4, 1], groups: g)
        let reference = try engine._gaussianRowLogSumsReference(x, gamma: gamma, powers: [4, 1], groups: g)
        #expect(Self.close(fused.all, reference.all, 1e-11))
        #expect(Self.close(fused.withinGroup, reference.withinGroup, 1e-11))
        // Any number of threads: the same bits (fixed stripes, each summed in order).
        for threads in [1, 3] {
          let other = try TiledKernelSums(tileSize: tile, threads: threads).gaussianRowLogSums(x, gamma: gamma, powers: [4, 1], groups: g)
          #expect(other.all.map { $0.map(\.bitPattern) } == fused.all.map { $0.map(\.bitPattern) })
          #expect(other.withinGroup?.map { $0.map(\.bitPattern) } == fused.withinGroup?.map { $0.map(\.bitPattern) })
        }
      }
      let xf = x.converted(to: Float.self)
      let fused = try engine.gaussianRowLogSums(xf, gamma: gamma, powers: [4, 1], groups: groups)
      let reference = try engine._gaussianRowLogSumsReference(xf, gamma: gamma, powers: [4, 1], groups: groups)
      // Float distances too: D_ij and D_ji are the same bits (`ibp_distance_row_f` adds the
      // norms first), so only the order of the additions differs.
      #expect(Self.close(fused.all, reference.all, 1e-11))
      #expect(Self.close(fused.withinGroup, reference.withinGroup, 1e-11))
    }
  }

  /// Past the accumulators' budget the full pass runs: the reference's bits.
  @Test func symmetricPassFallsBackPastItsBudget() throws {
    let x = Self.data(97, 3, seed: 5)
    let groups: [Int32] = (0..<97).map { Int32($0 % 2) }
    var engine = TiledKernelSums(tileSize: 32, threads: 2)
    engine.symmetricAccumulatorBudget = 0
    #expect(!engine.symmetricFits(rows: 97, accumulators: 1))
    let r = try engine.gaussianRowLogSums(x, gamma: 0.3, powers: [4, 1], groups: groups)
    let reference = try engine._gaussianRowLogSumsReference(x, gamma: 0.3, powers: [4, 1], groups: groups)
    #expect(r.all.map { $0.map(\.bitPattern) } == reference.all.map { $0.map(\.bitPattern) })
    #expect(r.withinGroup?.map { $0.map(\.bitPattern) } == reference.withinGroup?.map { $0.map(\.bitPattern) })
  }

  /// Several γ in one pass (the plane's KDE + adaptive-KDE pass) equal one pass per γ.
  @Test(arguments: [(157, 3, 32), (97, 5, 97)])
  func severalGammasEqualOnePassEach(shape: (Int, Int, Int)) throws {
    let (n, d, tile) = shape
    let x = Self.data(n, d, seed: 77)
    let groups: [Int32] = (0..<n).map { Int32(($0 * 3 + $0 / 5) % 4) }
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    let gammas = [0.5, 0.05, 2.5, 0.5]
    for g in [groups, nil] {
      let together = try engine.gaussianRowLogSums(x, gammas: gammas, powers: [4, 1], groups: g)
      #expect(together.count == gammas.count)
      for (k, gamma) in gammas.enumerated() {
        let alone = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [4, 1], groups: g)
        #expect(together[k].all.map { $0.map(\.bitPattern) } == alone.all.map { $0.map(\.bitPattern) })
        #expect(together[k].withinGroup?.map { $0.map(\.bitPattern) } == alone.withinGroup?.map { $0.map(\.bitPattern) })
        let reference = try engine._gaussianRowLogSumsReference(x, gamma: gamma, powers: [4, 1], groups: g)
        #expect(Self.close(together[k].all, reference.all, 1e-11))
      }
      // Other powers too.
      let general = try engine.gaussianRowLogSums(x, gammas: gammas, powers: [2, 3], groups: g)
      for (k, gamma) in gammas.enumerated() {
        let alone = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [2, 3], groups: g)
        #expect(general[k].all.map { $0.map(\.bitPattern) } == alone.all.map { $0.map(\.bitPattern) })
        let reference = try engine._gaussianRowLogSumsReference(x, gamma: gamma, powers: [2, 3], groups: g)
        #expect(Self.close(general[k].all, reference.all, 1e-11))
        #expect(Self.close(general[k].withinGroup, reference.withinGroup, 1e-11))
      }
    }
    #expect(throws: NumericsError.self) { try engine.gaussianRowLogSums(x, gammas: [], powers: [4, 1]) }
    #expect(throws: NumericsError.self) { try engine.gaussianRowLogSums(x, gammas: [1, .nan], powers: [4, 1]) }
  }

  /// Σ_j K_ij per row the way a pass adds it: each column block's partial sum, in column
  /// order, added to the row's accumulator, blocks in order.
  static func blockedRowSums(_ k: (Int, Int) -> Double, n: Int, tile: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n)
    for i in 0..<n {
      var c0 = 0
      while c0 < n {
        var partial = 0.0
        for j in c0..<Swift.min(n, c0 + tile) { partial += k(i, j) }
        out[i] += partial
        c0 += tile
      }
    }
    return out
  }

  /// The paired sums — A's kernel computed or stored, with and without groups — and the
  /// single-kernel row sums: B's sums the same bits in every form (each sum is its own chain),
  /// all equal to sums of the exact kernel values (Double data) to rounding, any thread count
  /// the same bits; past the accumulators' budget the full pass, whose sums are the stored
  /// values added block by block in column order.
  @Test(arguments: [(101, 3, 32), (64, 2, 64), (77, 4, 25), (20, 2, 64)])
  func pairedSumsEqualKernelSums(shape: (Int, Int, Int)) throws {
    let (n, d, tile) = shape
    let a = Self.data(n, d, seed: 3)
    let b = Self.data(n, d + 1, seed: 4)
    let groups: [Int32] = (0..<n).map { Int32(($0 * 7 + $0 / 4) % 3) }
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    let (ga, gb) = (0.3, 0.7)
    func exact(_ m: Matrix<Double>, _ gamma: Double, _ i: Int, _ j: Int) -> Double {
      var s = 0.0
      for k in 0..<m.columns { s += (m[i, k] - m[j, k]) * (m[i, k] - m[j, k]) }
      return Foundation.exp(-gamma * s)
    }
    var expectA = [Double](repeating: 0, count: n), expectB = expectA, expectH = expectA, expectG = expectA
    for i in 0..<n {
      for j in 0..<n {
        let (u, v) = (exact(a, ga, i, j), exact(b, gb, i, j))
        expectA[i] += u
        expectB[i] += v
        expectH[i] += u * v
        if groups[i] == groups[j] { expectG[i] += v }
      }
    }
    let ka = try #require(try engine.storedGaussianKernel(a, gamma: ga))
    let computed = try engine.pairedGaussianRowSums(a, gammaA: ga, b, gammaB: gb)
    let stored = try engine.pairedGaussianRowSums(stored: ka, b, gammaB: gb, groups: groups)
    for r in [computed, stored] {
      #expect(Self.close([r.rowSumsA, r.rowSumsB, r.rowHadamardSums], [expectA, expectB, expectH], 1e-11))
      #expect(r.rowSumsA.map(\.bitPattern) == computed.rowSumsA.map(\.bitPattern))
      #expect(r.rowSumsB.map(\.bitPattern) == computed.rowSumsB.map(\.bitPattern))
      #expect(r.rowHadamardSums.map(\.bitPattern) == computed.rowHadamardSums.map(\.bitPattern))
    }
    #expect(computed.withinGroupRowSumsB == nil)
    let within = try #require(stored.withinGroupRowSumsB)
    #expect(Self.close([within], [expectG], 1e-11))
    let grouped = try #require(try engine.groupedGaussianRowSums(b, gamma: gb, groups: groups))
    #expect(grouped.all.map(\.bitPattern) == computed.rowSumsB.map(\.bitPattern))
    #expect(grouped.within.map(\.bitPattern) == within.map(\.bitPattern))
    #expect(try engine.gaussianRowSums(b, gammas: [gb])[0].map(\.bitPattern) == computed.rowSumsB.map(\.bitPattern))
    for threads in [1, 3] {
      let other = try TiledKernelSums(tileSize: tile, threads: threads).pairedGaussianRowSums(stored: ka, b, gammaB: gb, groups: groups)
      #expect(other.rowHadamardSums.map(\.bitPattern) == stored.rowHadamardSums.map(\.bitPattern))
      #expect(other.withinGroupRowSumsB?.map(\.bitPattern) == within.map(\.bitPattern))
    }
    // The full pass past the budget: no group sums, the stored values added block by block.
    var full = engine
    full.symmetricAccumulatorBudget = 0
    #expect(try full.groupedGaussianRowSums(b, gamma: gb, groups: groups) == nil)
    let kb = try #require(try engine.storedGaussianKernel(b, gamma: gb))
    let blockedA = Self.blockedRowSums({ ka[$0, $1] }, n: n, tile: tile)
    let blockedB = Self.blockedRowSums({ kb[$0, $1] }, n: n, tile: tile)
    let blockedH = Self.blockedRowSums({ ka[$0, $1] * kb[$0, $1] }, n: n, tile: tile)
    for r in [
      try full.pairedGaussianRowSums(a, gammaA: ga, b, gammaB: gb),
      try full.pairedGaussianRowSums(stored: ka, b, gammaB: gb, groups: groups),
    ] {
      #expect(r.withinGroupRowSumsB == nil)
      #expect(r.rowSumsA.map(\.bitPattern) == blockedA.map(\.bitPattern))
      #expect(r.rowSumsB.map(\.bitPattern) == blockedB.map(\.bitPattern))
      #expect(r.rowHadamardSums.map(\.bitPattern) == blockedH.map(\.bitPattern))
    }
    #expect(try full.gaussianRowSums(b, gammas: [gb])[0].map(\.bitPattern) == blockedB.map(\.bitPattern))
  }

  @Test func vectorDistanceRowEqualsScalarClamp() {
    let rng = RandomSource(seed: 9)
    var orderMatters = false
    let avx2 = ibp_pairwise_avx2_available() != 0  // the 256-bit forms too, where they run
    for w in [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 64, 67, 257] {
      // Magnitudes from 1e-3 to 1e3, so that another order of the two additions would round
      // differently somewhere (checked below: the test can see a reassociated sum).
      var od = (0..<w).map { _ in -rng.uniform() * pow(10, rng.uniform(-3, 3)) }
      let ny = (0..<w).map { _ in rng.uniform() * pow(10, rng.uniform(-3, 3)) }
      if w > 2 {
        od[1] = .nan
        od[2] = -2.5
      }
      let nx = 0.3
      for c in 0..<w where od[c].isFinite && (od[c] + nx) + ny[c] != od[c] + (nx + ny[c]) { orderMatters = true }
      let expected = (0..<w).map { c -> Double in
        let v = od[c] + (nx + ny[c])
        return v < 0 ? 0 : v
      }
      var got = od
      got.withUnsafeMutableBufferPointer { o in ny.withUnsafeBufferPointer { y in ibp_distance_row_d(o.baseAddress, nx, y.baseAddress, w) } }
      #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
      let of = od.map { Float($0) }
      let nyf = ny.map { Float($0) }
      let expectedF = (0..<w).map { c -> Float in
        let v = of[c] + (Float(nx) + nyf[c])
        return v < 0 ? 0 : v
      }
      var gotF = of
      gotF.withUnsafeMutableBufferPointer { o in nyf.withUnsafeBufferPointer { y in ibp_distance_row_f(o.baseAddress, Float(nx), y.baseAddress, w) } }
      #expect(gotF.map(\.bitPattern) == expectedF.map(\.bitPattern))
      if avx2 {
        var got2 = od
        got2.withUnsafeMutableBufferPointer { o in ny.withUnsafeBufferPointer { y in ibp_distance_row_d_avx2(o.baseAddress, nx, y.baseAddress, w) } }
        #expect(got2.map(\.bitPattern) == expected.map(\.bitPattern), "AVX2, width \(w)")
        var got2F = of
        got2F.withUnsafeMutableBufferPointer { o in nyf.withUnsafeBufferPointer { y in ibp_distance_row_f_avx2(o.baseAddress, Float(nx), y.baseAddress, w) } }
        #expect(got2F.map(\.bitPattern) == expectedF.map(\.bitPattern), "AVX2 floats, width \(w)")
      }
    }
    #expect(orderMatters)
  }
}
