import Foundation
import Testing
import IBPlane

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
}
