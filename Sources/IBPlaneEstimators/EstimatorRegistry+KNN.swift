import IBPlaneCore
import IBPlaneNumerics

// The parameter tables of the k-nearest-neighbour families and of lossy-compressed MI.

extension EstimatorRegistry {
  static func neighboursParameter(_ defaultValue: Int) -> EstimatorParameter {
    P("k", .integer(R.neighbours), default: .value("\(defaultValue)"), doc: "neighbours k", what: "an integer")
  }

  static func metricParameter(_ defaultValue: NearestNeighbors.Metric) -> EstimatorParameter {
    P("metric", .choice(NearestNeighbors.Metric.allCases.map(\.rawValue)), default: .value(defaultValue.rawValue),
      doc: "norm of the neighbour distances: max (KSG's) or euclidean", what: "a metric")
  }

  static func preprocessParameter(_ defaultValue: KNNPreprocessing) -> EstimatorParameter {
    P("preprocess", .choice(KNNPreprocessing.allCases.map(\.rawValue)), default: .value(defaultValue.rawValue),
      doc: "per-variable preprocessing: none (data as is), standardize (each column to mean 0, sd 1), whiten, or rank-gauss (ranks through the normal quantile; MI estimators only)",
      what: "a preprocessing")
  }

  /// `y-classes` of cs and lossy (`ibplane estimate` only: the plane knows its labels): Y is
  /// one column of integer class labels, treated as the plane treats them (`kernel`).
  static func yClassesParameter(kernel: String) -> EstimatorParameter {
    P("y-classes", .flag, default: .value("false"),
      doc: "Y is one column of integer class labels (at most N/2 distinct values): \(kernel)", what: "a flag",
      form: .mutualInformation)
  }

  static func metric(_ v: EstimatorParameterValues) throws -> NearestNeighbors.Metric {
    guard let m = NearestNeighbors.Metric(rawValue: v.string("metric")) else {
      throw EstimatorError.invalidParameter(name: "metric", value: v.string("metric"), expected: "max or euclidean")
    }
    return m
  }

  static func ksgFamily(_ variant: KSGEstimator.Variant) -> EstimatorFamily {
    // Built only for its defaults, with one thread: the default thread count (Foundation's
    // cgroup read, ~0.2 ms) is then not resolved at every start, for every command.
    let reference = KSGEstimator(variant: variant, threads: 1)
    return EstimatorFamily(
      name: reference.name,
      summary: "Kraskov–Stögbauer–Grassberger estimator \(variant.rawValue) (2004), max-norm boxes"
        + (variant == .one ? "; exact ties by the rule of Gao et al. (2017)" : "; refuses exact ties"),
      parameters: [
        neighboursParameter(reference.k), metricParameter(reference.metric), preprocessParameter(reference.preprocessing),
        P("jitter", .real(R.jitter, none: "none"), default: .value("none"),
          doc: "relative scale of seeded uniform noise added to break ties (scikit-learn uses 1e-10)", what: "a jitter scale"),
        P("seed", .seed, default: .value("\(reference.seed)"), doc: "seed of the jitter", what: "a seed",
          condition: P.when("jitter", isNot: "none")),
      ],
      buildMutualInformation: { v in
        try KSGEstimator(
          variant: variant, k: v.integer("k"), metric: metric(v), preprocessing: KNNPreprocessing.named(v.string("preprocess")),
          jitterScale: v.optionalReal("jitter"), seed: v["seed"].flatMap { UInt64($0) } ?? reference.seed)
      },
      buildPlane: nil,
      describe: { e in
        guard let e = e as? KSGEstimator, e.variant == variant else { return nil }
        var d = [
          "k": "\(e.k)", "metric": e.metric.rawValue, "preprocess": e.preprocessing.rawValue,
          "jitter": e.jitterScale.map(P.render) ?? "none",
        ]
        if e.jitterScale != nil { d["seed"] = "\(e.seed)" }
        return d
      })
  }

  static let ksg = ksgFamily(.one)
  static let ksg2 = ksgFamily(.two)

  /// The KL, weighted-KL and lossy estimators' defaults, from instances with one thread (see
  /// `ksgFamily`), each built once.
  static let klDefaults = KozachenkoLeonenkoEntropy(threads: 1)
  static let wklDefaults = WeightedKozachenkoLeonenko(threads: 1)
  static let lossyDefaults = LossyCompressedMI(threads: 1)

  static let klEntropy = EstimatorFamily(
    name: "kl-entropy",
    summary: "Kozachenko–Leonenko entropy H(X) of the first array (the second is ignored)",
    parameters: [
      neighboursParameter(klDefaults.k), metricParameter(klDefaults.metric),
      preprocessParameter(klDefaults.preprocessing),
    ],
    buildMutualInformation: { v in
      try KozachenkoLeonenkoEntropy(k: v.integer("k"), metric: metric(v), preprocessing: KNNPreprocessing.named(v.string("preprocess")))
    },
    buildPlane: nil,
    describe: { e in
      guard let e = e as? KozachenkoLeonenkoEntropy else { return nil }
      return ["k": "\(e.k)", "metric": e.metric.rawValue, "preprocess": e.preprocessing.rawValue]
    })

