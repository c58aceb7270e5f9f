import Testing
import IBPlane
@testable import IBPlaneEstimators

/// Lossy-compressed MI on the 256-dimensional blob image tasks (true MI = latent MI), the
/// failure of plain KSG on the raw pixels, noise models, and the information-plane form.
///
/// Tolerance: 15 % of the latent MI at N = 10,000 (the issue's bar). PCA to m = 4 keeps the
/// blob manifold injective (measured 0.97–1.0 × truth up to 3 nats; `ibplane-bench lossy-images`).
@Suite struct LossyCompressedMITests {
  @Test(arguments: [0.5, 1.0, 2.0, 3.0])
  func lossyRecoversLatentMIOnImages(mi: Double) throws {
    let task = try BlobImageTask(mutualInformation: mi)
    let s = try task.sampleImages(count: 10_000, seed: 7)
    let e = try LossyCompressedMI().estimate(s.x, s.y)
    #expect(abs(e.nats / mi - 1) < 0.15, "\(task.name): \(e.nats) nats vs \(mi)")
    #expect(e.parameters["compressor"] == "pca" && e.parameters["latent"] == "4" && e.parameters["k"] == "3")
    #expect(e.parameters["noise"] == "none")
    #expect((e.diagnostics["explained_variance_x"] ?? 0) > 0.5)
  }

  /// Plain KSG on the raw 256 + 256 pixels, next to the lossy estimate. The issue expected raw
  /// KSG to fail here; measured, it does not: the images lie on a smooth 2-dimensional manifold
  /// and KSG's max-norm neighbourhoods adapt to the intrinsic dimension (N = 10⁴: 0.993 of 1 and
  /// 2.923 of 3 nats raw, 0.972 and 2.906 after PCA to 4; `ibplane-bench lossy-images`). This
  /// test pins that finding at N = 3,000 (box bitsets in 512 max-norm dimensions): both within 15 %.
  @Test func plainKSGOnRawPixelsOfANoiseFreeManifold() throws {
    let task = try BlobImageTask(mutualInformation: 3)
    let s = try task.sampleImages(count: 3000, seed: 7)
    let raw = try KSGEstimator().estimate(s.x, s.y)
    let lossy = try LossyCompressedMI().estimate(s.x, s.y).nats
    #expect(raw.parameters["algorithm"] == "box-bitsets")
    #expect(abs(raw.nats / 3 - 1) < 0.15, "raw KSG \(raw.nats)")
    #expect(abs(lossy / 3 - 1) < 0.15, "lossy \(lossy)")
  }

  @Test func compressorNamesParse() throws {
    #expect(try LossyCompressedMI.Compressor.named("pca") == .pca)
    #expect(throws: EstimatorError.self) { try LossyCompressedMI.Compressor.named("zip") }
    #expect(throws: EstimatorError.self) { try LossyCompressedMI(latent: 0).estimate(Matrix<Double>(rows: 10, columns: 3), Matrix<Double>(rows: 10, columns: 3)) }
  }

  /// A library user who links only IBPlane gets a clear error for `autoencoder`, naming the
  /// parameter, what is accepted and where the compressor lives. Checked on a fresh registry:
  /// the process-wide one may hold IBTrain's registration when all test targets share a process.
  @Test func autoencoderWithoutRegistrationIsAClearError() throws {
    let empty = LossyCompressorRegistry()
    #expect(empty.names == ["pca"])
    do {
      _ = try LossyCompressedMI.Compressor.named("autoencoder", registry: empty)
      Issue.record("autoencoder resolved without a registration")
    } catch let EstimatorError.invalidParameter(name, value, expected) {
      #expect(name == "compress" && value == "autoencoder")
      #expect(expected.hasPrefix("pca ") && expected.contains("IBTrain") && expected.contains("AutoencoderCompressor.register()"))
    }
    do {
      _ = try LossyCompressedMI.Compressor.named("zip", registry: empty)
      Issue.record("zip resolved")
    } catch let EstimatorError.invalidParameter(name, _, expected) {
      #expect(name == "compress" && expected == "pca")
    }
    #expect(try LossyCompressedMI.Compressor.named("pca", registry: empty) == .pca)
  }

