import IBPlaneCore
import IBPlaneNumerics

// The parameter tables of the binning families and the Gaussian baselines.

extension EstimatorRegistry {
  typealias P = EstimatorParameter
  typealias R = EstimatorParameterRange

  static let correctionParameter = P(
    "correction", .choice(DiscreteEntropy.Correction.allCases.map(\.rawValue)), default: .value("plug-in"),
    doc: "entropy estimate on symbol counts: plug-in, or Miller–Madow (+ (K − 1)/2N)", what: "an entropy correction")

  static let secondParameter = P(
    "second", .choice(DiscreteSecondVariable.allCases.map(\.rawValue)), default: .value("discrete"),
    doc: "the second array: its rows taken as exact symbols (a class column), or binned like the first",
    what: "a treatment of the second variable", form: .mutualInformation)

  static let binning = EstimatorFamily(
    name: "binning",
    summary: "fixed-width binning (Shwartz-Ziv & Tishby 2017): plug-in entropies of bin symbols",
    parameters: [
      P("convention", .choice(["auto", "idnns", "floor", "range"]), default: .value("auto"),
        doc: "auto (idnns on a layer inside [-1, 1], else its edges widened to cover the layer: never clips), idnns (edges linspace(-1, 1, bins), the original code: values outside [-1, 1] are clipped into the end bin, reported as clipped_fraction), floor (⌊x / binsize⌋, Saxe et al.'s ibsgd) or range (bins spanning the layer's min…max)",
        what: "a binning convention"),
      P("bins", .integer(R.bins), default: .value("30"), doc: "number of bins", what: "an integer",
        condition: P.when("convention", is: "auto", "idnns", "range")),
      P("binsize", .real(R.binSize, none: nil), default: .value("0.07"), doc: "bin width (applied in float32 to float32 activations)",
        unit: "activation units", what: "a bin width", condition: P.when("convention", is: "floor")),
      correctionParameter, secondParameter,
    ],
    buildMutualInformation: { try binningEstimator($0) },
    buildPlane: { try binningEstimator($0) },
    describe: { e in
      guard let e = e as? BinningEstimator else { return nil }
      var d = ["correction": e.correction.rawValue, "second": e.second.rawValue]
      switch e.convention {
      case .auto(let b): (d["convention"], d["bins"]) = ("auto", "\(b)")
      case .idnns(let b): (d["convention"], d["bins"]) = ("idnns", "\(b)")
      case .range(let b): (d["convention"], d["bins"]) = ("range", "\(b)")
      case .floor(let s): (d["convention"], d["binsize"]) = ("floor", P.render(s))
      }
      return d
    })

  static func binningEstimator(_ v: EstimatorParameterValues) throws -> BinningEstimator {
    let convention = try BinningConvention(
      name: v.string("convention"), bins: v["bins"].flatMap { Int($0) }, binSize: v.optionalReal("binsize"))
    return BinningEstimator(
      convention: convention, correction: try correction(v), second: DiscreteSecondVariable(rawValue: v.string("second")) ?? .discrete)
  }

  static func correction(_ v: EstimatorParameterValues) throws -> DiscreteEntropy.Correction {
    guard let c = DiscreteEntropy.Correction(rawValue: v.string("correction")) else {
      throw EstimatorError.invalidParameter(name: "correction", value: v.string("correction"), expected: correctionParameter.expectation)
    }
    return c
  }

  static let adaptiveBinning = EstimatorFamily(
    name: "adaptive-binning",
    summary: "equal-mass binning (Chelombiev et al. 2019): edges at quantiles of the activations",
    parameters: [
      P("bins", .integer(R.bins), default: .value("\(AdaptiveBinningEstimator().bins)"), doc: "number of bins B", what: "an integer"),
      P("mode", .choice(AdaptiveBinningEstimator.Mode.allCases.map(\.rawValue)), default: .value("per-layer"),
        doc: "per-layer (edges from the pooled unique values of the layer, the original) or per-unit", what: "a mode"),
      P("lower", .real(R.lowerEdge, none: "none"), default: .value("none"),
        doc: "lower edge of the activation family (−1 tanh, 0 ReLU): values below it get a bin of their own",
        unit: "activation units", what: "a lower edge"),
      correctionParameter, secondParameter,
    ],
    buildMutualInformation: { try adaptiveBinningEstimator($0) },
    buildPlane: { try adaptiveBinningEstimator($0) },
    describe: { e in
      guard let e = e as? AdaptiveBinningEstimator else { return nil }
      return [
        "bins": "\(e.bins)", "mode": e.mode.rawValue, "lower": e.lowerEdge.map(P.render) ?? "none",
        "correction": e.correction.rawValue, "second": e.second.rawValue,
      ]
    })

  static func adaptiveBinningEstimator(_ v: EstimatorParameterValues) throws -> AdaptiveBinningEstimator {
    let e = AdaptiveBinningEstimator(
      bins: v.integer("bins"), mode: AdaptiveBinningEstimator.Mode(rawValue: v.string("mode")) ?? .perLayer,
      lowerEdge: v.optionalReal("lower"), correction: try correction(v),
      second: DiscreteSecondVariable(rawValue: v.string("second")) ?? .discrete)
    try e.validate()
    return e
  }

  /// `gaussian` is two estimators under one name: the Gaussian plug-in I(A;B) of `ibplane
  /// estimate` (`GaussianEstimator`) and the Gaussian-channel plane of `ibplane analyze`
  /// (`GaussianPlaneEstimator`); each reads its own parameter.
  static let gaussian = EstimatorFamily(
    name: "gaussian",
    summary: "Gaussian fit (linear baseline): estimate, the MI of the Gaussian with the sample covariance; analyze, the Gaussian channel ½ log det(Σ_T+σ²I) − ½ log det(Σ_T|Z+σ²I)",
    parameters: [
      P("bias-correction", .flag, default: .value("false"),
        doc: "subtract the exact finite-sample bias of the log-determinants (Misra et al. 2005)", what: "a flag",
        form: .mutualInformation),
      P("sigma2", .real(R.noiseVariance, none: nil), default: .value("0.1"),
        doc: "variance σ² of the additive noise on each unit of T", unit: "activation units²", what: "a noise variance",
        aliases: ["noise_variance", "noise-variance"], form: .plane),
    ],
    buildMutualInformation: { GaussianEstimator(biasCorrection: $0.flag("bias-correction")) },
    buildPlane: { try GaussianPlaneEstimator(noiseVariance: $0.real("sigma2")) },
    describe: { e in
      if let e = e as? GaussianEstimator { return ["bias-correction": "\(e.biasCorrection)"] }
      if let e = e as? GaussianPlaneEstimator { return ["sigma2": P.render(e.noiseVariance)] }
      return nil
    })
}
