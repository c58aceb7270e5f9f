import IBPlaneCore
import IBPlaneNumerics

// The parameter tables of the kernel families: KDE bounds, Cauchy–Schwarz, matrix Rényi.

extension EstimatorRegistry {
  static let boundParameter = P(
    "bound", .choice(KDEBound.allCases.map(\.rawValue)), default: .value("upper"),
    doc: "the bound reported as the value: upper (pairwise KL, Saxe et al.'s plots) or lower (Bhattacharyya); both are the row's bracket",
    what: "a bound")

  static let kde = EstimatorFamily(
    name: "kde",
    summary: "KDE pairwise-distance bounds (Kolchinsky & Tracey 2017; Saxe et al. 2018) on T + N(0, σ²I); the second variable discrete",
    parameters: [
      P("sigma2", .real(R.noiseVariance, none: nil), default: .value(P.render(KDEEstimator.defaultNoiseVariance)), doc: "noise variance σ²",
        unit: "activation units²", what: "a noise variance"),
      boundParameter,
    ],
    buildMutualInformation: { try kdeEstimator($0) },
    buildPlane: { try kdeEstimator($0) },
    describe: { e in
      guard let e = e as? KDEEstimator else { return nil }
      return ["sigma2": P.render(e.noiseVariance), "bound": e.bound.rawValue]
    })

  static func kdeEstimator(_ v: EstimatorParameterValues) throws -> KDEEstimator {
    let e = KDEEstimator(noiseVariance: v.real("sigma2"), bound: KDEBound(rawValue: v.string("bound")) ?? .upper)
    try e.validate()
    return e
  }

  static let adaptiveKDE = EstimatorFamily(
    name: "adaptive-kde",
    summary: "KDE bounds with σ² = c·max|T| per snapshot (Chelombiev et al. 2019)",
    parameters: [
      P("sigma2", .real(R.noiseVarianceScale, none: nil), default: .value(P.render(AdaptiveKDEEstimator.defaultNoiseVarianceScale)), doc: "the scale c in σ² = c·max|T|",
        unit: "activation units", what: "a scale c of σ² = c·max|T|"),
      boundParameter,
    ],
    buildMutualInformation: { try adaptiveKDEEstimator($0) },
    buildPlane: { try adaptiveKDEEstimator($0) },
    describe: { e in
      guard let e = e as? AdaptiveKDEEstimator else { return nil }
      return ["sigma2": P.render(e.noiseVarianceScale), "bound": e.bound.rawValue]
    })

  static func adaptiveKDEEstimator(_ v: EstimatorParameterValues) throws -> AdaptiveKDEEstimator {
    let e = AdaptiveKDEEstimator(noiseVarianceScale: v.real("sigma2"), bound: KDEBound(rawValue: v.string("bound")) ?? .upper)
    try e.validate()
    return e
  }

  /// `width-rule`, `sigma-x`, `sigma-y` of the kernel families: each side's Gaussian kernel
  /// width, a number or a rule; `width-rule` sets both sides not given on their own.
  static let kernelWidthParameters: [EstimatorParameter] = [
    P("width-rule", .text(syntax: KernelWidthRule.syntax, canonical: { try KernelWidthRule(specification: $0, key: "width-rule").specification }),
      default: .value(KernelWidthRule.default.specification),
      doc: "kernel width of both variables: a rule (silverman: s̄·√d·(4/((d+2)N))^(1/(d+4)), the σ = γ·N^(−1/(4+d)) of Yu et al. 2019/2021; scott; median: median distance of a seeded subsample of M = 1,000 rows, flat planes on small N) or a width; shorthand for sigma-x and sigma-y",
      unit: "data units", what: "a kernel width rule", shorthandFor: ["sigma-x", "sigma-y"]),
    P("sigma-x", .text(syntax: KernelWidthRule.syntax, canonical: { try KernelWidthRule(specification: $0, key: "sigma-x").specification }),
      default: .value(KernelWidthRule.default.specification),
      doc: "Gaussian kernel width σ of the first variable (X; the inputs in the plane's I(X;T)), or its rule",
      unit: "data units", what: "a kernel width"),
    P("sigma-y", .text(syntax: KernelWidthRule.syntax, canonical: { try KernelWidthRule(specification: $0, key: "sigma-y").specification }),
      default: .value(KernelWidthRule.default.specification),
      doc: "Gaussian kernel width σ of the second variable (Y; the layer T in the plane), or its rule",
      unit: "data units", what: "a kernel width"),
  ]

  static func widths(_ v: EstimatorParameterValues) throws -> (KernelWidthRule, KernelWidthRule) {
    (try KernelWidthRule(specification: v.string("sigma-x"), key: "sigma-x"),
     try KernelWidthRule(specification: v.string("sigma-y"), key: "sigma-y"))
  }

