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
        for avx2 in routes {
          let got = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 8, avx2: avx2) }
          let want = reference(values)
          #expect(got == want, "n \(n), −0 at \(String(describing: negativeZeroAt)), avx2 \(avx2)")
          let zero = got?.first { $0 == 0 }
          if let zero { #expect((zero.sign == .minus) == values.contains { $0 == 0 && $0.sign == .minus }, "n \(n), zero sign") }
          let distinct = want.count
          let overflow = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: distinct - 1, avx2: avx2) }
          #expect(overflow == nil || distinct == 0, "n \(n): \(distinct) values over a limit of \(distinct - 1)")
        }
      }
    }
    let nanPattern = [1.0, 2, 3, 1, 1, 2, 3, Double(bitPattern: UInt64.max)]  // the set's empty marker, after its group's values are in
    for avx2 in routes {
      #expect(nanPattern.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: 8, avx2: avx2) } == nil)
    }
  }

  /// The hashed route alone, and the AVX2 pass first where the processor has it.
  var routes: [Bool] { _binningAVX2 ? [false, true] : [false] }

  @Test func vectorPassGivesTheHashedRoutesValues() {
    // Pools of 1…17 distinct patterns (the pass collects at most 16, then hands over), each
    // new one first seen at every position of a vector's lanes and in the tail, ±0 together
    // and alone, doubles and floats; every result bit for bit that of the hashed route.
    let source = RandomSource(seed: 21)
    for distinct in [1, 2, 3, 8, 15, 16, 17] {
      for n in [distinct, distinct + 3, 37, 1_003] where n >= distinct {
        for zeros in 0..<3 {
          var palette = (0..<distinct).map { Double($0) * 0.75 - 2 }
          if zeros > 0 { palette[0] = -0.0 }
          if zeros > 1 && distinct > 1 { palette[1] = 0.0 }
          // Each palette value once, at spread positions, the rest drawn from the first two.
          var values = (0..<n).map { _ in palette[source.integer(below: min(2, distinct))] }
          for (k, v) in palette.enumerated() { values[(k * 7919) % n] = v }
          let floats = values.map { Float($0) }
          for limit in [distinct - 1, distinct, 4_096] where limit >= 0 {
            let hashed = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: limit, avx2: false) }
            let hashed32 = floats.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: limit, avx2: false) }
            for avx2 in routes {
              let got = values.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: limit, avx2: avx2) }
              let got32 = floats.withUnsafeBufferPointer { DistinctSort.fewDistinct($0, limit: limit, avx2: avx2) }
              let what = "\(distinct) distinct, n \(n), zeros \(zeros), limit \(limit), avx2 \(avx2)"
              #expect(got?.map(\.bitPattern) == hashed?.map(\.bitPattern), "\(what)")
              #expect(got32?.map(\.bitPattern) == hashed32?.map(\.bitPattern), "\(what), floats")
            }
          }
        }
      }
    }
    // The pass itself: patterns in order of first appearance, nil past 16.
    if _binningAVX2 {
      let seventeen = (0..<100).map { UInt32($0 % 17) }
      #expect(seventeen.withUnsafeBufferPointer { DistinctSort._vectorPatterns($0) } == nil)
      let sixteen = (0..<100).map { UInt64(15 - $0 % 16) }
      #expect(sixteen.withUnsafeBufferPointer { DistinctSort._vectorPatterns($0) } == (0..<16).map { UInt64(15 - $0) })
      #expect([UInt32]().withUnsafeBufferPointer { DistinctSort._vectorPatterns($0) } == [])
    }
  }
}
