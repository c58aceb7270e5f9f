import IBPlane
import Testing

@testable import IBTrain

@Suite("Optimisers")
struct OptimizerTests {
  /// A 1×2 linear layer with given weights, so updates are easy to follow by hand.
  static func tinyNetwork() throws -> Network<Double> {
    try Network(layers: [DenseLayer(weights: Matrix(rows: 1, columns: 2, elements: [0.5, -1]), bias: [0, 0], activation: .linear)])
  }

  static func gradient(_ w: [Double], _ b: [Double]) throws -> [LayerGradient<Double>] {
    [LayerGradient(weights: try Matrix(rows: 1, columns: 2, elements: w), bias: b)]
  }

  @Test func sgdWithMomentumFollowsTheRecurrence() throws {
    var net = try Self.tinyNetwork()
    var state = OptimizerState(optimizer: .sgd(momentum: 0.9), network: net)
    state.apply(try Self.gradient([1, 2], [0, 0]), to: &net, learningRate: 0.1)
    // v = −0.1·g = (−0.1, −0.2); θ = (0.4, −1.2)
    #expect(abs(net.layers[0].weights.elements[0] - 0.4) < 1e-15)
    state.apply(try Self.gradient([1, 2], [0, 0]), to: &net, learningRate: 0.1)
    // v = 0.9·(−0.1) − 0.1 = −0.19; θ = 0.4 − 0.19 = 0.21
    #expect(abs(net.layers[0].weights.elements[0] - 0.21) < 1e-15)
    #expect(abs(net.layers[0].weights.elements[1] - (-1.2 - 0.38)) < 1e-15)
    #expect(state.step == 2)
  }

  @Test func adamMatchesTheTensorFlowFormula() throws {
    var net = try Self.tinyNetwork()
    var state = OptimizerState(optimizer: .adam, network: net)
    let (b1, b2, eps, lr) = (0.9, 0.999, 1e-8, 0.01)
    let g1 = [0.3, -2.0]
    let g2 = [0.1, 1.0]
    state.apply(try Self.gradient(g1, [0, 0]), to: &net, learningRate: lr)
    state.apply(try Self.gradient(g2, [0, 0]), to: &net, learningRate: lr)
    for (i, start) in [0.5, -1.0].enumerated() {
      var theta = start
      var m = 0.0
      var v = 0.0
      for (t, g) in [g1[i], g2[i]].enumerated() {
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        let etaT = lr * (1 - pow(b2, Double(t + 1))).squareRoot() / (1 - pow(b1, Double(t + 1)))
        theta -= etaT * m / (v.squareRoot() + eps)
      }
      #expect(abs(net.layers[0].weights.elements[i] - theta) < 1e-15)
    }
  }

  @Test("both optimisers drive a least-squares fit to the closed-form solution", arguments: [Optimizer.sgd(momentum: 0.9), .adam])
  func leastSquares(_ optimizer: Optimizer) throws {
    // y = X·w* + b* exactly; the MSE minimiser is (w*, b*).
    let random = RandomSource(seed: 3)
    let x = randomMatrix(64, 3, random)
    let wStar = [1.5, -2.0, 0.5]
    var y = Matrix<Double>(rows: 64, columns: 1)
    for i in 0..<64 { y.elements[i] = (0..<3).reduce(0.7) { $0 + x[i, $1] * wStar[$1] } }
    var net = try Network<Double>(inputWidth: 3, widths: [1], activations: [.linear], initialization: .glorot, random: random)
    var state = OptimizerState(optimizer: optimizer, network: net)
    for _ in 0..<3000 {
      let pass = try net.forward(x)
      let g = try Loss.meanSquaredError.evaluate(output: pass.output, targets: .values(y)).gradient
      state.apply(try net.backward(input: x, pass: pass, outputGradient: g), to: &net, learningRate: 0.01)
    }
    for j in 0..<3 { #expect(abs(net.layers[0].weights.elements[j] - wStar[j]) < 1e-3) }
    #expect(abs(net.layers[0].bias[0] - 0.7) < 1e-3)
  }
}

import Foundation
