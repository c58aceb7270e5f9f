import Foundation
import Testing

import IBPlane

@Suite struct TiledKernelSumsGroupedPowersTests {
  @Test func powersAndGroupsAgreeWithSeparatePasses() throws {
    let rng = RandomSource(seed: 31)
    var x = rng.normalMatrix(rows: 150, columns: 3)
    // One far cluster stresses the rescaling of the running minima.
    for i in 0..<20 { for k in 0..<3 { x[i, k] += 40 } }
    let groups = (0..<150).map { Int32(($0 * 7) % 3) }
    let engine = TiledKernelSums(tileSize: 32, threads: 2)
    let gamma = 0.05
    let r = try engine.gaussianRowLogSums(x, gamma: gamma, powers: [4, 1], groups: groups)
    let reference = try engine.gaussianRowLogSums(x, gammas: [4 * gamma, gamma])
    for s in 0..<2 {
      for i in 0..<150 { #expect(abs(r.all[s][i] - reference[s][i]) < 1e-12 * Swift.max(1, abs(reference[s][i]))) }
    }
    for g in Int32(0)..<3 {
      let rows = (0..<150).filter { groups[$0] == g }
      let sub = try engine.gaussianRowLogSums(x.selectingRows(rows), gammas: [4 * gamma, gamma])
      for (k, i) in rows.enumerated() {
        for s in 0..<2 { #expect(abs(r.withinGroup![s][i] - sub[s][k]) < 1e-12 * Swift.max(1, abs(sub[s][k]))) }
      }
    }
    #expect(throws: NumericsError.self) { try engine.gaussianRowLogSums(x, gamma: gamma, powers: [0]) }
    #expect(throws: NumericsError.self) { try engine.gaussianRowLogSums(x, gamma: gamma, powers: [1], groups: [0]) }
  }
}
