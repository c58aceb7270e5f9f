import CNative
import Foundation
import Testing

import IBPlane

/// The row loops of the tiled engine that were rewritten for speed (issue 17) must give the
/// same values, bit for bit, as the loops they replaced: the fused (4, 1) grouped-powers loop
/// against the general loop, the two-rows-at-a-time paired and row sums against sums formed
/// one row and one column block at a time from the stored kernel values, and the vector
/// distance-row clamp against the scalar one.
@Suite struct KernelRowLoopTests {
  /// Shapes with widths that are not multiples of 4 or 2, odd tile heights and a far cluster.
  static func data(_ n: Int, _ d: Int, seed: UInt64) -> Matrix<Double> {
    let rng = RandomSource(seed: seed)
    var x = rng.normalMatrix(rows: n, columns: d)
    for i in 0..<(n / 7) { for k in 0..<d { x[i, k] += 30 } }
    return x
  }

  @Test(arguments: [(157, 3, 32), (130, 1, 64), (97, 5, 97), (301, 2, 45)])
  func fusedPowersLoopEqualsGeneralLoop(shape: (Int, Int, Int)) throws {
    let (n, d, tile) = shape
    let x = Self.data(n, d, seed: UInt64(n))
    let groups: [Int32] = (0..<n).map { Int32(($0 * 5 + $0 / 3) % 3) }
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    for gamma in [0.02, 0.4, 3.0] {
      for g in [groups, nil] {
        let fused = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [4, 1], groups: g)
        let reference = try engine._gaussianRowLogSumsReference(x, gamma: gamma, powers: [4, 1], groups: g)
        #expect(fused.all.map { $0.map(\.bitPattern) } == reference.all.map { $0.map(\.bitPattern) })
        #expect(fused.withinGroup?.map { $0.map(\.bitPattern) } == reference.withinGroup?.map { $0.map(\.bitPattern) })
      }
      let xf = x.converted(to: Float.self)
      let fused = try engine.gaussianRowLogSums(xf, gamma: gamma, powers: [4, 1], groups: groups)
      let reference = try engine._gaussianRowLogSumsReference(xf, gamma: gamma, powers: [4, 1], groups: groups)
      #expect(fused.all.map { $0.map(\.bitPattern) } == reference.all.map { $0.map(\.bitPattern) })
      #expect(fused.withinGroup?.map { $0.map(\.bitPattern) } == reference.withinGroup?.map { $0.map(\.bitPattern) })
    }
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
        let alone = try engine._gaussianRowLogSumsReference(x, gamma: gamma, powers: [4, 1], groups: g)
        #expect(together[k].all.map { $0.map(\.bitPattern) } == alone.all.map { $0.map(\.bitPattern) })
        #expect(together[k].withinGroup?.map { $0.map(\.bitPattern) } == alone.withinGroup?.map { $0.map(\.bitPattern) })
      }
      // The general loop with several γ too (powers other than (4, 1)).
      let general = try engine.gaussianRowLogSums(x, gammas: gammas, powers: [2, 3], groups: g)
      for (k, gamma) in gammas.enumerated() {
        let alone = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [2, 3], groups: g)
        #expect(general[k].all.map { $0.map(\.bitPattern) } == alone.all.map { $0.map(\.bitPattern) })
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

  @Test(arguments: [(101, 3, 32), (64, 2, 64), (77, 4, 25)])
  func twoRowLoopsEqualOneRowSums(shape: (Int, Int, Int)) throws {
    let (n, d, tile) = shape
    let a = Self.data(n, d, seed: 3).converted(to: Float.self)
    let b = Self.data(n, d + 1, seed: 4).converted(to: Float.self)
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    let (ga, gb) = (0.3, 0.7)
    // The stored matrices hold the very values every pass computes (same tiles and exp).
    let ka = try #require(try engine.storedGaussianKernel(a, gamma: ga))
    let kb = try #require(try engine.storedGaussianKernel(b, gamma: gb))
    let expectA = Self.blockedRowSums({ ka[$0, $1] }, n: n, tile: tile)
    let expectB = Self.blockedRowSums({ kb[$0, $1] }, n: n, tile: tile)
    let expectH = Self.blockedRowSums({ ka[$0, $1] * kb[$0, $1] }, n: n, tile: tile)
    for r in [
      try engine.pairedGaussianRowSums(a, gammaA: ga, b, gammaB: gb),
      try engine.pairedGaussianRowSums(stored: ka, b, gammaB: gb),
    ] {
      #expect(r.rowSumsA.map(\.bitPattern) == expectA.map(\.bitPattern))
      #expect(r.rowSumsB.map(\.bitPattern) == expectB.map(\.bitPattern))
      #expect(r.rowHadamardSums.map(\.bitPattern) == expectH.map(\.bitPattern))
    }
    let rows = try engine.gaussianRowSums(b, gammas: [gb])
    #expect(rows[0].map(\.bitPattern) == expectB.map(\.bitPattern))
  }

  @Test func vectorDistanceRowEqualsScalarClamp() {
    let rng = RandomSource(seed: 9)
    var orderMatters = false
    for w in [0, 1, 2, 3, 4, 5, 7, 8, 13, 64, 67, 257] {
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
        let v = od[c] + nx + ny[c]
        return v < 0 ? 0 : v
      }
      var got = od
      got.withUnsafeMutableBufferPointer { o in ny.withUnsafeBufferPointer { y in ibp_distance_row_d(o.baseAddress, nx, y.baseAddress, w) } }
      #expect(got.map(\.bitPattern) == expected.map(\.bitPattern))
      let of = od.map { Float($0) }
      let nyf = ny.map { Float($0) }
      let expectedF = (0..<w).map { c -> Float in
        let v = of[c] + Float(nx) + nyf[c]
        return v < 0 ? 0 : v
      }
      var gotF = of
      gotF.withUnsafeMutableBufferPointer { o in nyf.withUnsafeBufferPointer { y in ibp_distance_row_f(o.baseAddress, Float(nx), y.baseAddress, w) } }
      #expect(gotF.map(\.bitPattern) == expectedF.map(\.bitPattern))
    }
    #expect(orderMatters)
  }
}
