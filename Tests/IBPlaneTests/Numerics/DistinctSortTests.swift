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
}
