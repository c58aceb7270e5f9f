import Foundation
import Testing
import IBPlane

/// `TiledKernelSums.pairedGaussianRowSums` (added for the conditional CS divergence) against
/// direct double loops, with and without cross sets, for several tile sizes.
@Suite struct PairedKernelRowSumsTests {
  @Test(arguments: [17, 128, 1000])
  func perRowSumsEqualDirectSums(tile: Int) throws {
    let n = 400
    let rng = RandomSource(seed: 44)
    let a = rng.normalMatrix(rows: n, columns: 3)
    let b = rng.normalMatrix(rows: n, columns: 2)
    var bc = rng.normalMatrix(rows: n, columns: 2)
    for k in 0..<bc.elements.count { bc.elements[k] += 0.5 }
    let (ga, gb) = (0.3, 0.8)
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    for cross in [false, true] {
      let other = cross ? bc : b
      let r = try engine.pairedGaussianRowSums(a, gammaA: ga, b, cross ? bc : nil, gammaB: gb)
      let paired = try engine.pairedGaussianSums(a, gammaA: ga, b, gammaB: gb)
      for i in stride(from: 0, to: n, by: 7) {
        var (sa, sb, sh) = (0.0, 0.0, 0.0)
        for j in 0..<n {
          var da = 0.0, db = 0.0
          for k in 0..<3 { let t = a[i, k] - a[j, k]; da += t * t }
          for k in 0..<2 { let t = b[i, k] - other[j, k]; db += t * t }
          let ka = exp(-ga * da), kb = exp(-gb * db)
          sa += ka; sb += kb; sh += ka * kb
        }
        #expect(abs(r.rowSumsA[i] - sa) / sa < 1e-12)
        #expect(abs(r.rowSumsB[i] - sb) / sb < 1e-12)
        #expect(abs(r.rowHadamardSums[i] - sh) / sh < 1e-12)
      }
      if !cross {
        #expect(abs(r.rowHadamardSums.reduce(0, +) - paired.hadamardSum) / paired.hadamardSum < 1e-12)
      }
    }
    #expect(throws: NumericsError.self) { try engine.pairedGaussianRowSums(a, gammaA: ga, b, bc.selectingRows(0..<10), gammaB: gb) }
  }
}
