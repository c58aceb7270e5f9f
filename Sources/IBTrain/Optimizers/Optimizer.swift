import IBPlane

/// A first-order optimiser and its hyper-parameters.
///
/// - `sgd(momentum: μ)`: classical momentum (Polyak 1964; Sutskever et al. 2013 form):
///   v ← μ·v − η·g, θ ← θ + v. μ = 0 is plain SGD.
/// - `adam(beta1:beta2:epsilon:)` (Kingma & Ba 2015), in the form of TensorFlow's
///   `AdamOptimizer` that the IDNNs code used: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
///   η_t = η·√(1−β₂ᵗ)/(1−β₁ᵗ), θ ← θ − η_t·m/(√v + ε). Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
public enum Optimizer: Sendable, Equatable {
  case sgd(momentum: Double)
  case adam(beta1: Double, beta2: Double, epsilon: Double)

  public static let adam = Optimizer.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
  public static let sgd = Optimizer.sgd(momentum: 0)

  public var name: String {
    switch self {
    case .sgd: return "sgd"
    case .adam: return "adam"
    }
  }
}

/// The optimiser's running state (momentum buffers, Adam moments, step count) for one network.
/// Complexity per step: O(parameter count), element-wise on contiguous buffers.
public struct OptimizerState<S: TrainScalar>: Sendable {
  public let optimizer: Optimizer
  /// Optimiser steps taken so far.
  public private(set) var step = 0
  private var first: [[S]]  // momentum velocity (SGD) or first moment m (Adam), per parameter tensor
  private var second: [[S]]  // second moment v (Adam only)

  public init(optimizer: Optimizer, network: Network<S>) {
    self.optimizer = optimizer
    let sizes = network.layers.flatMap { [$0.weights.elements.count, $0.bias.count] }
    first = sizes.map { [S](repeating: 0, count: $0) }
    if case .adam = optimizer {
      second = sizes.map { [S](repeating: 0, count: $0) }
    } else {
      second = []
    }
  }

  /// Applies one update with learning rate `learningRate` to `network`.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public mutating func apply(_ gradients: [LayerGradient<S>], to network: inout Network<S>, learningRate: Double) {
    step += 1
    for l in network.layers.indices {
      update(&network.layers[l].weights.elements, gradients[l].weights.elements, slot: 2 * l, learningRate: learningRate)
      update(&network.layers[l].bias, gradients[l].bias, slot: 2 * l + 1, learningRate: learningRate)
    }
  }

  private mutating func update(_ theta: inout [S], _ gradient: [S], slot: Int, learningRate: Double) {
    switch optimizer {
    case .sgd(let momentum):
      let mu = S(momentum)
      let eta = S(learningRate)
      theta.withUnsafeMutableBufferPointer { th in
        gradient.withUnsafeBufferPointer { g in
          first[slot].withUnsafeMutableBufferPointer { v in
            for i in th.indices {
              v[i] = mu * v[i] - eta * g[i]
              th[i] += v[i]
            }
          }
        }
      }
    case .adam(let beta1, let beta2, let epsilon):
      let t = Double(step)
      let etaT = S(learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t)))
      let (b1, b2, eps) = (S(beta1), S(beta2), S(epsilon))
      theta.withUnsafeMutableBufferPointer { th in
        gradient.withUnsafeBufferPointer { g in
          first[slot].withUnsafeMutableBufferPointer { m in
            second[slot].withUnsafeMutableBufferPointer { v in
              for i in th.indices {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                th[i] -= etaT * m[i] / (v[i].squareRoot() + eps)
              }
            }
          }
        }
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
