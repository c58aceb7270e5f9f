import IBPlane

/// The autoencoder compressor of lossy-compressed MI (Butakov et al. 2024), name `autoencoder`:
/// standardise each column (zero mean, unit variance; constant columns become 0), train an
/// `Autoencoder` d → encoderWidths… → m (linear code) → … → d on the standardised rows, and
/// use the codes. Plug it into IBPlane with `AutoencoderCompressor.register()`, after which
/// `LossyCompressedMI.Compressor.named("autoencoder")`, `--compress autoencoder` and
/// `lossy:compress=autoencoder` work.
///
/// Defaults (`defaultConfiguration`): encoder [64], tanh, Glorot initialisation, Adam at
/// learning rate 10⁻³, batch 128, `defaultEpochs` epochs, no L2. The latent size and seed of
/// each call override the configuration's: the seed is the estimator's (`LossyCompressedMI.seed`,
/// child stream per variable), so the same seed gives the same codes and the same estimate.
///
/// Quality figures (recorded as `diagnostics["reconstruction_error_x"]` etc.): the mean squared
/// reconstruction error on the standardised data after training (1 would be "predict the mean")
/// and the number of epochs. Parameters recorded on every estimate: `epochs`, `encoder` (the
/// hidden widths), `activation`.
///
/// Cost: O(epochs · N · Σ fanIn·fanOut) through GEMM, per variable.
public struct AutoencoderCompressor: LossyCompressor {
  /// Epochs of the default configuration.
  public static let defaultEpochs = 30
  /// The defaults listed above (`latentDimension` and `seed` are set per call).
  public static var defaultConfiguration: AutoencoderConfiguration {
    var c = AutoencoderConfiguration()
    c.encoderWidths = [64]
    c.activation = .tanh
    c.optimizer = .adam
    c.learningRate = 0.001
    c.batchSize = 128
    c.epochs = defaultEpochs
    return c
  }

  /// The training configuration; its `latentDimension` and `seed` are ignored (each call's win).
  public var configuration: AutoencoderConfiguration

  public init(configuration: AutoencoderConfiguration = AutoencoderCompressor.defaultConfiguration) {
    self.configuration = configuration
  }

  /// Registers `autoencoder` (the default configuration) with `LossyCompressedMI`. Idempotent.
  public static func register() {
    LossyCompressedMI.registerCompressor(name: "autoencoder") { AutoencoderCompressor() }
  }

  public var name: String { "autoencoder" }
  public var usesSeed: Bool { true }
  public var identityQuality: [String: Double] { ["reconstruction_error": 0, "epochs": 0] }

  public var parameters: [String: String] {
    [
      "epochs": "\(configuration.epochs)",
      "encoder": configuration.encoderWidths.map(String.init).joined(separator: "x"),
      "activation": configuration.activation.rawValue,
    ]
  }

  /// The column-standardised rows of `data` in Float: (x − mean) / sd with the population sd;
  /// columns with sd = 0 become 0.
  static func standardised<S: BLASScalar>(_ data: Matrix<S>) -> Matrix<Float> {
    let n = data.rows, d = data.columns
    var mean = [Double](repeating: 0, count: d)
    var square = [Double](repeating: 0, count: d)
    for i in 0..<n {
      for j in 0..<d { mean[j] += Double(data.elements[i * d + j]) }
    }
    for j in 0..<d { mean[j] /= Double(n) }
    for i in 0..<n {
      for j in 0..<d {
        let v = Double(data.elements[i * d + j]) - mean[j]
        square[j] += v * v
      }
    }
    let scale = square.map { s -> Double in
      let sd = (s / Double(n)).squareRoot()
      return sd > 0 && sd.isFinite ? 1 / sd : 0
    }
    var out = Matrix<Float>(rows: n, columns: d)
    for i in 0..<n {
      for j in 0..<d { out.elements[i * d + j] = Float((Double(data.elements[i * d + j]) - mean[j]) * scale[j]) }
    }
    return out
  }

  public func compress<S: BLASScalar>(_ data: Matrix<S>, latent: Int, seed: UInt64) throws -> LossyCompression {
    guard latent >= 1 else { throw EstimatorError.invalidParameter(name: "latent", value: "\(latent)", expected: "an integer ≥ 1") }
    guard data.rows >= 2 else {
      throw EstimatorError.tooFewSamples(needed: 2, got: data.rows, what: "rows to train the autoencoder compressor on")
    }
    try EstimatorError.validateFinite(data, name: "autoencoder compressor input")
    var config = configuration
    config.latentDimension = latent
    config.seed = seed
    let x = Self.standardised(data)
    let autoencoder = try Autoencoder.train(inputs: x, configuration: config)
    let code = try autoencoder.encode(x).converted(to: Double.self)
    return LossyCompression(
      code: code, quality: ["reconstruction_error": autoencoder.reconstructionError, "epochs": Double(config.epochs)])
  }
}
