import IBPlane

/// Hyper-parameters of an `Autoencoder`.
public struct AutoencoderConfiguration: Sendable, Equatable {
  /// Hidden widths of the encoder, input side first; the decoder mirrors them.
  public var encoderWidths: [Int] = [64]
  /// Width of the linear code layer.
  public var latentDimension: Int = 4
  public var activation: Activation = .tanh
  public var initialization: Initialization = .glorot
  public var optimizer: Optimizer = .adam
  public var learningRate: Double = 0.001
  public var batchSize: Int = 128
  public var epochs: Int = 50
  public var l2: Double = 0
  public var seed: UInt64 = 1

  public init() {}
}

/// An encoder–decoder MLP trained to reproduce its input under mean squared error, for the
/// lossy-compression estimator (Butakov et al. 2024 compress X to a few dimensions before
/// estimating MI).
///
/// Architecture: d → encoderWidths… → latent (linear) → reversed(encoderWidths)… → d (linear);
/// loss (1/(B·d)) Σ‖x̂ − x‖². Training reuses the classifier's mini-batch loop, optimisers and
/// seeding (child stream 0 of `RandomSource(seed:)` initialises, stream 1 shuffles).
///
/// Complexity per epoch: O(N · Σ fanIn·fanOut) through GEMM.
public struct Autoencoder: Sendable {
  public let network: Network<Float>
  /// Index of the code layer in `network.layers`.
  public let latentLayer: Int
  /// Mean squared reconstruction error on the training inputs after training.
  public let reconstructionError: Double

  /// Trains an autoencoder on the rows of `inputs`. `onEpoch` receives (epoch, mean batch loss).
  public static func train(
    inputs: Matrix<Float>, configuration: AutoencoderConfiguration, onEpoch: ((Int, Double) -> Void)? = nil
  ) throws -> Autoencoder {
    guard inputs.rows >= 1, inputs.columns >= 1 else { throw NumericsError.invalidParameter("no inputs to encode") }
    guard configuration.latentDimension >= 1, configuration.batchSize >= 1, configuration.epochs >= 0 else {
      throw NumericsError.invalidParameter("latent dimension and batch size must be ≥ 1, epochs ≥ 0")
    }
    try EstimatorError.validateFinite(inputs, name: "autoencoder inputs")
    let random = RandomSource(seed: configuration.seed)
    let widths = configuration.encoderWidths + [configuration.latentDimension] + configuration.encoderWidths.reversed() + [inputs.columns]
    let hidden = configuration.encoderWidths.count
    let activations =
      Array(repeating: configuration.activation, count: hidden) + [.linear]
      + Array(repeating: configuration.activation, count: hidden) + [.linear]
    var network = try Network<Float>(
      inputWidth: inputs.columns, widths: widths, activations: activations,
      initialization: configuration.initialization, random: RandomSource(seed: random.derivedSeed(0)))
    var state = OptimizerState(optimizer: configuration.optimizer, network: network)
    let shuffle = RandomSource(seed: random.derivedSeed(1))
    let n = inputs.rows
    let batch = Swift.min(configuration.batchSize, n)
    for e in 0..<configuration.epochs {
      let order = batch >= n ? Array(0..<n) : shuffle.permutation(n)
      let (loss, _) = try _MiniBatchLoop.epoch(
        network: &network, state: &state, inputs: inputs, targets: .values(inputs), loss: .meanSquaredError,
        batchSize: batch, learningRate: configuration.learningRate, l2: configuration.l2, order: order)
      guard loss.isFinite else { throw NumericsError.nonFinite("autoencoder loss became \(loss) at epoch \(e + 1)") }
      onEpoch?(e + 1, loss)
    }
    let output = try network.forward(inputs).output
    let error = try Loss.meanSquaredError.evaluate(output: output, targets: .values(inputs)).value
    return Autoencoder(network: network, latentLayer: hidden, reconstructionError: error)
  }

  /// The codes of `inputs`, N × latentDimension.
  public func encode(_ inputs: Matrix<Float>) throws -> Matrix<Float> {
    try network.forward(inputs).outputs[latentLayer]
  }

  /// The reconstructions of `inputs`, N × d.
  public func reconstruct(_ inputs: Matrix<Float>) throws -> Matrix<Float> {
    try network.forward(inputs).output
  }
}
