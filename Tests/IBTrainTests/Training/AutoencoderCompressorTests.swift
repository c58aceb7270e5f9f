import IBPlane
import Testing

@testable import IBTrain

/// The autoencoder compressor of lossy-compressed MI on the 256-pixel blob image tasks (true
/// MI = latent MI, images injective in the 2-dim latents), its seeding, what it records, and
/// its registration with IBPlane.
///
/// Measured (release, default configuration, seed 0, `ibplane synth --task blob-16x16-miI --n
/// 10000 --seed 7`, then `ibplane estimate --estimator lossy --compress autoencoder --unit
/// nats`): 0.499 / 0.987 / 1.953 / 2.907 nats for I = 0.5 / 1 / 2 / 3 (PCA: 0.500 / 0.972 /
/// 1.946 / 2.906), 2.6 s for both variables at N = 10,000.
@Suite("AutoencoderCompressor")
struct AutoencoderCompressorTests {
  init() { AutoencoderCompressor.register() }

  /// Tolerance: 15 % of the latent MI (the PCA test's bar) at N = 5,000.
  @Test func recoversLatentMIOnBlobImages() throws {
    let task = try BlobImageTask(mutualInformation: 1)
    let s = try task.sampleImages(count: 5000, seed: 7)
    let lossy = LossyCompressedMI(compressor: try .named("autoencoder"), latent: 4, seed: 0)
    let e = try lossy.estimate(s.x, s.y)
    #expect(abs(e.nats - 1) < 0.15, "autoencoder-compressed MI \(e.nats) nats vs 1")
    #expect(e.parameters["compressor"] == "autoencoder" && e.parameters["latent"] == "4")
    #expect(e.parameters["epochs"] == "\(AutoencoderCompressor.defaultEpochs)" && e.parameters["encoder"] == "64")
    #expect(e.parameters["activation"] == "tanh" && e.parameters["seed"] == "0" && e.parameters["noise"] == "none")
    for side in ["x", "y"] {
      let r = e.diagnostics["reconstruction_error_\(side)"] ?? .nan
      // Standardised pixels: 1 is "predict the mean"; the 2-dim manifold reconstructs well.
      #expect(r > 0 && r < 0.05, "reconstruction error of \(side): \(r)")
      #expect(e.diagnostics["epochs_\(side)"] == Double(AutoencoderCompressor.defaultEpochs))
    }
  }

  /// Same seed → the same codes and numbers; another seed → another training run.
  @Test func seededAndDeterministic() throws {
    let task = try BlobImageTask(mutualInformation: 1)
    let s = try task.sampleImages(count: 1000, seed: 3)
    let compressor = AutoencoderCompressor()
    let a = try compressor.compress(s.x, latent: 3, seed: 11)
    #expect(a.code.rows == 1000 && a.code.columns == 3)
    #expect(try compressor.compress(s.x, latent: 3, seed: 11) == a)
    #expect(try compressor.compress(s.x, latent: 3, seed: 12) != a)

    let one = try LossyCompressedMI(compressor: .named("autoencoder"), seed: 5).estimate(s.x, s.y)
    let again = try LossyCompressedMI(compressor: .named("autoencoder"), seed: 5).estimate(s.x, s.y)
    let other = try LossyCompressedMI(compressor: .named("autoencoder"), seed: 6).estimate(s.x, s.y)
    #expect(one == again)
    #expect(one.parameters["seed"] == "5")
    #expect(other.diagnostics["reconstruction_error_x"] != one.diagnostics["reconstruction_error_x"])
  }

  /// The command line's and the analysis's ways in: `--compress autoencoder` through
  /// `EstimatorRegistry`'s I(A;B) form, `lossy:compress=autoencoder` through its plane form.
  @Test func registeredNameReachesCatalogAndPlaneSpecs() throws {
    #expect(LossyCompressedMI.compressorNames.contains("autoencoder"))
    let c = try LossyCompressedMI.Compressor.named("autoencoder")
    #expect(c.name == "autoencoder" && c.implementation is AutoencoderCompressor && c != .pca)
    let made = try EstimatorRegistry.makeMutualInformation("lossy", [("compress", "autoencoder"), ("latent", "3"), ("seed", "8")])
    let lossy = try #require(made as? LossyCompressedMI)
    #expect(lossy.compressor.name == "autoencoder" && lossy.latent == 3 && lossy.seed == 8)
    let plane = try #require(try EstimatorRegistry.makePlane("lossy:compress=autoencoder,latent=2") as? LossyCompressedMI)
    #expect(plane.compressor.name == "autoencoder" && plane.latent == 2 && plane.seed == 0)
    #expect(try (EstimatorRegistry.makePlane("lossy:compress=autoencoder,seed=3") as? LossyCompressedMI)?.seed == 3)
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("lossy:compress=autoencoder,seed=-1") }
    // The registered autoencoder is rebuilt by its name alone, so the canonical string says just that.
    #expect(plane.parameterDescription == "compress=autoencoder,latent=2,noise=none,backend=ksg,k=3,metric=auto,labels=ross,seed=0")
    #expect(EstimatorRegistry.label(of: plane) == "lossy:compress=autoencoder,latent=2")
  }

  /// Plane point: I(X;T) of images whose latents share 1 nat, T = images of ξ_Y, labels
  /// [ξ_Y,1 > 0]; the compressed inputs are cached per recording and the codes of X and T
  /// record their reconstruction errors.
  @Test func informationPlanePoint() throws {
    let task = try BlobImageTask(mutualInformation: 1)
    let s = try task.sampleImages(count: 3000, seed: 3)
    let labels = (0..<s.latentY.rows).map { s.latentY[$0, 0] > 0 ? 1 : 0 }
    let context = try PlaneContext(inputs: s.x, labels: .classes(labels, classCount: 2))
    let lossy = LossyCompressedMI(compressor: try .named("autoencoder"), seed: 1)
    let point = try lossy.point(layer: s.y, context: context)
    #expect(abs(point.inputInformation.nats - 1) < 0.15, "I(X;T) \(point.inputInformation.nats)")
    #expect(point.inputInformation.diagnostics["reconstruction_error_x"] != nil)
    #expect(point.inputInformation.diagnostics["reconstruction_error_t"] != nil)
    #expect(point.labelInformation.parameters["compressor"] == "autoencoder")
    #expect(point.labelInformation.nats > 0.5 && point.labelInformation.nats < 0.75, "I(T;Y) \(point.labelInformation.nats) vs ≈ log 2")
  }

  @Test func standardisesColumnsAndZeroesConstantOnes() throws {
    let m = try Matrix<Double>([[1, 5, 2], [3, 5, 4], [5, 5, 9]])
    let z = AutoencoderCompressor.standardised(m)
    for j in [0, 2] {
      let column = (0..<3).map { Double(z[$0, j]) }
      let mean = column.reduce(0, +) / 3
      let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3
      #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
    }
    #expect((0..<3).allSatisfy { z[$0, 1] == 0 })
    #expect(throws: EstimatorError.self) { try AutoencoderCompressor().compress(m, latent: 0, seed: 0) }
  }
}