  static let cs = EstimatorFamily(
    name: "cs",
    summary: "Cauchy–Schwarz quadratic MI (Yu et al. 2024) with Gaussian kernels; label kernel for classes",
    parameters: kernelWidthParameters + [
      P("normalised", .flag, default: .value("false"), doc: "report the normalised form I/√(I(X;X)·I(Y;Y))", what: "a flag"),
      yClassesParameter(kernel: "the label kernel [y_i = y_j] on Y (the plane's I(T;Y)); sigma-y is not read"),
    ],
    buildMutualInformation: { try csEstimator($0) },
    buildPlane: { try csEstimator($0) },
    describe: { e in
      guard let e = e as? CauchySchwarzMutualInformation else { return nil }
      return [
        "sigma-x": e.widthA.specification, "sigma-y": e.widthB.specification, "normalised": "\(e.normalised)",
        "y-classes": "\(e.yClasses)",
      ]
    })

  static func csEstimator(_ v: EstimatorParameterValues) throws -> CauchySchwarzMutualInformation {
    let (a, b) = try widths(v)
    var e = CauchySchwarzMutualInformation(widthA: a, widthB: b, normalised: v.flag("normalised"))
    e.yClasses = v.flag("y-classes")
    return e
  }

  /// The Rényi estimator's defaults, from an instance whose engine has one thread: the default
  /// thread count (Foundation's cgroup read, ~0.2 ms) is then not resolved at every start.
  static let renyiDefaults = MatrixRenyiMutualInformation(engine: TiledKernelSums(threads: 1))

  static let renyi = EstimatorFamily(
    name: "renyi",
    summary: "matrix-based Rényi α-entropy MI (Sánchez Giraldo et al. 2015; Yu et al. 2019)",
    parameters: [
      P("alpha", .real(R.alpha, none: nil), default: .value(P.render(renyiDefaults.alpha)),
        doc: "order α (1: von Neumann; 2: through the tiled engine at any N, no eigen-decomposition)", what: "an order α (1: von Neumann)")
    ] + kernelWidthParameters + [
      P("approx", .text(syntax: MatrixRenyiMutualInformation.Approximation.syntax, canonical: {
        try MatrixRenyiMutualInformation.Approximation(specification: $0).specification
      }), default: .value("auto"),
        doc: "spectrum for α ≠ 2: auto (exact up to N = exact-limit, exact-float32 up to exact-float32-limit, else slq:16:25), exact, exact-float32, nystrom:m, subsample:m[:r], "
          + "or slq:p:m (stochastic Lanczos quadrature, p probes × m steps after deflating the converged top of a 512-dimensional block Krylov space: "
          + "I_α within 0.5 % of exact in the tests, standard error in the diagnostics as slq_standard_error; "
          + "its cost grows like N²: 3–4 minutes at N = 20,000 on 2 cores, 38 CPU-minutes and 378 MB at N = 100,000 on one thread, so past ~50,000 samples prefer alpha=2, exact at any N)",
        what: "a spectrum method"),
      P("exact-limit", .integer(R.exactLimit), default: .value("\(renyiDefaults.exactLimit)"), doc: "auto: largest N decomposed exactly in double precision (8N² bytes)",
        unit: "samples", what: "a sample count", condition: P.when("approx", is: "auto")),
      P("exact-float32-limit", .integer(R.exactFloat32Limit), default: .value("\(renyiDefaults.exactFloat32Limit)"),
        doc: "auto: largest N decomposed exactly in single precision (4N² bytes)", unit: "samples", what: "a sample count",
        condition: P.when("approx", is: "auto")),
      P("seed", .seed, default: .value("\(renyiDefaults.seed)"), doc: "seed of the Nyström landmarks, subsamples and SLQ probes", what: "a seed",
        condition: P.when("approx", isNot: "exact", "exact-float32")),
    ],
    buildMutualInformation: { try renyiEstimator($0) },
    buildPlane: { try renyiEstimator($0) },
    describe: { e in
      guard let e = e as? MatrixRenyiMutualInformation else { return nil }
      var d = [
        "alpha": P.render(e.alpha), "sigma-x": e.widthA.specification, "sigma-y": e.widthB.specification,
        "approx": e.approximation.specification,
      ]
      if e.approximation == .automatic {
        d["exact-limit"] = "\(e.exactLimit)"
        d["exact-float32-limit"] = "\(e.exactFloat32Limit)"
      }
      if e.approximation != .exact && e.approximation != .exactFloat32 { d["seed"] = "\(e.seed)" }
      return d
    })

  static func renyiEstimator(_ v: EstimatorParameterValues) throws -> MatrixRenyiMutualInformation {
    let (a, b) = try widths(v)
    let approximation = try MatrixRenyiMutualInformation.Approximation(specification: v.string("approx"))
    var e = MatrixRenyiMutualInformation(alpha: v.real("alpha"), widthA: a, widthB: b, approximation: approximation)
    // Absent unless approx=auto (they change nothing otherwise): the initialiser's defaults stay.
    if let limit = v["exact-limit"].flatMap({ Int($0) }) { e.exactLimit = limit }
    if let limit = v["exact-float32-limit"].flatMap({ Int($0) }) { e.exactFloat32Limit = limit }
    if let seed = v["seed"].flatMap({ UInt64($0) }) { e.seed = seed }
    try e.validateParameters()
    return e
  }
}
