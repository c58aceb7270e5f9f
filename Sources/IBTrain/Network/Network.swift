import IBPlane

/// One fully-connected layer: a = f(x·W + b), with W of shape fanIn × fanOut.
public struct DenseLayer<S: TrainScalar>: Sendable, Equatable {
  public var weights: Matrix<S>
  public var bias: [S]
  public var activation: Activation

  public init(weights: Matrix<S>, bias: [S], activation: Activation) throws {
    guard bias.count == weights.columns else {
      throw NumericsError.shapeMismatch("bias of \(bias.count) for a layer of \(weights.columns) units")
    }
    self.weights = weights
    self.bias = bias
    self.activation = activation
  }

  public var fanIn: Int { weights.rows }
  public var fanOut: Int { weights.columns }
}

/// The gradient of a loss with respect to one layer's parameters.
public struct LayerGradient<S: TrainScalar>: Sendable {
  public var weights: Matrix<S>
  public var bias: [S]
}

/// Every layer's output a for one batch, kept for the backward pass (each activation's
/// derivative is a function of its output, so pre-activations are not stored).
public struct ForwardPass<S: TrainScalar>: Sendable {
  public var outputs: [Matrix<S>]
  public var output: Matrix<S> { outputs[outputs.count - 1] }
}

/// A multilayer perceptron of dense layers, evaluated a whole batch at a time on BLAS GEMM.
///
/// Forward, per layer: Z = A_prev·W + 1bᵀ (one `gemm`), A = f(Z).
/// Backward (reverse-mode), given G = ∂L/∂A of a layer: ∂L/∂Z = G ⊙ f′(Z);
/// ∂L/∂W = A_prevᵀ·∂L/∂Z and ∂L/∂b = 1ᵀ·∂L/∂Z; ∂L/∂A_prev = ∂L/∂Z·Wᵀ (two `gemm`s).
/// No per-sample loops: a batch of B samples costs three GEMMs of B×fanIn×fanOut per layer.
///
/// The products go through `Matrix.multiplied` (`cblas_sgemm` / `cblas_dgemm`).
public struct Network<S: TrainScalar>: Sendable, Equatable {
  public var layers: [DenseLayer<S>]

  public init(layers: [DenseLayer<S>]) throws {
    for (l, pair) in zip(layers, layers.dropFirst()).enumerated() where pair.0.fanOut != pair.1.fanIn {
      throw NumericsError.shapeMismatch("layer \(l + 1) has \(pair.0.fanOut) units but layer \(l + 2) expects \(pair.1.fanIn)")
    }
    self.layers = layers
  }

  /// A freshly initialised network `inputWidth → widths[0] → … → widths.last`, layer l using
  /// `activations[l]`; biases start at zero.
  public init(
    inputWidth: Int, widths: [Int], activations: [Activation], initialization: Initialization,
    random: RandomSource
  ) throws {
    guard inputWidth > 0, !widths.isEmpty, widths.allSatisfy({ $0 > 0 }) else {
      throw NumericsError.invalidParameter("a network needs a positive input width and at least one layer of positive width")
    }
    guard activations.count == widths.count else {
      throw NumericsError.invalidParameter("\(widths.count) layers but \(activations.count) activations")
    }
    var fanIn = inputWidth
    var layers: [DenseLayer<S>] = []
    for (width, activation) in zip(widths, activations) {
      let w: Matrix<S> = initialization.weights(fanIn: fanIn, fanOut: width, random: random)
      layers.append(try DenseLayer(weights: w, bias: [S](repeating: 0, count: width), activation: activation))
      fanIn = width
    }
    try self.init(layers: layers)
  }

  public var inputWidth: Int { layers[0].fanIn }
  public var outputWidth: Int { layers[layers.count - 1].fanOut }
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.elements.count + $1.bias.count } }

  /// Runs the batch `input` (B × inputWidth) through every layer.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public func forward(_ input: Matrix<S>) throws -> ForwardPass<S> {
    guard input.columns == inputWidth else {
      throw NumericsError.shapeMismatch("input has \(input.columns) features but the network expects \(inputWidth)")
    }
    var out: [Matrix<S>] = []
    out.reserveCapacity(layers.count)
    var a = input
    for layer in layers {
      var z = try a.multiplied(by: layer.weights)
      let n = layer.fanOut
      z.elements.withUnsafeMutableBufferPointer { zp in
        layer.bias.withUnsafeBufferPointer { bp in
          for i in 0..<z.rows { for j in 0..<n { zp[i * n + j] += bp[j] } }
        }
      }
      layer.activation.apply(&z.elements)
      out.append(z)
      a = z
    }
    return ForwardPass(outputs: out)
  }

  /// Gradients of the loss with respect to every layer's weights and bias, given the batch
  /// `input`, its `pass` and `outputGradient` = ∂L/∂(output layer's activation).
  /// With `l2` > 0 the objective also carries (l2/2)·Σ‖W‖² (weights only, not biases).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public func backward(
    input: Matrix<S>, pass: ForwardPass<S>, outputGradient: Matrix<S>, l2: S = 0
  ) throws -> [LayerGradient<S>] {
    var gradients = [LayerGradient<S>?](repeating: nil, count: layers.count)
    var g = outputGradient
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      let layer = layers[l]
      layer.activation.multiplyDerivative(&g.elements, output: pass.outputs[l].elements)
      let previous = l == 0 ? input : pass.outputs[l - 1]
      var dW = try previous.multiplied(by: g, transposingSelf: true)
      if l2 > 0 {
        layer.weights.elements.withUnsafeBufferPointer { w in
          dW.elements.withUnsafeMutableBufferPointer { d in for i in d.indices { d[i] += l2 * w[i] } }
        }
      }
      var db = [S](repeating: 0, count: layer.fanOut)
      let n = layer.fanOut
      g.elements.withUnsafeBufferPointer { gp in
        db.withUnsafeMutableBufferPointer { bp in
          for i in 0..<g.rows { for j in 0..<n { bp[j] += gp[i * n + j] } }
        }
      }
      gradients[l] = LayerGradient(weights: dW, bias: db)
      if l > 0 { g = try g.multiplied(by: layer.weights, transposingOther: true) }
    }
    return gradients.map { $0! }
  }
}
