import IBPlane

/// An element-wise activation function a = f(z) of a dense layer.
///
/// | case | f(z) | f′(z) |
/// | --- | --- | --- |
/// | `tanh` | tanh z | 1 − a² |
/// | `relu` | max(0, z) | 1 if z > 0 else 0 (0 at the kink) |
/// | `sigmoid` | 1 / (1 + e^−z) | a (1 − a) |
/// | `elu` | z if z > 0 else e^z − 1 (α = 1, Clevert et al. 2016) | 1 if z > 0 else a + 1 |
/// | `softsign` | z / (1 + abs z) | 1 / (1 + abs z)² = (1 − abs a)² |
/// | `softplus` | log(1 + e^z), computed as max(z, 0) + log1p(e^−abs z) | sigmoid(z) = 1 − e^−a |
/// | `linear` | z | 1 |
///
/// Complexity: O(N·width) per layer, one pass over contiguous memory.
public enum Activation: String, Sendable, CaseIterable, Codable {
  case tanh, relu, sigmoid, elu, softsign, softplus, linear

  /// Overwrites `z` with f(z).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  @inlinable
  public func apply<S: TrainScalar>(_ z: inout [S]) {
    z.withUnsafeMutableBufferPointer { p in
      switch self {
      case .tanh: S._tanhInPlace(p)
      case .relu: for i in p.indices where p[i] < 0 { p[i] = 0 }
      case .sigmoid: for i in p.indices { p[i] = Activation.sigmoid(p[i]) }
      case .elu: for i in p.indices where p[i] <= 0 { p[i] = S._expm1(p[i]) }
      case .softsign: for i in p.indices { p[i] = p[i] / (1 + abs(p[i])) }
      case .softplus:
        for i in p.indices {
          let v = p[i]
          p[i] = Swift.max(v, 0) + S._log1p(S._exp(-abs(v)))
        }
      case .linear: break
      }
    }
  }

  /// Multiplies the upstream gradient `gradient` (∂L/∂a) in place by f′(z), giving ∂L/∂z.
  ///
  /// Every derivative is written in terms of the output a = f(z) alone, so the forward pass
  /// need not keep z: relu and elu test a > 0 (⇔ z > 0); softsign uses (1 − abs a)² =
  /// 1/(1 + abs z)²; softplus uses sigmoid(z) = 1 − e^−a = −expm1(−a), exact for tiny a.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  @inlinable
  public func multiplyDerivative<S: TrainScalar>(_ gradient: inout [S], output a: [S]) {
    gradient.withUnsafeMutableBufferPointer { g in
      a.withUnsafeBufferPointer { a in
        switch self {
        case .tanh: for i in g.indices { g[i] *= 1 - a[i] * a[i] }
        case .relu: for i in g.indices where !(a[i] > 0) { g[i] = 0 }
        case .sigmoid: for i in g.indices { g[i] *= a[i] * (1 - a[i]) }
        case .elu: for i in g.indices where !(a[i] > 0) { g[i] *= a[i] + 1 }
        case .softsign:
          for i in g.indices {
            let d = 1 - abs(a[i])
            g[i] *= d * d
          }
        case .softplus: for i in g.indices { g[i] *= -S._expm1(-a[i]) }
        case .linear: break
        }
      }
    }
  }

  /// The logistic function, evaluated without overflow for large |z|.
  @inlinable @inline(__always)
  static func sigmoid<S: TrainScalar>(_ z: S) -> S {
    if z >= 0 { return 1 / (1 + S._exp(-z)) }
    let e = S._exp(z)
    return e / (1 + e)
  }
}
