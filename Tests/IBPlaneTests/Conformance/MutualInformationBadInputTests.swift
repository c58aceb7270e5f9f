import Foundation
import Testing

import IBPlane

/// Every registered family of the I(A;B) form on every `BadInput`: refused with an
/// `EstimatorError` (never a trap, a NaN or another error type) unless its expectations row
/// documents a value, which is then checked.
@Suite struct MutualInformationBadInputTests {
  static let n = 50

  /// A (N × 2) and B (N × 1) with the damage `input` describes.
  static func data(_ input: BadInput, _ second: ConformanceData.Second) -> (a: Matrix<Double>, b: Matrix<Double>) {
    var (a, b) = ConformanceData.pair(second, n: n, seed: 30)
    switch input {
    case .nanInA: a[7, 1] = .nan
    case .nanInB: b[7, 0] = .nan
    case .plusInfinityInA: a[7, 0] = .infinity
    case .plusInfinityInB: b[7, 0] = .infinity
    case .minusInfinityInA: a[n - 1, 1] = -.infinity
    case .minusInfinityInB: b[n - 1, 0] = -.infinity
    case .zeroRows: return (Matrix(rows: 0, columns: 2), Matrix(rows: 0, columns: 1))
    case .zeroColumnsInA: a = Matrix(rows: n, columns: 0)
    case .zeroColumnsInB: b = Matrix(rows: n, columns: 0)
    case .oneSample, .twoSamples, .threeSamples:
      let rows = 0..<(input.sampleCount ?? 0)
      return (a.selectingRows(rows), b.selectingRows(rows))
    case .mismatchedRows: b = b.selectingRows(0..<(n - 1))
    case .constantColumnInA: for i in 0..<n { a[i, 1] = 0.25 }
    case .constantB: for i in 0..<n { b[i, 0] = 0.25 }
    case .allConstant:
      a.elements = a.elements.map { _ in 0.25 }
      b.elements = b.elements.map { _ in 0.25 }
    case .allZero:
      a.elements = a.elements.map { _ in 0 }
      b.elements = b.elements.map { _ in 0 }
    }
    return (a, b)
  }

  @Test(arguments: Registered.miNames, BadInput.allCases)
  func badInput(_ name: String, _ input: BadInput) throws {
    let expectation = try MutualInformationExpectation.of(name)
    let estimator = try Registered.mi(name)
    let (a, b) = Self.data(input, expectation.second)
    checking(knownIssue: expectation.knownIssues["badInput.\(input)"]) {
      Self.check({ try estimator.estimate(a, b) }, expected: expectation.accepted(input), input: input, what: "\(name) on \(input)")
    }
  }

  /// Runs `estimate` and checks its outcome against `expected` (nil: must be refused).
  static func check(_ estimate: () throws -> Estimate, expected: Accepted?, input: BadInput, what: String) {
    do {
      let e = try estimate()
      switch expected {
      case nil:
        Issue.record("\(what): returned \(e.nats) nats instead of refusing")
      case .finite:
        #expect(e.nats.isFinite && (e.lowerNats ?? 0).isFinite && (e.upperNats ?? 0).isFinite, "\(what): \(e)")
      case .value(let v, let tolerance, let why):
        #expect(abs(e.nats - v) <= tolerance, "\(what): \(e.nats) nats, documented \(v) (\(why))")
      case .labelValue:
        Issue.record("\(what): the table documents a plane-only outcome for the I(A;B) form")
      }
    } catch let error as EstimatorError {
      if let expected {
        Issue.record("\(what): refused (\(error)) but documented as \(expected)")
        return
      }
      switch error {
      case .nonFinite: break
      case _ where input.isNonFinite: Issue.record("\(what): refused as \(error), not as a non-finite input")
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
