import Foundation
import Testing

import IBPlane

/// Every registered family of the I(A;B) form against the promises of its row in
/// `MutualInformationExpectation.byFamily`: determinism, permutation invariance, symmetry,
/// units, non-negativity and a sanity value. Bad inputs are in `MutualInformationBadInputTests`.
@Suite struct MutualInformationConformanceTests {
  static let n = 200

  @Test func everyFamilyHasExpectations() {
    let registered = Set(Registered.miNames)
    #expect(!registered.isEmpty)
    for name in Registered.miNames where MutualInformationExpectation.byFamily[name] == nil {
      Issue.record("\(ConformanceError.noExpectations(name))")
    }
    // A stale row (a family renamed or removed) would silently test nothing.
    for name in MutualInformationExpectation.byFamily.keys where !registered.contains(name) {
      Issue.record("the expectations table has a row for \(name), which is not registered")
    }
  }

  @Test(arguments: Registered.miNames)
  func determinism(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    let (a, b) = ConformanceData.pair(expectation.second, n: Self.n, seed: 1)
    checking(knownIssue: expectation.knownIssues["determinism"]) {
      do {
        let first = try Registered.mi(name).estimate(a, b)
        let second = try Registered.mi(name).estimate(a, b)
        #expect(identical(first, second), "\(name): \(first.nats) then \(second.nats)")
      } catch {
        Issue.record("\(name) refused valid data: \(error)")
      }
    }
    guard let seeded = expectation.seeded else { return }
    let seed1 = try Registered.mi(name, seeded.merging(["seed": "1"]) { $1 })
    let seed2 = try Registered.mi(name, seeded.merging(["seed": "2"]) { $1 })
    let (x, y, z) = (try seed1.estimate(a, b), try seed1.estimate(a, b), try seed2.estimate(a, b))
    #expect(identical(x, y), "\(name) with \(seeded), seed 1 twice: \(x.nats) then \(y.nats)")
    #expect(!sameBits(x.nats, z.nats), "\(name) with \(seeded): seeds 1 and 2 both give \(x.nats)")
  }

  @Test(arguments: Registered.miNames)
  func permutationInvariance(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    let data = ConformanceData.pair(expectation.second, n: Self.n, seed: 2)
    let permuted = ConformanceData.rows(RandomSource(seed: 3).permutation(Self.n), of: data)
    let estimator = try Registered.mi(name)
    let (x, y) = (try estimator.estimate(data.a, data.b), try estimator.estimate(permuted.a, permuted.b))
    checking(knownIssue: expectation.knownIssues["permutation"]) {
      Self.expect(x, y, agree: expectation.permutation, "\(name), rows permuted jointly")
    }
  }

  @Test(arguments: Registered.miNames)
  func symmetry(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    if case .notPromised = expectation.symmetry { return }
    let (a, b) = ConformanceData.pair(expectation.second, n: Self.n, seed: 4)
    let estimator = try Registered.mi(name)
    let (x, y) = (try estimator.estimate(a, b), try estimator.estimate(b, a))
    checking(knownIssue: expectation.knownIssues["symmetry"]) {
      Self.expect(x, y, agree: expectation.symmetry, "\(name), I(A;B) vs I(B;A)")
    }
  }

  /// bits = nats / ln 2 for the value and both bounds; nats unchanged.
  @Test(arguments: Registered.miNames)
  func unitConversion(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    let (a, b) = ConformanceData.pair(expectation.second, n: Self.n, seed: 5)
    let e = try Registered.mi(name).estimate(a, b)
    Self.expectUnits(e, name)
  }

  @Test(arguments: Registered.miNames)
  func nonNegativity(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    guard case .holds = expectation.nonNegative else { return }
    let estimator = try Registered.mi(name)
    // Independent data sit closest to 0, where a negative value would show.
    for seed in UInt64(10)..<13 {
      for dependent in [false, true] {
        let (a, b) = ConformanceData.pair(expectation.second, n: Self.n, seed: seed, dependent: dependent)
        let v = try estimator.estimate(a, b).nats
        #expect(v >= 0, "\(name), seed \(seed), dependent \(dependent): \(v)")
      }
    }
  }

  @Test(arguments: Registered.miNames)
  func sanityValue(_ name: String) throws {
    let expectation = try MutualInformationExpectation.of(name)
    let estimator = try Registered.mi(name)
    checking(knownIssue: expectation.knownIssues["sanity"]) {
      do {
        switch expectation.sanity {
        case .dependence(let independentBelow, let dependentAbove):
          let independent = ConformanceData.pair(expectation.second, n: 300, seed: 20, dependent: false, columns: 1)
          let dependent = ConformanceData.pair(expectation.second, n: 300, seed: 21, dependent: true, columns: 1)
          let i0 = try estimator.estimate(independent.a, independent.b).nats
          let i1 = try estimator.estimate(dependent.a, dependent.b).nats
          #expect(i0 < independentBelow, "\(name) on independent data: \(i0)")
          #expect(i1 > dependentAbove, "\(name) on dependent data: \(i1)")
          #expect(i1 > i0, "\(name): dependent \(i1) ≤ independent \(i0)")
        case .standardNormalEntropy(let tolerance):
          let (a, b) = ConformanceData.pair(.continuous, n: 300, seed: 22, dependent: false, columns: 1)
          let h = try estimator.estimate(a, b).nats
          #expect(abs(h - 0.5 * log(2 * Double.pi * M_E)) < tolerance, "\(name): Ĥ(N(0, 1)) = \(h)")
        }
      } catch {
        Issue.record("\(name) refused valid data: \(error)")
      }
    }
  }

  // MARK: Shared checks (the plane suite uses them too)

  static func expect(_ x: Estimate, _ y: Estimate, agree agreement: Agreement, _ what: String) {
    switch agreement {
    case .exact:
      #expect(sameBits(x.nats, y.nats), "\(what): \(x.nats) vs \(y.nats)")
      #expect(sameBits(x.lowerNats, y.lowerNats) && sameBits(x.upperNats, y.upperNats), "\(what): bounds differ")
    case .within(let tolerance, _):
      #expect(close(x.nats, y.nats, tolerance), "\(what): \(x.nats) vs \(y.nats), tolerance \(tolerance)")
      for (p, q) in [(x.lowerNats, y.lowerNats), (x.upperNats, y.upperNats)] {
        #expect((p == nil) == (q == nil), "\(what): a bound is missing on one side")
        if let p, let q { #expect(close(p, q, tolerance), "\(what): bound \(p) vs \(q)") }
      }
    case .notPromised:
      break
    }
  }

  static func expectUnits(_ e: Estimate, _ what: String) {
    #expect(sameBits(e.value(in: .nats), e.nats), "\(what): nats changed by value(in: .nats)")
    #expect(e.value(in: .bits) == e.nats / log(2.0), "\(what): \(e.value(in: .bits)) bits for \(e.nats) nats")
    #expect(close(e.value(in: .bits) * log(2.0), e.nats, 1e-15), "\(what): bits do not convert back")
    #expect((e.lower(in: .bits) == nil) == (e.lowerNats == nil) && (e.upper(in: .bits) == nil) == (e.upperNats == nil))
    if let l = e.lowerNats { #expect(e.lower(in: .bits) == l / log(2.0) && e.lower(in: .nats) == l, "\(what): lower bound") }
    if let u = e.upperNats { #expect(e.upper(in: .bits) == u / log(2.0) && e.upper(in: .nats) == u, "\(what): upper bound") }
  }
}