  static let wkl = EstimatorFamily(
    name: "wkl",
    summary: "weighted Kozachenko–Leonenko I = H(X) + H(Y) − H(X,Y) (Berrett, Samworth & Yuan 2019)",
    parameters: [
      neighboursParameter(wklDefaults.k), metricParameter(wklDefaults.metric),
      preprocessParameter(wklDefaults.preprocessing),
    ],
    buildMutualInformation: { v in
      try WeightedKozachenkoLeonenko(k: v.integer("k"), metric: metric(v), preprocessing: KNNPreprocessing.named(v.string("preprocess")))
    },
    buildPlane: nil,
    describe: { e in
      guard let e = e as? WeightedKozachenkoLeonenko else { return nil }
      return ["k": "\(e.k)", "metric": e.metric.rawValue, "preprocess": e.preprocessing.rawValue]
    })

  static let lossy = EstimatorFamily(
    name: "lossy",
    summary: "lossy-compressed MI (Butakov et al. 2024): PCA (or an autoencoder) to m dimensions, then KSG; I(T;Y) by Ross's kNN form",
    parameters: [
      P("compress", .text(syntax: "pca or a registered compressor (autoencoder)", canonical: { try LossyCompressedMI.Compressor.named($0.lowercased()).name }),
        default: .value(lossyDefaults.compressor.name),
        doc: "compressor: pca, or autoencoder (seeded tanh autoencoder from IBTrain; the ibplane command registers it)",
        what: "a compressor"),
      P("latent", .integer(R.latent), default: .value("\(lossyDefaults.latent)"),
        doc: "latent size m of each compressed variable (PCA refuses min(N, width) above 8192)", unit: "dimensions", what: "a latent size"),
      P("noise", .text(syntax: LossyCompressedMI.noiseSyntax, canonical: { LossyCompressedMI.noiseSpecification(try LossyCompressedMI.noise(specification: $0)) }),
        default: .value("none"), doc: "Gaussian noise on the second variable (the layer T) before compression: σ (additive, Goldfeld et al. 2019) or multiplicative:σ (T + σT⊙ε, Butakov et al.)",
        unit: "activation units", what: "a noise"),
      P("backend", .choice(["ksg", "wkl"]), default: .value(lossyDefaults.backend.rawValue), doc: "kNN estimator of the codes: ksg or wkl (weighted Kozachenko–Leonenko)",
        what: "a backend"),
      P("k", .integer(R.neighbours), default: .derived(doc: "3 (ksg), 5 (wkl)", { $0["backend"] == "wkl" ? "5" : "3" }),
        doc: "neighbours k of the backend", what: "an integer"),
      P("metric", .choice(["auto", "max", "euclidean"]), default: .value("auto"),
        doc: "norm of the backend: auto (max for ksg, euclidean for wkl; max in Ross's I(T;Y)), max or euclidean", what: "a metric"),
      P("labels", .choice([LossyCompressedMI.LabelForm.ross.rawValue, LossyCompressedMI.LabelForm.entropyDifference.rawValue]),
        default: .value(lossyDefaults.labelForm.rawValue),
        doc: "I(T;Y) for class labels: ross (Ross 2014, kNN) or entropy-difference (H(T) − Σ p(y) H(T|y), Butakov et al.)",
        what: "a label form", form: .plane),
      P("seed", .seed, default: .value("\(lossyDefaults.seed)"), doc: "seed of the noise and of the autoencoder", what: "a seed"),
      yClassesParameter(kernel: "Ross's kNN form on the compressed X, the noise on X (the plane's I(T;Y))"),
    ],
    buildMutualInformation: { try lossyEstimator($0) },
    buildPlane: { try lossyEstimator($0) },
    describe: { e in
      guard let e = e as? LossyCompressedMI else { return nil }
      return [
        "compress": e.compressorSpecification, "latent": "\(e.latent)", "noise": LossyCompressedMI.noiseSpecification(e.noise),
        "backend": e.backend.rawValue, "k": "\(e.resolvedK)", "metric": e.metric?.rawValue ?? "auto",
        "labels": e.labelForm.rawValue, "seed": "\(e.seed)", "y-classes": "\(e.yClasses)",
      ]
    })

  static func lossyEstimator(_ v: EstimatorParameterValues) throws -> LossyCompressedMI {
    try EstimatorParameterRange.check(v.integer("latent"), in: R.latent, name: "latent", what: "a latent size")
    var e = LossyCompressedMI(
      compressor: try .named(v.string("compress")), latent: v.integer("latent"),
      noise: try LossyCompressedMI.noise(specification: v.string("noise")),
      backend: LossyCompressedMI.Backend(rawValue: v.string("backend")) ?? .ksg, k: v.integer("k"),
      metric: NearestNeighbors.Metric(rawValue: v.string("metric")), seed: v.seed("seed"))
    if let form = v["labels"].flatMap(LossyCompressedMI.LabelForm.init(rawValue:)) { e.labelForm = form }
    e.yClasses = v.flag("y-classes")
    return e
  }
}
