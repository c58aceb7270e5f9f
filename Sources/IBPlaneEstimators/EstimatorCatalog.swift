import IBPlaneCore
import IBPlaneNumerics
/// Every option any estimator takes, typed; each estimator reads the fields it documents and
/// ignores the rest. `nil` means "the estimator's documented default". New estimator families
/// add their fields here, to `init(parameters:)` and to `EstimatorCatalog`. The numeric ranges
/// are in `EstimatorParameterRange`; `EstimatorCatalog.make` refuses a value outside them
/// before any data is read.
public struct EstimatorOptions: Sendable, Equatable {
  /// `gaussian`: subtract the exact finite-sample bias of the Gaussian plug-in (default off).
  public var biasCorrection: Bool
  /// `binning` (idnns, range) and `adaptive-binning`: number of bins B (default 30).
  public var bins: Int?
  /// `binning` with convention `floor`: bin width (default 0.07, ibsgd's).
  public var binSize: Double?
  /// `binning`: `idnns` (default), `floor` or `range`.
  public var convention: String?
  /// `adaptive-binning`: `per-layer` (default) or `per-unit`.
  public var mode: String?
  /// Binning families: entropy correction `plug-in` (default) or `miller-madow`.
  public var correction: String?
  /// `kde`: noise variance σ² (default 0.1); `adaptive-kde`: the scale c in σ² = c·max|T| (default 0.1).
  public var sigma2: Double?
  /// `kde`, `adaptive-kde`: `upper` (pairwise KL, default) or `lower` (Bhattacharyya).
  public var bound: String?
  /// `cs`, `renyi`: fixed Gaussian kernel width σ of the first / second variable (default: `widthRule`).
  public var sigmaX: Double?
  public var sigmaY: Double?
  /// `cs`, `renyi`: width rule for a side without a fixed σ: `median` (default, seeded subsample of
  /// 1,000 rows), `median:M`, `silverman` or `scott`.
  public var widthRule: String?
  /// `renyi`: order α (default 1.01; 1 is the von Neumann limit; 2 runs through the tiled engine).
  public var alpha: Double?
  /// `renyi`: `auto` (default: exact up to N = 5,000, single-precision exact up to 16,384, else `nystrom:1000`), `exact`, `exact-float32`, `nystrom:m`, `subsample:m[:r]`.
  public var approx: String?
  /// `cs`: report the normalised form I/√(I(A;A)·I(B;B)) (default off).
  public var normalised: Bool
  /// kNN family: neighbours k (default 3; `wkl` 5).
  public var k: Int?
  /// kNN family: `max` (default for `ksg`, `ksg2`, `lossy`) or `euclidean` (default for `kl-entropy`, `wkl`).
  public var metric: String?
  /// `lossy`: compressor, `pca` (default) or a registered name (`autoencoder` once IBTrain's
  /// `AutoencoderCompressor.register()` has run; refused with a clear error before).
  public var compress: String?
  /// `lossy`: latent size m (default 4).
  public var latent: Int?
  /// `lossy`: standard deviation σ of additive Gaussian noise on the second variable (default none).
  public var noise: Double?
  /// `lossy`: `ksg` (default) or `wkl` backend.
  public var backend: String?
  /// `ksg`, `ksg2`, `kl-entropy`, `wkl`: per-variable preprocessing `none`, `standardize` (default
  /// except `wkl`), `whiten` (default for `wkl`) or `rank-gauss` (MI estimators only).
  public var preprocess: String?
  /// `lossy`: seed of the noise and of a randomised compressor (autoencoder), default 0.
  public var seed: UInt64?

  public init(
    biasCorrection: Bool = false, bins: Int? = nil, binSize: Double? = nil, convention: String? = nil,
    mode: String? = nil, correction: String? = nil, sigma2: Double? = nil, bound: String? = nil,
    sigmaX: Double? = nil, sigmaY: Double? = nil, widthRule: String? = nil, alpha: Double? = nil,
    approx: String? = nil, normalised: Bool = false, k: Int? = nil, metric: String? = nil,
    compress: String? = nil, latent: Int? = nil, noise: Double? = nil, backend: String? = nil,
    preprocess: String? = nil, seed: UInt64? = nil
  ) {
    self.preprocess = preprocess
    self.seed = seed
    self.k = k
    self.metric = metric
    self.compress = compress
    self.latent = latent
    self.noise = noise
    self.backend = backend
    self.sigmaX = sigmaX
    self.sigmaY = sigmaY
    self.widthRule = widthRule
    self.alpha = alpha
    self.approx = approx
    self.normalised = normalised
    self.biasCorrection = biasCorrection
    self.bins = bins
    self.binSize = binSize
    self.convention = convention
    self.mode = mode
    self.correction = correction
    self.sigma2 = sigma2
    self.bound = bound
  }

