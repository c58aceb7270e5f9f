import IBPlane
import Testing

@testable import IBTrain

/// Analytic gradients against central finite differences, in Double.
///
/// Central differences with step h have truncation error h²/6·|∂³L| ≈ 1e-11 for h = 1e-5 and
/// round-off ≈ ε·|L|/h ≈ 1e-11; both are far below the 1e-6 relative bar for gradient entries
/// of ordinary size. Entries whose true value is below ~1e-5 cannot be compared relatively, so
/// every entry must satisfy |analytic − numeric| ≤ 1e-6·max(|analytic|, |numeric|) + 1e-10,
/// and the whole gradient must also agree norm-wise to 1e-6 relative.
@Suite("Gradient check")
struct GradientCheckTests {
  static let h = 1e-5

  static func objective(_ net: Network<Double>, _ x: Matrix<Double>, _ t: TrainingTargets<Double>, _ loss: Loss, _ l2: Double) throws -> Double {
    let value = try loss.evaluate(output: try net.forward(x).output, targets: t).value
    let penalty = net.layers.reduce(0.0) { $0 + $1.weights.elements.reduce(0) { $0 + $1 * $1 } }
    return value + 0.5 * l2 * penalty
  }

  static func check(activation: Activation, loss: Loss, l2: Double = 0, seed: UInt64) throws {
    let random = RandomSource(seed: seed)
    let widths = [4, 3, 3]
    let outputActivation: Activation = loss == .softmaxCrossEntropy ? .linear : activation
    let net = try Network<Double>(
      inputWidth: 5, widths: widths, activations: [activation, activation, outputActivation],
      initialization: .glorot, random: random)
    let x = randomMatrix(7, 5, random)
    let targets: TrainingTargets<Double> =
      loss == .softmaxCrossEntropy
      ? .classes((0..<7).map { _ in random.integer(below: 3) }, classCount: 3) : .values(randomMatrix(7, 3, random, scale: 0.5))
    // Random non-zero biases, so ReLU/ELU kinks are not hit at z = x·W exactly.
    var perturbed = net
    for l in perturbed.layers.indices {
      for j in perturbed.layers[l].bias.indices { perturbed.layers[l].bias[j] = random.normal() * 0.3 }
    }
    let pass = try perturbed.forward(x)
    let grad = try loss.evaluate(output: pass.output, targets: targets).gradient
    let analytic = try perturbed.backward(input: x, pass: pass, outputGradient: grad, l2: l2)

    var diffNorm = 0.0
    var refNorm = 0.0
    for l in perturbed.layers.indices {
      for (isBias, count) in [(false, perturbed.layers[l].weights.elements.count), (true, perturbed.layers[l].bias.count)] {
        for i in 0..<count {
          var plus = perturbed
          var minus = perturbed
          if isBias {
            plus.layers[l].bias[i] += h
            minus.layers[l].bias[i] -= h
          } else {
            plus.layers[l].weights.elements[i] += h
            minus.layers[l].weights.elements[i] -= h
          }
          let numeric = (try objective(plus, x, targets, loss, l2) - objective(minus, x, targets, loss, l2)) / (2 * h)
          let a = isBias ? analytic[l].bias[i] : analytic[l].weights.elements[i]
          let tolerance = 1e-6 * max(abs(a), abs(numeric)) + 1e-10
          #expect(
            abs(a - numeric) <= tolerance,
            "\(activation)/\(loss) layer \(l) \(isBias ? "bias" : "weight") \(i): analytic \(a) vs numeric \(numeric)")
          diffNorm += (a - numeric) * (a - numeric)
          refNorm += numeric * numeric
        }
      }
    }
    #expect(refNorm > 1e-8, "gradient vanishes; the check would be vacuous")
    #expect((diffNorm / refNorm).squareRoot() <= 1e-6)
  }

  @Test("every activation under softmax cross-entropy", arguments: Activation.allCases)
  func crossEntropy(_ activation: Activation) throws {
    try Self.check(activation: activation, loss: .softmaxCrossEntropy, seed: 11)
  }

  @Test("every activation under mean squared error (activation also at the output)", arguments: Activation.allCases)
  func meanSquared(_ activation: Activation) throws {
    try Self.check(activation: activation, loss: .meanSquaredError, seed: 12)
  }

  @Test("L2 weight decay adds λ·W to the weight gradient", arguments: Loss.allCases)
  func weightDecay(_ loss: Loss) throws {
    try Self.check(activation: .tanh, loss: loss, l2: 0.05, seed: 13)
  }
}

@Suite("Losses and activations against closed forms")
struct LossTests {
  @Test func crossEntropyOfEqualLogitsIsLogK() throws {
    let z = try Matrix<Double>([[0, 0, 0], [5, 5, 5]])
    let (value, gradient) = try Loss.softmaxCrossEntropy.evaluate(output: z, targets: .classes([0, 2], classCount: 3))
    #expect(abs(value - log(3.0)) < 1e-15)
    // (1/3 − onehot) / B
    #expect(abs(gradient[0, 0] - (1.0 / 3 - 1) / 2) < 1e-15)
    #expect(abs(gradient[1, 1] - (1.0 / 3) / 2) < 1e-15)
  }

  @Test func crossEntropyIsStableForHugeLogits() throws {
    let z = try Matrix<Float>([[1000, 0], [0, 1000]])
    let (value, _) = try Loss.softmaxCrossEntropy.evaluate(output: z, targets: .classes([1, 1], classCount: 2))
    #expect(abs(value - 500) < 1e-3)  // sample 0 costs 1000 nats, sample 1 costs e^-1000 ≈ 0
  }

  @Test func meanSquaredErrorIsMeanOverAllEntries() throws {
    let a = try Matrix<Double>([[1, 2], [3, 4]])
    let t = try Matrix<Double>([[1, 0], [0, 4]])
    let (value, gradient) = try Loss.meanSquaredError.evaluate(output: a, targets: .values(t))
    #expect(value == (4.0 + 9.0) / 4)
    #expect(gradient[1, 0] == 2 * 3.0 / 4)
  }

  @Test func activationValues() {
    var z: [Double] = [-2, -0.5, 0, 0.5, 2]
    let cases: [(Activation, (Double) -> Double)] = [
      (.tanh, { Foundation.tanh($0) }), (.relu, { max(0, $0) }), (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }),
      (.elu, { $0 > 0 ? $0 : Foundation.exp($0) - 1 }), (.softsign, { $0 / (1 + abs($0)) }),
      (.softplus, { Foundation.log(1 + Foundation.exp($0)) }), (.linear, { $0 }),
    ]
    for (activation, f) in cases {
      var a = z
      activation.apply(&a)
      for (v, w) in zip(a, z) { #expect(abs(v - f(w)) < 1e-14, "\(activation)(\(w))") }
    }
    z = [800]
    Activation.softplus.apply(&z)
    #expect(z[0] == 800)  // no overflow of e^z
  }
}

import Foundation
