import Foundation
import Testing
import IBPlane

/// The safety net: an estimate whose value or bound is NaN or ±∞ is never returned; it becomes
/// `EstimatorError.nonFiniteResult` naming the estimator, the quantity and the likely cause.
@Suite struct NonFiniteResultTests {
  @Test func nonFiniteValuesAndBoundsAreErrors() throws {
    let fine = Estimate(nats: 0.5, lowerNats: 0.4, upperNats: 0.6)
    #expect(try fine.requiringFinite(estimator: "kde", quantity: "I(X;T)") == fine)
    let cases: [(Estimate, String)] = [
      (Estimate(nats: .nan), "I(X;T) came out as nan"),
      (Estimate(nats: .infinity), "I(X;T) came out as inf"),
      (Estimate(nats: 1, lowerNats: -.infinity, upperNats: 2), "lower bound of I(X;T) came out as -inf"),
      (Estimate(nats: 1, lowerNats: 0, upperNats: .nan), "upper bound of I(X;T) came out as nan"),
    ]
    for (e, message) in cases {
      #expect {
        _ = try e.requiringFinite(estimator: "kde", quantity: "I(X;T)", cause: "the test's cause")
      } throws: { error in
        let text = "\(error)"
        return text.hasPrefix("kde: ") && text.contains(message) && text.contains("likely cause: the test's cause")
      }
    }
    let point = PlanePoint(inputInformation: fine, labelInformation: Estimate(nats: .nan))
    #expect {
      _ = try point.requiringFinite(estimator: "cs")
    } throws: { error in
      guard case .nonFiniteResult(let name, let quantity, _, _) = error as? EstimatorError else { return false }
      return name == "cs" && quantity == "I(T;Y)"
    }
  }

  /// An estimator whose value is genuinely infinite: the Cauchy–Schwarz divergence between two
  /// sets 10⁶ kernel widths apart (every cross kernel value underflows, −2 log 0 = ∞).
  @Test func anInfiniteDivergenceIsAnErrorNotAValue() throws {
    let p = RandomSource(seed: 41).normalMatrix(rows: 30, columns: 2)
    var q = RandomSource(seed: 42).normalMatrix(rows: 30, columns: 2)
    for k in q.elements.indices { q.elements[k] += 1e6 }
    #expect {
      _ = try CauchySchwarzDivergence.divergence(p, q, width: .fixed(1))
    } throws: { error in
      guard case .nonFiniteResult(let name, _, let value, let cause) = error as? EstimatorError else { return false }
      return name == "cs-divergence" && value == .infinity && cause.contains("farther apart")
    }
  }
}