  /// The keys of `init(parameters:)`, i.e. the command-line flag names without dashes.
  public static let parameterKeys: [String] = [
    "bias-correction", "bins", "binsize", "convention", "mode", "correction", "sigma2", "bound",
    "sigma-x", "sigma-y", "width-rule", "alpha", "approx", "normalised",
    "k", "metric", "compress", "latent", "noise", "backend", "preprocess", "seed",
  ]

  /// Options from `key=value` parameters (as in `ibplane analyze --estimator kde:sigma2=0.05`);
  /// keys are the `ibplane estimate` flag names without dashes.
  public init(parameters p: [String: String]) throws {
    for key in p.keys where !Self.parameterKeys.contains(key) {
      throw EstimatorError.invalidParameter(
        name: "parameter", value: key, expected: "one of \(Self.parameterKeys.joined(separator: ", "))")
    }
    func number(_ key: String) throws -> Double? {
      guard let s = p[key] else { return nil }
      guard let v = Double(s), v.isFinite else {
        throw EstimatorError.invalidParameter(name: key, value: s, expected: "a finite number")
      }
      return v
    }
    func integer(_ key: String) throws -> Int? {
      guard let s = p[key] else { return nil }
      guard let v = Int(s) else { throw EstimatorError.invalidParameter(name: key, value: s, expected: "an integer") }
      return v
    }
    func unsigned(_ key: String) throws -> UInt64? {
      guard let s = p[key] else { return nil }
      guard let v = UInt64(s) else { throw EstimatorError.invalidParameter(name: key, value: s, expected: "a non-negative integer") }
      return v
    }
    func flag(_ key: String) throws -> Bool {
      guard let s = p[key] else { return false }
      guard let b = Bool(s) else { throw EstimatorError.invalidParameter(name: key, value: s, expected: "true or false") }
      return b
    }
    self.init(
      biasCorrection: try flag("bias-correction"), bins: try integer("bins"), binSize: try number("binsize"), convention: p["convention"],
      mode: p["mode"], correction: p["correction"], sigma2: try number("sigma2"), bound: p["bound"],
      sigmaX: try number("sigma-x"), sigmaY: try number("sigma-y"), widthRule: p["width-rule"],
      alpha: try number("alpha"), approx: p["approx"], normalised: try flag("normalised"),
      k: try integer("k"), metric: p["metric"], compress: p["compress"], latent: try integer("latent"),
      noise: try number("noise"), backend: p["backend"], preprocess: p["preprocess"], seed: try unsigned("seed"))
  }

  func neighbours(default value: Int) throws -> Int {
    let k = self.k ?? value
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    return k
  }

  func preprocessing(default value: KNNPreprocessing) throws -> KNNPreprocessing {
    try preprocess.map(KNNPreprocessing.named) ?? value
  }

  func distanceMetric() throws -> NearestNeighbors.Metric? {
    guard let s = metric else { return nil }
    guard let m = NearestNeighbors.Metric(rawValue: s) else {
      throw EstimatorError.invalidParameter(name: "metric", value: s, expected: "max or euclidean")
    }
    return m
  }

  /// The kernel-width rules of the first and second variable.
  func kernelWidths() throws -> (KernelWidthRule, KernelWidthRule) {
    var rule = KernelWidthRule.default
    if let s = widthRule {
      guard let r = KernelWidthRule(parsing: s) else {
        let (m, w) = (EstimatorParameterRange.medianSubsample, EstimatorParameterRange.kernelWidth)
        throw EstimatorError.invalidParameter(
          name: "width-rule", value: s,
          expected: "median, median:M with M in \(m.lowerBound)…\(m.upperBound), silverman, scott or a width in \(w.lowerBound)…\(w.upperBound)")
      }
      rule = r
    }
    func fixed(_ v: Double?, _ name: String) throws -> KernelWidthRule? {
      guard let v else { return nil }
      try EstimatorParameterRange.check(v, in: EstimatorParameterRange.kernelWidth, name: name, what: "a kernel width")
      return .fixed(v)
    }
    return (try fixed(sigmaX, "sigma-x") ?? rule, try fixed(sigmaY, "sigma-y") ?? rule)
  }

  func entropyCorrection() throws -> DiscreteEntropy.Correction {
    guard let s = correction else { return .plugIn }
    guard let c = DiscreteEntropy.Correction(rawValue: s) else {
      throw EstimatorError.invalidParameter(name: "correction", value: s, expected: "plug-in or miller-madow")
    }
    return c
  }

  func kdeBound() throws -> KDEBound {
    guard let s = bound else { return .upper }
    guard let b = KDEBound(rawValue: s) else {
      throw EstimatorError.invalidParameter(name: "bound", value: s, expected: "upper or lower")
    }
    return b
  }

