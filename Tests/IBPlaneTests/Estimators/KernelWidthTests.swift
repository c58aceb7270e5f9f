import Foundation
import Testing
import IBPlane

@Suite struct KernelWidthTests {
  @Test func scottAndSilvermanFollowTheirFormulas() throws {
    let x = RandomSource(seed: 2).normalMatrix(rows: 2000, columns: 3)
    // Root-mean-square of the per-dimension sample standard deviations, written plainly.
    var v = 0.0
    for j in 0..<3 {
      let c = x.column(j)
      let m = c.reduce(0, +) / 2000
      v += c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 1999
    }
    let s = (v / 3).squareRoot()
    let scott = try KernelWidthRule.scott.width(for: x)
    let silverman = try KernelWidthRule.silverman.width(for: x)
    #expect(abs(scott - s * 3.0.squareRoot() * pow(2000, -1.0 / 7)) < 1e-12)
    #expect(abs(silverman - s * 3.0.squareRoot() * pow(4.0 / (5 * 2000), 1.0 / 7)) < 1e-12)
    // d = 1: Silverman's 1.06 σ̂ N^(−1/5).
    let one = x.selectingColumns([0])
    let sd = try one.covariance()[0, 0].squareRoot()
    #expect(abs(try KernelWidthRule.silverman.width(for: one) / (sd * pow(2000, -0.2)) - 1.0592) < 1e-3)
  }

  @Test func medianRuleIsTheMedianPairwiseDistanceAndIsSeeded() throws {
    let x = RandomSource(seed: 3).normalMatrix(rows: 101, columns: 2)
    var d: [Double] = []
    for i in 0..<101 { for j in (i + 1)..<101 { d.append(((x[i, 0] - x[j, 0]) * (x[i, 0] - x[j, 0]) + (x[i, 1] - x[j, 1]) * (x[i, 1] - x[j, 1])).squareRoot()) } }
    d.sort()
    // 5050 pairs: median is the mean of the two middle values.
    let ref = (d[2524] + d[2525]) / 2
    #expect(abs(try KernelWidthRule.median(subsample: 1000).width(for: x) - ref) < 1e-12)
    let big = RandomSource(seed: 4).normalMatrix(rows: 5000, columns: 2)
    let a = try KernelWidthRule.median(subsample: 300, seed: 1).width(for: big)
    let b = try KernelWidthRule.median(subsample: 300, seed: 1).width(for: big)
    let c = try KernelWidthRule.median(subsample: 300, seed: 2).width(for: big)
    #expect(a == b && a != c)
    // Population median of ‖u − v‖ for u, v ~ N(0, I₂): √(2·2 ln 2) = 1.665.
    #expect(abs(a - (4 * log(2.0)).squareRoot()) < 0.1)
  }

  @Test func parsingAndDegenerateInput() throws {
    #expect(KernelWidthRule(parsing: "silverman") == .silverman)
    #expect(KernelWidthRule(parsing: "median:200", seed: 7) == .median(subsample: 200, seed: 7))
    #expect(KernelWidthRule(parsing: "0.5") == .fixed(0.5))
    #expect(KernelWidthRule(parsing: "-1") == nil)
    #expect(KernelWidthRule(parsing: "bogus") == nil)
    // A constant variable (a dead layer) has an all-ones Gram matrix for every σ: width 1,
    // and the Cauchy–Schwarz MI with anything is exactly 0.
    let constant = Matrix<Double>(rows: 10, columns: 2)
    #expect(try KernelWidthRule.scott.width(for: constant) == 1)
    #expect(try KernelWidthRule.median().width(for: constant) == 1)
    let other = RandomSource(seed: 2).normalMatrix(rows: 10, columns: 3)
    let cs = try CauchySchwarzMutualInformation().estimate(other, constant)
    #expect(abs(cs.nats) < 1e-12)
  }

  /// Repeated rows (zero distances) do not drag the median to 0: values 0 (six times), 1, 3
  /// have non-zero distances 1 (×6), 2, 3 (×6), whose median is 2.
  @Test func medianIgnoresZeroDistances() throws {
    let x = Matrix<Double>(column: [0, 0, 0, 0, 0, 0, 1, 3])
    #expect(try KernelWidthRule.median().width(for: x) == 2)
  }
}
