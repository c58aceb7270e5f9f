import Foundation
import IBPlane

/// How a dense layer's weights are drawn; biases start at zero in every scheme.
///
/// - `truncatedNormal`: N(0, 1/fan_in) redrawn outside ±2 standard deviations — the choice of
///   Shwartz-Ziv & Tishby's IDNNs code (`tf.truncated_normal(stddev=1/sqrt(fan_in))`).
/// - `glorot`: uniform on ±√(6 / (fan_in + fan_out)) (Glorot & Bengio 2010).
/// - `he`: N(0, 2/fan_in) (He et al. 2015), for ReLU networks.
public enum Initialization: String, Sendable, CaseIterable, Codable {
  case truncatedNormal = "truncated-normal"
  case glorot
  case he

  /// A fanIn × fanOut weight matrix drawn from `random`.
  public func weights<S: TrainScalar>(fanIn: Int, fanOut: Int, random: RandomSource) -> Matrix<S> {
    var w = Matrix<S>(rows: fanIn, columns: fanOut)
    switch self {
    case .truncatedNormal:
      let sd = 1 / Double(fanIn).squareRoot()
      for i in w.elements.indices {
        var v = random.normal()
        while abs(v) > 2 { v = random.normal() }
        w.elements[i] = S(v * sd)
      }
    case .glorot:
      let limit = (6 / Double(fanIn + fanOut)).squareRoot()
      for i in w.elements.indices { w.elements[i] = S(random.uniform(-limit, limit)) }
    case .he:
      let sd = (2 / Double(fanIn)).squareRoot()
      for i in w.elements.indices { w.elements[i] = S(random.normal() * sd) }
    }
    return w
  }
}