  func adaptiveMode() throws -> AdaptiveBinningEstimator.Mode {
    guard let s = mode else { return .perLayer }
    guard let m = AdaptiveBinningEstimator.Mode(rawValue: s) else {
      throw EstimatorError.invalidParameter(name: "mode", value: s, expected: "per-layer or per-unit")
    }
    return m
  }
}

/// Name → estimator: the one place the command line and the analysis turn a name into an
/// estimator. Add a family by adding a case to `make` (and `makePlane` when it has a plane
/// form) and its name to `names`.
public enum EstimatorCatalog {
  /// The names accepted by `make`, as used on the command line.
  public static let names: [String] = [
    "gaussian", "binning", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi",
    "ksg", "ksg2", "kl-entropy", "wkl", "lossy",
  ]

  /// The estimator called `name`, configured from `options`.
  /// Throws `EstimatorError.invalidParameter` for an unknown name or a bad option.
  public static func make(_ name: String, options: EstimatorOptions = EstimatorOptions()) throws -> any MutualInformationEstimator {
    switch name {
    case "gaussian":
      return GaussianEstimator(biasCorrection: options.biasCorrection)
    case "binning", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi", "lossy":
      return try makeFamily(name, options)
    case "ksg", "ksg2":
      return KSGEstimator(
        variant: name == "ksg" ? .one : .two, k: try options.neighbours(default: 3),
        metric: try options.distanceMetric() ?? .maximum, preprocessing: try options.preprocessing(default: .standardize))
    case "kl-entropy":
      return KozachenkoLeonenkoEntropy(
        k: try options.neighbours(default: 3), metric: try options.distanceMetric() ?? .euclidean,
        preprocessing: try options.preprocessing(default: .standardize))
    case "wkl":
      return WeightedKozachenkoLeonenko(
        k: try options.neighbours(default: 5), metric: try options.distanceMetric() ?? .euclidean,
        preprocessing: try options.preprocessing(default: .whiten))
    default:
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(names.joined(separator: ", "))")
    }
  }

  /// The information-plane form of the binning and KDE families.
  static func makeFamily(_ name: String, _ o: EstimatorOptions) throws -> any MutualInformationEstimator & InformationPlaneEstimator {
    switch name {
    case "binning":
      let convention = try BinningConvention(name: o.convention ?? "idnns", bins: o.bins, binSize: o.binSize)
      return BinningEstimator(convention: convention, correction: try o.entropyCorrection())
    case "adaptive-binning":
      let e = AdaptiveBinningEstimator(bins: o.bins ?? 30, mode: try o.adaptiveMode(), correction: try o.entropyCorrection())
      try e.validate()
      return e
    case "kde":
      let e = KDEEstimator(noiseVariance: o.sigma2 ?? 0.1, bound: try o.kdeBound())
      try e.validate()
      return e
    case "adaptive-kde":
      let e = AdaptiveKDEEstimator(noiseVarianceScale: o.sigma2 ?? 0.1, bound: try o.kdeBound())
      try e.validate()
      return e
    case "cs":
      let (a, b) = try o.kernelWidths()
      return CauchySchwarzMutualInformation(widthA: a, widthB: b, normalised: o.normalised)
    case "renyi":
      let (a, b) = try o.kernelWidths()
      let alpha = o.alpha ?? 1.01
      var approximation = MatrixRenyiMutualInformation.Approximation.automatic
      if let s = o.approx {
        guard let a = MatrixRenyiMutualInformation.Approximation(parsing: s) else {
          throw EstimatorError.invalidParameter(name: "approx", value: s, expected: "auto, exact, exact-float32, nystrom:m or subsample:m[:r]")
        }
        approximation = a
      }
      let e = MatrixRenyiMutualInformation(alpha: alpha, widthA: a, widthB: b, approximation: approximation)
      try e.validateParameters()
      return e
    case "lossy":
      let latent = o.latent ?? 4
      try EstimatorParameterRange.check(latent, in: EstimatorParameterRange.latent, name: "latent", what: "a latent size")
      var noise: LossyCompressedMI.Noise?
      if let s = o.noise {
        try EstimatorParameterRange.check(s, in: EstimatorParameterRange.noise, name: "noise", what: "a standard deviation σ")
        noise = .additiveGaussian(s)
      }
      var backend = LossyCompressedMI.Backend.ksg
      if let s = o.backend {
        guard let b = LossyCompressedMI.Backend(rawValue: s) else {
          throw EstimatorError.invalidParameter(name: "backend", value: s, expected: "ksg or wkl")
        }
        backend = b
      }
      // k stays nil unless given, so the backend's own default applies (KSG 3, weighted KL 5).
      let k: Int? = o.k == nil ? nil : try o.neighbours(default: 3)
      return LossyCompressedMI(
        compressor: try .named(o.compress ?? "pca"), latent: latent, noise: noise, backend: backend,
        k: k, metric: try o.distanceMetric(), seed: o.seed ?? 0)
    default:
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(names.joined(separator: ", "))")
    }
  }
}
