import Foundation
import Testing

import IBPlane

/// Every registered family of the information-plane form on every bad layer (the `BadInput`
/// cases that concern A, which is the layer here, plus a single-class recording as `constantB`):
/// refused with an `EstimatorError` unless its expectations row documents a point, which is then
/// checked. The recording itself (non-finite inputs or targets, labels out of range) is checked
/// once by `PlaneContext`, below.
@Suite struct PlaneBadInputTests {
  static let n = 50
  static let cases = BadInput.allCases.filter { !$0.touchesOnlyB || $0 == .constantB }

  /// The context and layer for `input`.
  static func data(_ input: BadInput) throws -> (context: PlaneContext, layer: Matrix<Float>) {
    var context = try ConformanceData.context(n: n, seed: 30)
    var layer = ConformanceData.dependentLayer(try #require(context.inputs))
    switch input {
    case .nanInA, .nanInB: layer[7, 1] = .nan
    case .plusInfinityInA, .plusInfinityInB: layer[7, 0] = .infinity
    case .minusInfinityInA, .minusInfinityInB: layer[n - 1, 1] = -.infinity
    case .zeroRows:
      context = try PlaneContext(inputs: Matrix(rows: 0, columns: 3), labels: .classes([], classCount: 3))
      layer = Matrix(rows: 0, columns: 2)
    case .zeroColumnsInA, .zeroColumnsInB: layer = Matrix(rows: n, columns: 0)
    case .oneSample, .twoSamples, .threeSamples:
      let rows = Array(0..<(input.sampleCount ?? 0))
      context = try ConformanceData.context(context, rows: rows)
      layer = layer.selectingRows(rows)
    case .mismatchedRows: layer = layer.selectingRows(0..<(n - 1))
    case .constantColumnInA: for i in 0..<n { layer[i, 1] = 0.25 }
    case .constantB: context = try PlaneContext(inputs: context.inputs, labels: .classes([Int](repeating: 0, count: n), classCount: 3))
    case .allConstant: layer.elements = layer.elements.map { _ in 0.25 }
    case .allZero: layer.elements = layer.elements.map { _ in 0 }
    }
    return (context, layer)
  }

  @Test(arguments: Registered.planeNames, cases)
  func badLayer(_ name: String, _ input: BadInput) throws {
    let expectation = try PlaneExpectation.of(name)
    let estimator = try Registered.plane(name)
    let (context, layer) = try Self.data(input)
    checking(knownIssue: expectation.knownIssues["badInput.\(input)"]) {
      Self.check({ try estimator.point(layer: layer, context: context) }, expected: expectation.accepted(input), input: input, what: "\(name) on \(input)")
    }
  }

  /// A recording with a non-finite input or target, or a class label out of range, never
  /// reaches an estimator: `PlaneContext` refuses it.
  @Test func contextRefusesABadRecording() {
    var x = RandomSource(seed: 31).normalMatrix(rows: 10, columns: 2).converted(to: Float.self)
    let labels = Labels.classes((0..<10).map { $0 % 2 }, classCount: 2)
    for v in [Float.nan, .infinity, -.infinity] {
      x[3, 1] = v
      #expect(throws: EstimatorError.self) { try PlaneContext(inputs: x, labels: labels) }
      #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .targets(x)) }
    }
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .classes([0, 2], classCount: 2)) }
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: x.selectingRows(0..<9), labels: labels) }
  }

  /// Runs `point` and checks both coordinates against `expected` (nil: must be refused).
  static func check(_ point: () throws -> PlanePoint, expected: Accepted?, input: BadInput?, what: String) {
    do {
      let p = try point()
      let (x, y) = (p.inputInformation, p.labelInformation)
      let finite = [x.nats, y.nats, x.lowerNats ?? 0, x.upperNats ?? 0, y.lowerNats ?? 0, y.upperNats ?? 0].allSatisfy(\.isFinite)
      switch expected {
      case nil:
        Issue.record("\(what): returned (\(x.nats), \(y.nats)) nats instead of refusing")
      case .finite:
        #expect(finite, "\(what): \(p)")
      case .value(let v, let tolerance, let why):
        #expect(abs(x.nats - v) <= tolerance && abs(y.nats - v) <= tolerance, "\(what): (\(x.nats), \(y.nats)) nats, documented \(v) (\(why))")
      case .labelValue(let v, let tolerance, let why):
        #expect(finite, "\(what): \(p)")
        #expect(abs(y.nats - v) <= tolerance, "\(what): I(T;Y) = \(y.nats) nats, documented \(v) (\(why))")
      }
    } catch let error as EstimatorError {
      if let expected {
        Issue.record("\(what): refused (\(error)) but documented as \(expected)")
        return
      }
      switch error {
      case .nonFinite: break
      case _ where input?.isNonFinite == true: Issue.record("\(what): refused as \(error), not as a non-finite input")
      case .shapeMismatch: break
      case _ where input == .mismatchedRows: Issue.record("\(what): refused as \(error), not as a shape mismatch")
      case .nonFiniteResult: Issue.record("\(what): refused only by the NaN safety net (\(error)); the input was not checked")
      default: break
      }
    } catch {
      Issue.record("\(what): threw \(type(of: error)) (\(error)), not an EstimatorError")
    }
  }
}

extension PlaneBadInputTests {
  /// A dead (all-zero) layer goes through the same checks as a live one: refused when its rows
  /// do not match the recording, and with regression targets exactly when a live layer is
  /// (`adaptive-kde` used to return 0 for it before checking either).
  @Test(arguments: Registered.planeNames)
  func deadLayerIsCheckedLikeALiveOne(_ name: String) throws {
    let expectation = try PlaneExpectation.of(name)
    let estimator = try Registered.plane(name)
    let classes = try ConformanceData.context(n: Self.n, seed: 32)
    let dead = Matrix<Float>(rows: Self.n - 1, columns: 2)
    #expect {
      _ = try estimator.point(layer: dead, context: classes)
    } throws: { error in
      guard case .shapeMismatch = error as? EstimatorError else { return false }
      return true
    }
    let targets = try ConformanceData.context(n: Self.n, seed: 32, targets: true)
    Self.check(
      { try estimator.point(layer: Matrix<Float>(rows: Self.n, columns: 2), context: targets) },
      expected: expectation.regressionTargets ? .finite("regression targets are supported") : nil, input: nil,
      what: "\(name), a dead layer with regression targets")
  }
}
