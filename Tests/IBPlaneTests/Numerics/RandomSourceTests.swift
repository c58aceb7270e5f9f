import Testing
import IBPlane

@Suite struct RandomSourceTests {
  @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
    let a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 43)
    let sa = (0..<100).map { _ in a.normal() }
    let sb = (0..<100).map { _ in b.normal() }
    let sc = (0..<100).map { _ in c.normal() }
    #expect(sa == sb)
    #expect(sa != sc)
    #expect(a.derivedSeed(3) == b.derivedSeed(3))
    #expect(a.derivedSeed(3) != a.derivedSeed(4))
  }

  /// Moments against the laws they claim; tolerances are ≈ 5 standard errors at n = 200,000.
  @Test func momentsMatchTheirLaws() {
    let n = 200_000
    let r = RandomSource(seed: 7)
    func meanVar(_ f: () -> Double) -> (Double, Double) {
      var s = 0.0, s2 = 0.0
      for _ in 0..<n { let v = f(); s += v; s2 += v * v }
      let m = s / Double(n)
      return (m, s2 / Double(n) - m * m)
    }
    let (nm, nv) = meanVar { r.normal() }
    #expect(abs(nm) < 5 * (1 / Double(n)).squareRoot())
    #expect(abs(nv - 1) < 5 * (2 / Double(n)).squareRoot())
    let (um, uv) = meanVar { r.uniform() }
    #expect(abs(um - 0.5) < 5 * (1 / 12 / Double(n)).squareRoot())
    #expect(abs(uv - 1.0 / 12) < 0.002)
    let (cm, cv) = meanVar { r.chiSquare(degreesOfFreedom: 4) }  // mean ν, variance 2ν
    #expect(abs(cm - 4) < 5 * (8 / Double(n)).squareRoot())
    #expect(abs(cv - 8) < 0.2)
    let (tm, tv) = meanVar { r.studentT(degreesOfFreedom: 10) }  // variance ν/(ν−2) = 1.25
    #expect(abs(tm) < 5 * (1.25 / Double(n)).squareRoot())
    #expect(abs(tv - 1.25) < 0.05)
  }

  @Test func permutationIsAPermutation() {
    let p = RandomSource(seed: 1).permutation(1000)
    #expect(p.sorted() == Array(0..<1000))
    #expect(p != Array(0..<1000))
  }
}
