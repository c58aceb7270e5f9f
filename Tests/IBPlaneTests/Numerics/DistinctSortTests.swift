import Foundation
import Testing

@testable import IBPlaneNumerics

/// `DistinctSort` against the standard library's sort followed by the same de-duplication.
@Suite struct DistinctSortTests {
  /// Sorted distinct values by a comparison sort (the reference).
  func reference(_ values: [Double]) -> [Double] {
    var out: [Double] = []
    for v in values.sorted() where out.isEmpty || v != out[out.count - 1] { out.append(v) }
    return out
  }

  func check(_ values: [Double], _ what: Comment) {
    let got = values.withUnsafeBufferPointer { DistinctSort.sortedDistinct($0) }
    let want = reference(values)
    // Equal as doubles, element by element (a zero may differ in sign only; see the type).
    #expect(got.count == want.count, what)
    #expect(zip(got, want).allSatisfy { $0 == $1 }, what)
    #expect(zip(got, got.dropFirst()).allSatisfy { $0 < $1 }, what)
  }

  @Test func matchesAComparisonSort() {
    let source = RandomSource(seed: 7)
    let gaussian = source.normalMatrix(rows: 5000, columns: 1).elements
    check(gaussian, "continuous values of both signs")
    check(gaussian.map { Double(Float($0)) }, "float32 widened: 29 constant low bits")
    check(gaussian.map { ($0 * 3).rounded() }, "few distinct integers, many ties")
    check(gaussian.map { $0 > 0 ? 1 : 0 }, "binary values")
    check([0.0, -0.0, 0.0, -0.0, 1, -1], "both zeros count once")
    check([-Double.greatestFiniteMagnitude, -1e-300, -Double.leastNonzeroMagnitude, 0,
           Double.leastNonzeroMagnitude, 1e-300, 1, 1e300, Double.greatestFiniteMagnitude], "extremes and subnormals")
    check([3, 3, 3], "one value")
    check([], "empty")
    check(gaussian.map { -$0.magnitude }, "negatives only")
    // Digits that vary in every 11-bit pass: exponents and mantissas across the whole range.
    check((0..<4000).map { i in Double(sign: i % 3 == 0 ? .minus : .plus, exponent: (i * 37) % 2000 - 1000, significand: 1 + Double((i * 7919) % 1000) / 1000) }, "every digit varies")
  }

  @Test func floatsGiveTheDistinctValuesOfTheirWidenedCopy() {
    // Few distinct (hashed) and many (the radix route on the widened copy), with −0.
    let source = RandomSource(seed: 13)
    let many = (0..<6_000).map { _ in Float(source.normal()) }
    let few = (0..<5_001).map { i in i == 77 ? -Float(0) : Float(source.integer(below: 5)) - 2 }
    for values in [many, few, [Float(3)], [], [-Float(0), 0, 1]] {
      let widened = values.map { Double($0) }
      let got = values.withUnsafeBufferPointer { DistinctSort.sortedDistinct($0) }
      let want = widened.withUnsafeBufferPointer { DistinctSort.sortedDistinct($0) }
      #expect(got.map(\.bitPattern) == want.map(\.bitPattern), "\(values.count) values")
    }
  }

  @Test func fewDistinctFourAtATimeKeepsEveryValueAndTheZeroSign() {
    // The hashed route reads four values a step: every length around a multiple of four, a
    // −0 in any lane (and none), a value first seen in the tail, and a set that overflows.
    let source = RandomSource(seed: 11)
    let palette: [Double] = [0, 1, 2.5, -3, 7]
    for n in [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 1_001] {
      for negativeZeroAt in [nil, 0, 1, 2, 3, n - 1] as [Int?] {
        var values = (0..<n).map { _ in palette[source.integer(below: palette.count - 1)] }  // not 7 yet
        if n > 4 { values[n - 1] = 7 }  // first seen in the last value
        if let k = negativeZeroAt, k < n { values[k] = -0.0 }
        let got = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 8) }
        let want = reference(values)
        #expect(got == want, "n \(n), −0 at \(String(describing: negativeZeroAt))")
        let zero = got?.first { $0 == 0 }
        if let zero { #expect((zero.sign == .minus) == values.contains { $0 == 0 && $0.sign == .minus }, "n \(n), zero sign") }
        let distinct = want.count
        let overflow = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: distinct - 1) }
        #expect(overflow == nil || distinct == 0, "n \(n): \(distinct) values over a limit of \(distinct - 1)")
      }
    }
    let nanPattern = [1.0, 2, 3, 1, 1, 2, 3, Double(bitPattern: UInt64.max)]  // the set's empty marker, after its group's values are in
    #expect(nanPattern.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 8) } == nil)
  }
}