  /// An outside compressor plugs in by name: registered factory, recorded name, parameters,
  /// per-side quality and seed; the built-in pca cannot be replaced; unregister removes it.
  @Test func registeredCompressorPlugsIn() throws {
    struct FirstColumns: LossyCompressor {
      var name: String { "first-columns" }
      var parameters: [String: String] { ["variant": "test"] }
      func compress<S: BLASScalar>(_ data: Matrix<S>, latent: Int, seed: UInt64) throws -> LossyCompression {
        var code = Matrix<Double>(rows: data.rows, columns: latent)
        for i in 0..<data.rows { for j in 0..<latent { code[i, j] = Double(data[i, j]) } }
        return LossyCompression(code: code, quality: ["seed_low_bits": Double(seed & 0xFF)])
      }
    }
    let registry = LossyCompressorRegistry()
    registry.register(name: "first-columns") { FirstColumns() }
    registry.register(name: "pca") { FirstColumns() }
    #expect(registry.names == ["pca", "first-columns"])
    #expect(try LossyCompressedMI.Compressor.named("pca", registry: registry).implementation is PCACompressor)
    let c = try LossyCompressedMI.Compressor.named("first-columns", registry: registry)
    #expect(c.name == "first-columns" && c != .pca)
    let x = RandomSource(seed: 2).normalMatrix(rows: 300, columns: 6)
    let lossy = LossyCompressedMI(compressor: c, latent: 2, seed: 5)
    let e = try lossy.estimate(x, x)
    #expect(e.parameters["compressor"] == "first-columns" && e.parameters["variant"] == "test")
    #expect(e.parameters["seed"] == "5" && e.parameters["latent"] == "2")
    #expect(e.diagnostics["seed_low_bits_x"] == Double(lossy.compressionSeed(side: 0) & 0xFF))
    #expect(e.diagnostics["seed_low_bits_y"] == Double(lossy.compressionSeed(side: 1) & 0xFF))
    // A compressor no name rebuilds (registered in a private registry) is written with its parameters.
    #expect(lossy.parameterDescription == "compress=first-columns(variant=test),latent=2,noise=none,backend=ksg,k=3,metric=auto,labels=ross,seed=5")
    registry.unregister(name: "first-columns")
    #expect(throws: EstimatorError.self) { try LossyCompressedMI.Compressor.named("first-columns", registry: registry) }
  }

  @Test func noiseModelsAreSeededNamedAndRecorded() throws {
    let x = RandomSource(seed: 1).normalMatrix(rows: 200, columns: 3)
    for noise in [LossyCompressedMI.Noise.additiveGaussian(0.1), .multiplicativeGaussian(0.1)] {
      let l = LossyCompressedMI(noise: noise, seed: 9)
      let a = try l.addingNoise(x)
      #expect(a == (try l.addingNoise(x)))
      #expect(a != x)
      let e = try l.estimate(x, x)
      #expect(e.parameters["noise"] == (noise == .additiveGaussian(0.1) ? "additive-gaussian(0.1)" : "multiplicative-gaussian(0.1)"))
      #expect(e.parameters["seed"] == "9")
    }
    // Multiplicative noise scales with the activation: a zero stays zero.
    let zeros = Matrix<Double>(rows: 10, columns: 2)
    #expect(try LossyCompressedMI(noise: .multiplicativeGaussian(1)).addingNoise(zeros) == zeros)
    #expect(throws: EstimatorError.self) { try LossyCompressedMI(noise: .additiveGaussian(-1)).addingNoise(zeros) }
  }

  /// Plane point: X images of ξ_X, the "layer" T = images of ξ_Y, labels y = [ξ_Y,1 > 0]
  /// (a function of T, so I(T;Y) = H(Y) = log 2 for balanced classes). I(X;T) = 1 nat.
  /// I(T;Y) by Ross's estimator (default): within 15 %. The entropy-difference form carries the
  /// KL bias at the class boundary (conditional densities cut by a hyperplane): within 25 %.
  @Test func informationPlanePoint() throws {
    let task = try BlobImageTask(mutualInformation: 1)
    let s = try task.sampleImages(count: 6000, seed: 3)
    let labels = (0..<s.latentY.rows).map { s.latentY[$0, 0] > 0 ? 1 : 0 }
    let p1 = Double(labels.reduce(0, +)) / Double(labels.count)
    let hy = -(p1 * _math_log(p1) + (1 - p1) * _math_log(1 - p1))
    let context = try PlaneContext(inputs: s.x, labels: .classes(labels, classCount: 2))
    let lossy = LossyCompressedMI()
    let point = try lossy.point(layer: s.y, context: context)
    #expect(abs(point.inputInformation.nats - 1) < 0.15, "I(X;T) \(point.inputInformation.nats)")
    #expect(abs(point.labelInformation.nats / hy - 1) < 0.15, "I(T;Y) \(point.labelInformation.nats) vs \(hy)")
    #expect(try lossy.point(layer: s.y, context: context) == point)
    // I(X;T) alone (the class-conditional I(X;T|Y) asks for it on each class) is the point's,
    // bit for bit, value, bounds, parameters and diagnostics; with noise too.
    #expect(try lossy.inputInformation(layer: s.y, context: context) == point.inputInformation)
    let noisy = LossyCompressedMI(noise: .additiveGaussian(0.1), seed: 5)
    #expect(try noisy.inputInformation(layer: s.y, context: context) == noisy.point(layer: s.y, context: context).inputInformation)
    #expect(throws: EstimatorError.self) {
      try lossy.inputInformation(layer: s.y, context: PlaneContext(inputs: nil, labels: .classes(labels, classCount: 2)))
    }
    #expect(lossy.parameterDescription == "compress=pca,latent=4,noise=none,backend=ksg,k=3,metric=auto,labels=ross,seed=0")
    let difference = try LossyCompressedMI(labelForm: .entropyDifference).point(layer: s.y, context: context)
    #expect(difference.inputInformation == point.inputInformation)
    #expect(abs(difference.labelInformation.nats / hy - 1) < 0.25, "H(T) − Σ p H(T|y): \(difference.labelInformation.nats) vs \(hy)")
    let noInputs = try PlaneContext(inputs: nil, labels: .classes(labels, classCount: 2))
    #expect(throws: EstimatorError.self) { try lossy.point(layer: s.y, context: noInputs) }
  }
}
