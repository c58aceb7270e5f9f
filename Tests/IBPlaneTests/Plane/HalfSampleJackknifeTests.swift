import Foundation
import Testing
import IBPlane

/// The half-sample jackknife (`HalfSampleJackknife`): its standard error on a statistic with a
/// known answer, its subsets, and its interval, which contains the estimate by construction.
@Suite struct HalfSampleJackknifeTests {
  /// All C(6, 3) = 20 half-samples of a small data set: for the sample mean the exact
  /// delete-d variance is s²/N (s² with N − 1), and the estimator's 1/(B − 1) turns it into
  /// s²/N · 20/19. By hand: mean 41/6, Σ(x − x̄)² = 166.8333…, s² = 33.3667, s²/N = 5.5611.
  @Test func theStandardErrorOfTheMeanOverEveryHalfSampleIsExact() {
    let x: [Double] = [1, 2, 4, 7, 11, 16]
    var means: [Double] = []
    for a in 0..<6 { for b in (a + 1)..<6 { for c in (b + 1)..<6 { means.append((x[a] + x[b] + x[c]) / 3) } } }
    #expect(means.count == 20)
    let se = HalfSampleJackknife.standardError(means, n: 6)
    let byHand = 1001.0 / 6 / 5 / 6 * 20 / 19  // Σ(x − x̄)² = 1001/6
    #expect(abs(se * se - byHand) < 1e-12, "\(se * se) vs \(byHand)")
    #expect(abs(se * se - 5.5611 * 20 / 19) < 1e-3)
  }

  /// Seeded random half-samples of N = 200 normal values: se ≈ s/√N. With B = 4000 the
  /// relative sd of se is about 1/√(2B) ≈ 1.1 %, so 5 % is a > 4σ tolerance.
  @Test func randomHalfSamplesGiveTheStandardErrorOfTheMean() {
    let n = 200
    let random = RandomSource(seed: 11)
    let x = (0..<n).map { _ in random.normal() * 3 + 1 }
    let mean = x.reduce(0, +) / Double(n)
    let s = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    let means = (0..<4000).map { b -> Double in
      let kept = HalfSampleJackknife.keptIndices(n: n, seed: RandomSource(seed: 5).derivedSeed(b))
      return kept.reduce(0) { $0 + x[$1] } / Double(kept.count)
    }
    let se = HalfSampleJackknife.standardError(means, n: n)
    #expect(abs(se / (s / Double(n).squareRoot()) - 1) < 0.05, "se \(se), s/√N \(s / Double(n).squareRoot())")
  }

  @Test func halfSamplesAreDistinctSortedAndSeeded() {
    for n in [4, 5, 101] {
      let k = HalfSampleJackknife.keptIndices(n: n, seed: 3)
      #expect(k.count == n - n / 2 && Set(k).count == k.count && k == k.sorted() && k.allSatisfy { (0..<n).contains($0) })
      #expect(k == HalfSampleJackknife.keptIndices(n: n, seed: 3))
    }
    #expect(HalfSampleJackknife.keptIndices(n: 101, seed: 3) != HalfSampleJackknife.keptIndices(n: 101, seed: 4))
  }

  @Test func theIntervalIsCentredOnTheEstimate() throws {
    #expect(abs(HalfSampleJackknife.normalQuantile(0.975) - 1.959963984540054) < 1e-12)
    let values: [Double] = [0.9, 1.4, 1.1, 0.7]
    let r = try #require(HalfSampleJackknife.interval(estimate: 5, values: values, n: 10, level: 0.9))
    let se = HalfSampleJackknife.standardError(values, n: 10)
    #expect(abs(r.lowerBound - (5 - 1.6448536269514722 * se)) < 1e-12 && abs(r.upperBound - (5 + 1.6448536269514722 * se)) < 1e-12)
    #expect(HalfSampleJackknife.interval(estimate: 5, values: [1, .nan], n: 10, level: 0.9) == nil)
    #expect(HalfSampleJackknife.interval(estimate: .infinity, values: [1, 2], n: 10, level: 0.9) == nil)
  }
}
