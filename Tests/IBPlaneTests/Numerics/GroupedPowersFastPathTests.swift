import Foundation
import Testing
import IBPlane

@testable import IBPlaneNumerics

/// The grouped-powers pass has straight-line code for the powers 1 and 4 (the KDE bounds') and
/// the general product loop for the others; every power, grouped or not, must match a direct
/// double loop, and a power's sums must not depend on which other powers share the pass.
@Suite struct GroupedPowersFastPathTests {
  @Test(arguments: [false, true])
  func everyPowerMatchesDirectLogSums(grouped: Bool) throws {
    let n = 260
    let rng = RandomSource(seed: 12)
    let x = rng.normalMatrix(rows: n, columns: 3)
    let groups: [Int32] = (0..<n).map { _ in Int32(rng.integer(below: 3)) }
    let gamma = 0.3
    let powers = [1, 2, 3, 4, 16]
    let engine = TiledKernelSums(tileSize: 64, threads: 2)
    let r = try engine.gaussianRowLogSums(x, gamma: gamma, powers: powers, groups: grouped ? groups : nil)
    #expect((r.withinGroup != nil) == grouped)
    for (s, k) in powers.enumerated() {
      for i in stride(from: 0, to: n, by: 13) {
        var all = 0.0
        var within = 0.0
        for j in 0..<n {
          var d = 0.0
          for c in 0..<3 { let t = x[i, c] - x[j, c]; d += t * t }
          let v = exp(-Double(k) * gamma * d)
          all += v
          if groups[i] == groups[j] { within += v }
        }
        #expect(abs(r.all[s][i] - log(all)) < 1e-12 * Swift.max(1, abs(log(all))))
        if grouped { #expect(abs(r.withinGroup![s][i] - log(within)) < 1e-12 * Swift.max(1, abs(log(within)))) }
      }
    }
    // Each power is its own running sum: alone or next to others, the same numbers.
    let alone = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [4], groups: grouped ? groups : nil)
    #expect(alone.all[0] == r.all[3])
    #expect(alone.withinGroup?[0] == r.withinGroup?[3])
  }

  @Test(arguments: [1, 3, 63, 64, 65, 261])
  func rowKernelsGiveTheSwiftLoopsBits(n: Int) throws {
    // The AVX2 row kernels (powers 1 and 4) against the Swift loops, bit for bit: double and
    // float data, grouped or not, rows and tiles that do not fill a group of four, two γ.
    guard _pairwiseRowKernels else { return }  // a processor without AVX2 runs only the loops
    let rng = RandomSource(seed: UInt64(n))
    let x = rng.normalMatrix(rows: n, columns: 5)
    let groups: [Int32] = (0..<n).map { _ in Int32(rng.integer(below: 4)) }
    let engine = TiledKernelSums(tileSize: 64, threads: 2)
    for powers in [[4, 1], [1], [4]] {
      for grouped in [false, true] {
        let g = grouped ? groups : nil
        let fast = try #require(try engine._symmetricGaussianRowLogSums(x, gammas: [0.3, 1.7], powers: powers, groups: g, rowKernels: true))
        let slow = try #require(try engine._symmetricGaussianRowLogSums(x, gammas: [0.3, 1.7], powers: powers, groups: g, rowKernels: false))
        let f = x.converted(to: Float.self)
        let fastF = try #require(try engine._symmetricGaussianRowLogSums(f, gammas: [0.3], powers: powers, groups: g, rowKernels: true))
        let slowF = try #require(try engine._symmetricGaussianRowLogSums(f, gammas: [0.3], powers: powers, groups: g, rowKernels: false))
        for (a, b) in zip(fast + fastF, slow + slowF) {
          #expect(a.all.map { $0.map(\.bitPattern) } == b.all.map { $0.map(\.bitPattern) }, "powers \(powers), grouped \(grouped)")
          #expect(a.withinGroup?.map { $0.map(\.bitPattern) } == b.withinGroup?.map { $0.map(\.bitPattern) }, "powers \(powers), grouped \(grouped)")
        }
      }
    }
  }
}
