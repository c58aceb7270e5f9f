/// Every option any estimator takes, typed; each estimator reads the fields it documents and
/// ignores the rest. `nil` means "the estimator's documented default". New estimator families
/// add their fields here, to `init(parameters:)` and to `EstimatorCatalog`.
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

  public init(
    biasCorrection: Bool = false, bins: Int? = nil, binSize: Double? = nil, convention: String? = nil,
    mode: String? = nil, correction: String? = nil, sigma2: Double? = nil, bound: String? = nil
  ) {
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
    var bins: Int?
    if let s = p["bins"] {
      guard let b = Int(s) else { throw EstimatorError.invalidParameter(name: "bins", value: s, expected: "an integer") }
      bins = b
    }
    var bias = false
    if let s = p["bias-correction"] {
      guard let b = Bool(s) else { throw EstimatorError.invalidParameter(name: "bias-correction", value: s, expected: "true or false") }
      bias = b
    }
    self.init(
      biasCorrection: bias, bins: bins, binSize: try number("binsize"), convention: p["convention"],
      mode: p["mode"], correction: p["correction"], sigma2: try number("sigma2"), bound: p["bound"])
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
  public static let names: [String] = ["gaussian", "binning", "adaptive-binning", "kde", "adaptive-kde"]

  /// The estimator called `name`, configured from `options`.
  /// Throws `EstimatorError.invalidParameter` for an unknown name or a bad option.
  public static func make(_ name: String, options: EstimatorOptions = EstimatorOptions()) throws -> any MutualInformationEstimator {
    switch name {
    case "gaussian":
      return GaussianEstimator(biasCorrection: options.biasCorrection)
    case "binning", "adaptive-binning", "kde", "adaptive-kde":
      return try makeFamily(name, options)
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
      let bins = o.bins ?? 30
      guard bins >= 1 else { throw EstimatorError.invalidParameter(name: "bins", value: "\(bins)", expected: "at least 1") }
      return AdaptiveBinningEstimator(bins: bins, mode: try o.adaptiveMode(), correction: try o.entropyCorrection())
    case "kde":
      let s2 = o.sigma2 ?? 0.1
      guard s2 > 0 else { throw EstimatorError.invalidParameter(name: "sigma2", value: "\(s2)", expected: "a positive noise variance") }
      return KDEEstimator(noiseVariance: s2, bound: try o.kdeBound())
    case "adaptive-kde":
      let c = o.sigma2 ?? 0.1
      guard c > 0 else { throw EstimatorError.invalidParameter(name: "sigma2", value: "\(c)", expected: "a positive scale") }
      return AdaptiveKDEEstimator(noiseVarianceScale: c, bound: try o.kdeBound())
    default:
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(names.joined(separator: ", "))")
    }
  }
}
