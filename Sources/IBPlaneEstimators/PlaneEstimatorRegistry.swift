import Foundation
import IBPlaneCore

/// Information-plane estimators by name, as the command line and reports name them.
///
/// A specification is `NAME` or `NAME:key=value,key=value` (e.g. `gaussian:noise_variance=0.05`);
/// the same name may appear twice with different parameters. Each entry documents its
/// parameters; unknown names or keys are an `EstimatorError.invalidParameter`.
public enum PlaneEstimatorRegistry {
  /// One registered estimator family.
  public struct Entry: Sendable {
    public var name: String
    public var summary: String
    /// Accepted parameter keys with their meaning, unit and default.
    public var parameters: [String: String]
    public var make: @Sendable ([String: String]) throws -> InformationPlaneEstimator
  }

  /// Every registered family, in the order `ibplane analyze` runs them by default.
  public static let entries: [Entry] = [
    Entry(
      name: "gaussian",
      summary: "Gaussian-channel fit (linear baseline): ½ log det(Σ_T+σ²I) − ½ log det(Σ_T|Z+σ²I)",
      parameters: ["noise_variance": "variance σ² of the additive noise on each unit, 1e-100…1e100 (default 0.1)"],
      make: { p in try GaussianPlaneEstimator(noiseVariance: try double(p, "noise_variance", default: 0.1)) }
    ),
    Entry(
      name: "binning",
      summary: "fixed-width binning (Shwartz-Ziv & Tishby 2017): plug-in entropies of bin symbols",
      parameters: [
        "convention": "idnns (30 edges on [-1, 1], the original), floor (floor(x / binsize)) or range (layer min..max); default idnns",
        "bins": "number of bins for idnns and range, 2…1048576 (default 30)",
        "binsize": "bin width for floor, 1e-30…1e30 (default 0.07)",
        "correction": "plug-in (default) or miller-madow",
      ],
      make: { p in try EstimatorCatalog.makeFamily("binning", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "adaptive-binning",
      summary: "equal-mass binning (Chelombiev et al. 2019): edges at quantiles of the activations",
      parameters: [
        "bins": "number of bins, 2…1048576 (default 30)",
        "mode": "per-layer (pooled unique values, the original; default) or per-unit",
        "correction": "plug-in (default) or miller-madow",
      ],
      make: { p in try EstimatorCatalog.makeFamily("adaptive-binning", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "kde",
      summary: "KDE pairwise-distance bounds (Kolchinsky & Tracey 2017; Saxe et al. 2018) on T + N(0, σ²I)",
      parameters: [
        "sigma2": "noise variance σ², 1e-100…1e100 (default 0.1)",
        "bound": "upper (pairwise KL, default) or lower (Bhattacharyya)",
      ],
      make: { p in try EstimatorCatalog.makeFamily("kde", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "adaptive-kde",
      summary: "KDE bounds with σ² = c·max|T| per snapshot (Chelombiev et al. 2019)",
      parameters: [
        "sigma2": "the scale c in σ² = c·max|T|, 1e-100…1e100 (default 0.1)",
        "bound": "upper (pairwise KL, default) or lower (Bhattacharyya)",
      ],
      make: { p in try EstimatorCatalog.makeFamily("adaptive-kde", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "cs",
      summary: "Cauchy–Schwarz quadratic MI (Yu et al. 2024) with Gaussian kernels; label kernel for classes",
      parameters: [
        "sigma-x": "kernel width of the inputs and of T for I(X;T), 1e-100…1e100 (default: width-rule)",
        "sigma-y": "kernel width of T for I(T;Y) / of regression targets, 1e-100…1e100 (default: width-rule)",
        "width-rule": "median (default), median:M (M rows, 2…5000), silverman or scott",
        "normalised": "true for I/√(I(A;A)·I(B;B)) (default false)",
      ],
      make: { p in try EstimatorCatalog.makeFamily("cs", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "renyi",
      summary: "matrix-based Rényi α-entropy MI (Sánchez Giraldo et al. 2015; Yu et al. 2019)",
      parameters: [
        "alpha": "order α, 0.001…1000 (default 1.01; 2 runs through the tiled engine at any N)",
        "sigma-x": "kernel width of the first variable, 1e-100…1e100 (default: width-rule)",
        "sigma-y": "kernel width of the second variable, 1e-100…1e100 (default: width-rule)",
        "width-rule": "median (default), median:M (M rows, 2…5000), silverman or scott",
        "approx": "auto (default: exact up to N = 5,000, exact-float32 up to 16,384, else nystrom:1000), exact, exact-float32, nystrom:m (m 2…5000), subsample:m[:r] (m 2…5000, r 1…100, default 5)",
      ],
      make: { p in try EstimatorCatalog.makeFamily("renyi", try EstimatorOptions(parameters: p)) }
    ),
    Entry(
      name: "lossy",
      summary: "lossy-compressed MI (Butakov et al. 2024): PCA (or an autoencoder) to m dimensions, then KSG; I(T;Y) by Ross's kNN form",
      parameters: [
        "latent": "latent size m of the compression of X and T, 1…1000 (default 4); PCA refuses min(N, width) above 8192",
        "k": "neighbours, 1…1000 (default 3)",
        "metric": "max (default) or euclidean",
        "noise": "σ of additive Gaussian noise on T before estimation, 0…1e100 (default none)",
        "backend": "ksg (default) or wkl",
        "seed": "seed of the noise and of the autoencoder compressor (default 0)",
        "compress": "pca (default) or autoencoder (seeded; needs IBTrain's AutoencoderCompressor.register(), done by the ibplane command)",
      ],
      make: { p in try EstimatorCatalog.makeFamily("lossy", try EstimatorOptions(parameters: p)) }
    ),
  ]

  public static var names: [String] { entries.map(\.name) }

  /// What `ibplane analyze` runs when no estimator is named: every family, each in a
  /// configuration that costs O(N²) or less per job (Rényi at α = 2 through the tiled engine
  /// rather than an O(N³) eigen-decomposition per snapshot and layer).
  public static let defaultSpecifications: [String] = [
    "binning", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi:alpha=2", "lossy", "gaussian",
  ]

  /// Builds the estimator a specification names.
  public static func make(_ specification: String) throws -> InformationPlaneEstimator {
    let (name, parameters) = try parse(specification)
    guard let entry = entries.first(where: { $0.name == name }) else {
      throw EstimatorError.invalidParameter(
        name: "estimator", value: name, expected: "one of \(names.joined(separator: ", "))")
    }
    for key in parameters.keys where entry.parameters[key] == nil {
      throw EstimatorError.invalidParameter(
        name: "\(name) parameter", value: key,
        expected: entry.parameters.isEmpty ? "no parameters" : "one of \(entry.parameters.keys.sorted().joined(separator: ", "))")
    }
    return try entry.make(parameters)
  }

  /// Splits `NAME:k=v,k=v` into the name and its parameters.
  public static func parse(_ specification: String) throws -> (String, [String: String]) {
    let parts = specification.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty else {
      throw EstimatorError.invalidParameter(name: "estimator", value: "\"\(specification)\"", expected: "NAME or NAME:key=value,...")
    }
    var parameters: [String: String] = [:]
    if parts.count == 2 {
      for item in parts[1].split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1)
        guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
          throw EstimatorError.invalidParameter(
            name: "estimator \(name)", value: "\"\(item)\"", expected: "key=value")
        }
        parameters[String(kv[0])] = String(kv[1])
      }
    }
    return (name, parameters)
  }

  /// Reads a Double parameter, or its default.
  public static func double(_ p: [String: String], _ key: String, default value: Double) throws -> Double {
    guard let s = p[key] else { return value }
    guard let v = Double(s), v.isFinite else {
      throw EstimatorError.invalidParameter(name: key, value: s, expected: "a finite number")
    }
    return v
  }

  /// Reads an Int parameter, or its default.
  public static func integer(_ p: [String: String], _ key: String, default value: Int) throws -> Int {
    guard let s = p[key] else { return value }
    guard let v = Int(s) else {
      throw EstimatorError.invalidParameter(name: key, value: s, expected: "an integer")
    }
    return v
  }
}
