import Foundation
import Testing

import IBPlane

/// Every registered family of the information-plane form against the promises of its row in
/// `PlaneExpectation.byFamily`: determinism (fresh and cached context), permutation invariance,
/// units and bounds, non-negativity, recordings without inputs or with regression targets, and
/// a sanity value of I(T;Y). Bad layers are in `PlaneBadInputTests`.
@Suite struct PlaneConformanceTests {
  static let n = 200

  @Test func everyFamilyHasExpectations() {
    let registered = Set(Registered.planeNames)
    #expect(!registered.isEmpty)
    for name in Registered.planeNames where PlaneExpectation.byFamily[name] == nil {
      Issue.record("\(ConformanceError.noExpectations(name))")
    }
    for name in PlaneExpectation.byFamily.keys where !registered.contains(name) {
      Issue.record("the plane expectations table has a row for \(name), which is not registered")
    }
  }

  static func identicalPoints(_ p: PlanePoint, _ q: PlanePoint) -> Bool {
    identical(p.inputInformation, q.inputInformation) && identical(p.labelInformation, q.labelInformation)
  }

  @Test(arguments: Registered.planeNames)
  func determinism(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let context = try ConformanceData.context(n: Self.n, seed: 1)
    let layer = ConformanceData.dependentLayer(try #require(context.inputs))
    checking(knownIssue: expectation.knownIssues["determinism"]) {
      do {
        let first = try Registered.plane(name).point(layer: layer, context: context)
        // Once on the same context (its cache now warm), once on a fresh one.
        let cached = try Registered.plane(name).point(layer: layer, context: context)
        let fresh = try Registered.plane(name).point(layer: layer, context: try ConformanceData.context(n: Self.n, seed: 1))
        #expect(Self.identicalPoints(first, cached), "\(name): a warm context changed the point")
        #expect(Self.identicalPoints(first, fresh), "\(name): a second run changed the point")
      } catch {
        Issue.record("\(name) refused a valid layer: \(error)")
      }
    }
    guard let seeded = expectation.seeded else { return }
    let seed1 = try Registered.plane(name, seeded.merging(["seed": "1"]) { $1 })
    let seed2 = try Registered.plane(name, seeded.merging(["seed": "2"]) { $1 })
    let x = try seed1.point(layer: layer, context: context)
    let y = try seed1.point(layer: layer, context: try ConformanceData.context(n: Self.n, seed: 1))
    let z = try seed2.point(layer: layer, context: context)
    #expect(Self.identicalPoints(x, y), "\(name) with \(seeded), seed 1 twice")
    #expect(!sameBits(x.inputInformation.nats, z.inputInformation.nats), "\(name) with \(seeded): seeds 1 and 2 give the same I(X;T)")
  }

  @Test(arguments: Registered.planeNames)
  func permutationInvariance(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let context = try ConformanceData.context(n: Self.n, seed: 2)
    let layer = ConformanceData.dependentLayer(try #require(context.inputs))
    let order = RandomSource(seed: 3).permutation(Self.n)
    let estimator = try Registered.plane(name)
    let p = try estimator.point(layer: layer, context: context)
    let q = try estimator.point(layer: layer.selectingRows(order), context: ConformanceData.context(context, rows: order))
    checking(knownIssue: expectation.knownIssues["permutation"]) {
      MutualInformationConformanceTests.expect(
        p.inputInformation, q.inputInformation, agree: expectation.permutation, "\(name) I(X;T), samples permuted")
      MutualInformationConformanceTests.expect(
        p.labelInformation, q.labelInformation, agree: expectation.permutation, "\(name) I(T;Y), samples permuted")
    }
  }

  /// bits = nats / ln 2 for both coordinates and their bounds; bounds bracket the value.
  @Test(arguments: Registered.planeNames)
  func unitsAndBounds(_ name: String) throws {
    let context = try ConformanceData.context(n: Self.n, seed: 5)
    let p = try Registered.plane(name).point(layer: ConformanceData.dependentLayer(try #require(context.inputs)), context: context)
    for (what, e) in [("I(X;T)", p.inputInformation), ("I(T;Y)", p.labelInformation)] {
      MutualInformationConformanceTests.expectUnits(e, "\(name) \(what)")
      if let l = e.lowerNats { #expect(l <= e.nats, "\(name) \(what): lower bound \(l) above \(e.nats)") }
      if let u = e.upperNats { #expect(e.nats <= u, "\(name) \(what): upper bound \(u) below \(e.nats)") }
    }
  }

  @Test(arguments: Registered.planeNames)
  func nonNegativity(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let estimator = try Registered.plane(name)
    for seed in UInt64(10)..<12 {
      let context = try ConformanceData.context(n: Self.n, seed: seed)
      for layer in [ConformanceData.dependentLayer(try #require(context.inputs)), ConformanceData.independentLayer(n: Self.n, seed: seed)] {
        let p = try estimator.point(layer: layer, context: context)
        if case .holds = expectation.inputNonNegative { #expect(p.inputInformation.nats >= 0, "\(name) I(X;T), seed \(seed)") }
        if case .holds = expectation.labelNonNegative { #expect(p.labelInformation.nats >= 0, "\(name) I(T;Y), seed \(seed)") }
      }
    }
  }

  @Test(arguments: Registered.planeNames)
  func recordingWithoutInputs(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let context = try ConformanceData.context(n: Self.n, seed: 6, inputs: false)
    let layer = ConformanceData.independentLayer(n: Self.n, seed: 6)
    let estimator = try Registered.plane(name)
    PlaneBadInputTests.check(
      { try estimator.point(layer: layer, context: context) }, expected: expectation.withoutInputs, input: nil, what: "\(name) without inputs")
  }

  @Test(arguments: Registered.planeNames)
  func regressionTargets(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let context = try ConformanceData.context(n: Self.n, seed: 7, targets: true)
    let layer = ConformanceData.dependentLayer(try #require(context.inputs))
    let estimator = try Registered.plane(name)
    PlaneBadInputTests.check(
      { try estimator.point(layer: layer, context: context) },
      expected: expectation.regressionTargets ? .finite("regression targets are supported") : nil, input: nil,
      what: "\(name) with regression targets")
  }

  @Test(arguments: Registered.planeNames)
  func labelSanityValue(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let estimator = try Registered.plane(name)
    let context = try ConformanceData.context(n: 300, seed: 8)
    checking(knownIssue: expectation.knownIssues["sanity"]) {
      do {
        // One unit each: two units already give binning's 30 × 30 cells more cells than samples.
        let independent = ConformanceData.independentLayer(n: 300, seed: 9).selectingColumns([0])
        let dependent = ConformanceData.dependentLayer(try #require(context.inputs)).selectingColumns([0])
        let i0 = try estimator.point(layer: independent, context: context).labelInformation.nats
        let i1 = try estimator.point(layer: dependent, context: context).labelInformation.nats
        #expect(i0 < expectation.labelSanity.independentBelow, "\(name): I(T;Y) of an independent layer \(i0)")
        #expect(i1 > expectation.labelSanity.dependentAbove, "\(name): I(T;Y) of a label-driven layer \(i1)")
        #expect(i1 > i0, "\(name): dependent \(i1) ≤ independent \(i0)")
      } catch {
        Issue.record("\(name) refused a valid layer: \(error)")
      }
    }
  }
}
