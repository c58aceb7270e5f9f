import IBPlane
import Testing

@testable import IBTrain

@Suite("Autoencoder")
struct AutoencoderTests {
  /// Data on a 2-D linear subspace of R⁸ plus small noise: per-coordinate MSE of the best
  /// rank-k linear reconstruction is (sum of the discarded covariance eigenvalues) / 8, which
  /// PCA (LAPACK `syevd`) gives independently. A linear autoencoder cannot beat PCA (Baldi &
  /// Hornik 1989) and, trained well, approaches it.
  @Test func linearAutoencoderApproachesPCA() throws {
    let random = RandomSource(seed: 4)
    let n = 400
    let basis = randomMatrix(2, 8, random)
    let codes = randomMatrix(n, 2, random, scale: 2)
    var x = try codes.multiplied(by: basis)
    for i in x.elements.indices { x.elements[i] += 0.05 * random.normal() }
    let means = x.columnMeans()
    for i in 0..<n { for j in 0..<8 { x[i, j] -= means[j] } }
    let eigen = try x.covariance().symmetricEigen(vectors: false).values  // ascending, divisor n − 1
    let biased = Double(n - 1) / Double(n)
    let pca = (latent1: eigen.prefix(7).reduce(0, +) * biased / 8, latent2: eigen.prefix(6).reduce(0, +) * biased / 8)

    var config = AutoencoderConfiguration()
    config.encoderWidths = []
    config.activation = .linear
    config.epochs = 5000
    config.batchSize = n  // full batch: no mini-batch noise floor above the PCA optimum
    // Adam's steps stay ~η in size near the optimum, a floor above PCA's; full-batch SGD with
    // momentum converges to the optimum itself.
    config.optimizer = .sgd(momentum: 0.9)
    config.learningRate = 0.01
    let xf = x.converted(to: Float.self)
    for (latent, floor) in [(1, pca.latent1), (2, pca.latent2)] {
      config.latentDimension = latent
      let ae = try Autoencoder.train(inputs: xf, configuration: config)
      #expect(ae.reconstructionError >= floor * (1 - 1e-3), "latent \(latent): \(ae.reconstructionError) below PCA \(floor)")
      #expect(ae.reconstructionError <= floor * 1.2, "latent \(latent): \(ae.reconstructionError) vs PCA \(floor)")
      #expect(try ae.encode(xf).columns == latent && (try ae.reconstruct(xf).columns) == 8)
    }
  }

  @Test func nonlinearAutoencoderIsSeeded() throws {
    let x = randomMatrix(64, 6, RandomSource(seed: 1)).converted(to: Float.self)
    var config = AutoencoderConfiguration()
    config.encoderWidths = [8]
    config.latentDimension = 3
    config.epochs = 5
    let a = try Autoencoder.train(inputs: x, configuration: config)
    let b = try Autoencoder.train(inputs: x, configuration: config)
    #expect(a.network == b.network && a.latentLayer == 1)
    #expect(a.network.layers.map(\.fanOut) == [8, 3, 8, 6])
  }
}
