import ArgumentParser
import Foundation
import IBPlane
import IBTrain

/// `ibplane estimate`: one MI estimate between two `.npy` arrays, through `EstimatorCatalog`.
struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate I(X;Y) between two .npy arrays.",
    discussion: """
      X.npy and Y.npy hold N × dx and N × dy arrays (a 1-D array is one column); row i of each is one paired draw. The value is printed in bits unless --unit nats is given.

      --json prints one object: "estimator", "mi", "unit", "n", "mi_nats", "x_dim", "y_dim", "parameters" (as used) and "diagnostics".

      Every numeric option has a documented range (below, and in README.md); a value outside it, NaN or infinity is refused with exit 2 naming the option. An estimate that comes out NaN or infinite is an error (exit 2) naming the estimator, the quantity and the likely cause, never a printed value.

      Estimators: \(EstimatorCatalog.names.joined(separator: ", ")).
        gaussian: MI of the Gaussian fitted to the sample covariance (exact for Gaussian data, blind to nonlinear dependence); --bias-correction removes its finite-N bias.
        binning: X binned (--convention, --bins, --binsize), Y's rows taken as discrete symbols.
        adaptive-binning: X binned at equal-mass edges (--bins, --mode); Y discrete.
        kde: KDE bound on I(X;Y) for X + N(0, σ²I) (--sigma2, --bound); Y discrete classes.
        adaptive-kde: as kde with σ² = c·max|X| (--sigma2 is c).
        cs: Cauchy–Schwarz quadratic MI, Gaussian kernels (--sigma-x, --sigma-y, --width-rule).
        renyi: matrix-based Rényi α-entropy MI (--alpha, --approx, --sigma-x, --sigma-y, --width-rule).
        ksg, ksg2: Kraskov–Stögbauer–Grassberger estimators 1 and 2 (--k, --metric); standardised inputs.
        kl-entropy: Kozachenko–Leonenko entropy H(X) of the first array (the second is ignored).
        wkl: weighted Kozachenko–Leonenko I = H(X) + H(Y) − H(X,Y) (Berrett et al. 2019).
        lossy: compress X and Y to --latent dims (--compress pca, or autoencoder: a seeded tanh autoencoder with encoder [64], \(AutoencoderCompressor.defaultEpochs) epochs of Adam on standardised columns), then KSG (Butakov et al. 2024).

      Example:
        ibplane estimate --estimator gaussian /tmp/g5/x.npy /tmp/g5/y.npy --json
      """
  )

  @Option(help: "The estimator: \(EstimatorCatalog.names.joined(separator: ", ")).")
  var estimator: String

  @Flag(help: "gaussian: subtract the exact finite-sample bias (Misra et al. 2005). Default off.")
  var biasCorrection = false

  @Option(help: "binning, adaptive-binning: number of bins, 2…1048576 (default 30).")
  var bins: Int?

  @Option(help: "binning --convention floor: bin width in activation units, 1e-30…1e30 (default 0.07).")
  var binsize: Double?

  @Option(help: "binning: idnns (30 edges on [-1, 1] as the original code), floor or range (default idnns).")
  var convention: String?

  @Option(help: "adaptive-binning: per-layer (default) or per-unit.")
  var mode: String?

  @Option(help: "binning families: plug-in (default) or miller-madow entropy.")
  var correction: String?

  @Option(help: "kde: noise variance σ², 1e-100…1e100 (default 0.1); adaptive-kde: the scale c in σ² = c·max|X|, 1e-100…1e100 (default 0.1).")
  var sigma2: Double?

  @Option(help: "kde, adaptive-kde: upper (pairwise KL, default) or lower (Bhattacharyya) bound.")
  var bound: String?

  @Option(name: .customLong("sigma-x"), help: "cs, renyi: Gaussian kernel width of X in its units, 1e-100…1e100 (default: --width-rule).")
  var sigmaX: Double?

  @Option(name: .customLong("sigma-y"), help: "cs, renyi: Gaussian kernel width of Y in its units, 1e-100…1e100 (default: --width-rule).")
  var sigmaY: Double?

  @Option(help: "cs, renyi: kernel-width rule: median (default; seeded subsample of 1,000 rows), median:M (M rows, 2…5000), silverman, scott.")
  var widthRule: String?

  @Option(help: "renyi: order α, 0.001…1000 (default 1.01; 1 = von Neumann; 2 = tiled, any N).")
  var alpha: Double?

  @Option(help: "renyi: auto (default: exact up to N = 5,000, exact-float32 up to 16,384, else nystrom:1000), exact, exact-float32, nystrom:m (m landmarks, 2…5000) or subsample:m[:r] (r subsamples of m rows, m 2…5000, r 1…100, default 5).")
  var approx: String?

  @Flag(help: "cs: report the normalised form I/√(I(X;X)·I(Y;Y)).")
  var normalised = false

  @Option(help: "kNN estimators, lossy: neighbours k, 1…1000 (default 3; wkl 5).")
  var k: Int?

  @Option(help: "kNN estimators: max (default for ksg, ksg2, lossy) or euclidean (default for kl-entropy, wkl).")
  var metric: String?

  @Option(help: "lossy: compressor, pca (default) or autoencoder (trained per variable, seeded by --seed; records reconstruction_error_x/_y).")
  var compress: String?

  @Option(help: "lossy: latent size m of each compressed variable, 1…1000 (default 4); PCA refuses min(N, width) above 8192.")
  var latent: Int?

  @Option(help: "lossy: standard deviation of additive Gaussian noise on Y before estimation, 0…1e100 (default none).")
  var noise: Double?

  @Option(help: "lossy: ksg (default) or wkl backend.")
  var backend: String?

  @Option(help: "ksg, ksg2, kl-entropy, wkl: per-variable preprocessing none (data used as is; largest |value| must be 0 or within 1e-150…1e150), standardize (default; wkl: whiten), whiten, or rank-gauss (each coordinate through its ranks and the normal quantile; MI estimators only).")
  var preprocess: String?

  @Option(help: "lossy: seed of the noise and of the autoencoder compressor (default 0).")
  var seed: UInt64?

  @Argument(help: "The .npy file of X (N × dx).")
  var x: String

  @Argument(help: "The .npy file of Y (N × dy).")
  var y: String

  @Option(help: "The unit of the printed value: bits or nats.")
  var unit: InformationUnit = .bits

  @Flag(help: "Print one JSON object instead of a sentence.")
  var json = false

  @Option(help: "Worker threads, 1…4096: at most this many computations run at once (default: IBPLANE_THREADS or the number of cores). Results do not depend on it.")
  var threads: Int?

  func run() throws {
    try ThreadsOption.apply(threads)
    let options = EstimatorOptions(
      biasCorrection: biasCorrection, bins: bins, binSize: binsize, convention: convention, mode: mode,
      correction: correction, sigma2: sigma2, bound: bound, sigmaX: sigmaX, sigmaY: sigmaY,
      widthRule: widthRule, alpha: alpha, approx: approx, normalised: normalised, k: k, metric: metric,
      compress: compress, latent: latent, noise: noise, backend: backend, preprocess: preprocess, seed: seed)
    let mi = try EstimatorCatalog.make(estimator, options: options)
    let a = try NumPyFile.read(URL(fileURLWithPath: x)).matrix(Double.self, file: x)
    let b = try NumPyFile.read(URL(fileURLWithPath: y)).matrix(Double.self, file: y)
    guard a.rows == b.rows else {
      throw BadInput("\(x) has \(a.rows) rows but \(y) has \(b.rows): X and Y must be paired row by row")
    }
    let result = try mi.estimate(a, b)
    let value = result.value(in: unit)
    if json {
      let object: [String: Any] = [
        "estimator": mi.name, "mi": value, "unit": unit.rawValue, "n": a.rows, "mi_nats": result.nats,
        "x_dim": a.columns, "y_dim": b.columns, "x": x, "y": y,
        "parameters": result.parameters, "diagnostics": result.diagnostics,
      ]
      print(try JSONOutput.render(object))
    } else {
      print(
        String(format: "%@ = %.5f %@", mi.name == "kl-entropy" ? "H(X)" : "I(X;Y)", value, unit.rawValue)
          + "  (\(mi.name), n = \(a.rows), dx = \(a.columns), dy = \(b.columns))")
    }
  }
}
