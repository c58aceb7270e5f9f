import IBPlaneCore
import IBPlaneNumerics
/// Lossy-compressed mutual information (Butakov et al.): compress each variable to a small
/// latent size m, then estimate MI between the codes with a kNN estimator (name `lossy`).
///
///     Î(X;T) = Î_kNN( C_X(X), C_T(T + noise) )
///     Î(T;Y) = Î_Ross(C_T(T); Y)                            (class labels, default)
///            or Ĥ(C_T(T)) − Σ_y p(y) Ĥ(C_T(T) | Y = y)    (`labelForm: .entropyDifference`)
///
/// C is PCA to m components (LAPACK, `PrincipalComponents`, `compressor: .pca`, the default)
/// or any `LossyCompressor` registered by name; a variable with at most m columns is used as
/// is. When C is injective on the support of the data (as for data on an m-dimensional
/// manifold that C keeps apart), I(C(X); C(T)) = I(X;T) exactly; otherwise compression can
/// only lose information (data-processing inequality), so the estimate is a lower bound up to
/// the estimator's own error.
///
/// Autoencoder compressor (the paper's nonlinear C): IBTrain's `AutoencoderCompressor`, name
/// `autoencoder`, available once `AutoencoderCompressor.register()` has run (the `ibplane`
/// command does so at start-up; a program that links only IBPlane gets an error naming IBTrain).
/// Per variable it standardises the columns and trains an MLP autoencoder d → 64 (tanh) → m
/// (linear code) → 64 → d with Adam (rate 10⁻³, batch 128, 30 epochs), seeded from `seed`
/// (child stream 0 for X, 1 for Y/T, 2 for regression targets), and uses the codes. Every
/// estimate records `epochs`, `encoder`, `activation` and `seed` in `parameters` and the mean
/// squared reconstruction error on the standardised data as `reconstruction_error_x/_y/_t`.
/// Measured on the blob image tasks (N = 10⁴, m = 4, seed 0): 0.499 / 0.987 / 1.953 / 2.907
/// nats for true 0.5 / 1 / 2 / 3 (PCA: 0.500 / 0.972 / 1.946 / 2.906); training costs
/// O(epochs · N · Σ fanIn·fanOut) per variable (`AutoencoderCompressor`). Neither compressor
/// beats the other there (the images lie on a 2-dimensional manifold that both keep
/// injective); the autoencoder is for data whose manifold PCA folds.
///
/// Noise: optional, added to the layer T before compression, seeded:
/// `.additiveGaussian(σ)`: T + σ ε (Goldfeld et al. 2019, "Estimating information flow in
/// deep neural networks", ICML), and `.multiplicativeGaussian(σ)`: T + σ T ⊙ ε (Butakov et
/// al.'s stochastic-network noise, σ = 1e-3 in their runs), ε ~ N(0, I).
///
/// Every estimate records the compressor, m, the compressor's quality figures per side
/// (`explained_variance_x` etc. for PCA), the noise and the backend with its k.
///
/// Exact duplicates (saturated tanh/softmax units, dead ReLUs) make atoms in T. The KSG backend
/// and Ross's form handle them by the tie rule of Gao et al. (2017) (see `KSGEstimator`,
/// `DiscreteContinuousMI`; `diagnostics["tied_samples"]`), so Î(T;Y) of a saturated layer is
/// the plug-in value and stays within O(1/N) of H(Y) instead of exceeding it. The PCA
/// projection (GEMM) kept equal rows equal on the tested layers (`KNNTiesTests`). The
/// entropy-based forms (weighted KL, `labelForm: .entropyDifference`) have no tie rule: the
/// differential entropy of an atom is −∞, and they refuse rows with k exact duplicates.
///
/// References: I. Butakov, A. Tolmachev, S. Malanchuk, A. Neopryatnaya, A. Frolov,
/// K. Andreev, "Information bottleneck analysis of deep neural networks via lossy
/// compression", ICLR 2024; Z. Goldfeld et al. (2019).
///
/// Notes. Bias: that of the backend in m + m dimensions (small for m ≤ 4 and MI of a few
/// nats at N ≈ 10⁴) plus the information PCA discards. The weighted-KL backend estimates
/// three entropies and needs codes that fill their m dimensions: when the data lie on a
/// lower-dimensional manifold (the blob images: 2 latent dimensions, PCA to m = 4) each
/// entropy diverges at its own rate and the difference is meaningless (measured −5.3 nats for
/// a true 0.5). Use the KSG backend (default) there, or m equal to the intrinsic dimension. Complexity: O(N d² + d³) per PCA
/// (O(N² d + N³) through the Gram matrix when d > N; min(N, d) ≤ 8,192, see
/// `PrincipalComponents`) plus the backend's kNN searches in m dimensions. `latent` is in
/// 1…1,000 and `noise` in 0…1e100 (`EstimatorParameterRange`).
public struct LossyCompressedMI: MutualInformationEstimator, InformationPlaneEstimator {
  /// The compressor C: a named `LossyCompressor`. `.pca` is built in; other names resolve
  /// through `LossyCompressedMI.registerCompressor(name:factory:)` (IBTrain registers
  /// `autoencoder` with `AutoencoderCompressor.register()`; the `ibplane` command does so at
  /// start-up). Two compressors are equal when their names and parameters are.
  public struct Compressor: Sendable, Equatable, CustomStringConvertible {
    public let implementation: any LossyCompressor

    public init(_ implementation: any LossyCompressor) { self.implementation = implementation }

    /// PCA to m components, the default.
    public static var pca: Compressor { Compressor(PCACompressor()) }

    /// The compressor's name (`pca`, `autoencoder`, …).
    public var name: String { implementation.name }
    /// Same as `name` (the spelling of the former enum).
    public var rawValue: String { name }
    public var description: String { name }

    public static func == (a: Compressor, b: Compressor) -> Bool {
      a.name == b.name && a.implementation.parameters == b.implementation.parameters
    }

    /// Parses a command-line name: `pca`, or a name registered in `registry` (default the
    /// process-wide one). `autoencoder` without registration is refused with an error that
    /// says where it lives (IBTrain).
    public static func named(_ name: String, registry: LossyCompressorRegistry = .shared) throws -> Compressor {
      if name == "pca" { return .pca }
      if let factory = registry.factory(name) { return Compressor(factory()) }
      let accepted = registry.names.joined(separator: ", ")
      if name == "autoencoder" {
        throw EstimatorError.invalidParameter(
          name: "compress", value: name,
          expected: "\(accepted) (the autoencoder compressor is in IBTrain: call AutoencoderCompressor.register() first; the ibplane command does)")
      }
      throw EstimatorError.invalidParameter(name: "compress", value: name, expected: accepted)
    }
  }
  public enum Noise: Sendable, Equatable {
    case additiveGaussian(Double)
    case multiplicativeGaussian(Double)
    var description: String {
      switch self {
      case .additiveGaussian(let s): return "additive-gaussian(\(s))"
      case .multiplicativeGaussian(let s): return "multiplicative-gaussian(\(s))"
      }
    }
  }
  public enum Backend: String, Sendable { case ksg, weightedKL = "wkl" }
  /// How I(T;Y) is estimated for class labels.
  public enum LabelForm: String, Sendable {
    /// Ross (2014), `DiscreteContinuousMI` (default): no conditional entropies, small boundary bias.
    case ross
    /// H(T) − Σ_y p(y) H(T|y) with the backend's entropy estimator (Butakov et al.'s form).
    case entropyDifference = "entropy-difference"
  }

  public var compressor: Compressor
  public var latent: Int
  public var noise: Noise?
  public var backend: Backend
  /// Backend k; `nil` = the backend's default (3 for KSG, 5 for weighted KL).
  public var k: Int?
  public var metric: NearestNeighbors.Metric?
  public var seed: UInt64
  public var labelForm: LabelForm
  /// `estimate(_:_:)` only: B is a column of class labels and Î(A;B) is Ross's form on the
  /// compressed A, with the noise on A (the plane's I(T;Y), A in the role of T).
  public var yClasses = false
  public var threads: Int
  public var name: String { "lossy" }

  /// - Parameters:
  ///   - compressor: `.pca` (default) or a registered compressor (`Compressor.named("autoencoder")`
  ///     once IBTrain's `AutoencoderCompressor.register()` has run).
  ///   - latent: m, default 4 (Butakov et al. compress layers to min(4, width)).
  ///   - noise: default `nil` (none).
  ///   - backend: default `.ksg`; `.weightedKL` as in the paper.
  ///   - k: default `nil` (backend default).
  ///   - metric: default `nil` (backend default: max-norm for KSG, Euclidean for weighted KL).
  ///   - seed: seed of the noise and of a randomised compressor (autoencoder), default 0.
  ///   - labelForm: I(T;Y) for class labels, default `.ross`.
  public init(
    compressor: Compressor = .pca, latent: Int = 4, noise: Noise? = nil, backend: Backend = .ksg,
    k: Int? = nil, metric: NearestNeighbors.Metric? = nil, seed: UInt64 = 0, labelForm: LabelForm = .ross,
    threads: Int = Parallel.defaultThreads
  ) {
    self.labelForm = labelForm
    self.compressor = compressor
    self.latent = latent
    self.noise = noise
    self.backend = backend
    self.k = k
    self.metric = metric
    self.seed = seed
    self.threads = threads
  }

  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) class-conditionally: Î(X;T) (kNN on the codes) and Î(T;Y) (Ross's form) are
  /// different estimators whose biases do not cancel; each class's kNN I(X;T) is one estimator,
  /// with the compressor fitted to that class's samples.
  public var conditionalInputForm: ConditionalInputForm { .classConditional }

  /// The compressor's name and, sorted, its parameters (`autoencoder(epochs=…,…)`); just the
  /// name when it has none (`pca`).
  var compressorKey: String {
    let p = compressor.implementation.parameters
    if p.isEmpty { return compressor.name }
    return compressor.name + "(" + p.keys.sorted().map { "\($0)=\(p[$0] ?? "")" }.joined(separator: ",") + ")"
  }

  /// The compressor's seed for a variable: child stream `side` of `seed` (0 = X, 1 = Y or T,
  /// 2 = regression targets), so the two sides train independently and the noise stream (the
  /// root of `seed`) is untouched.
  func compressionSeed(side: Int) -> UInt64 { RandomSource(seed: seed).derivedSeed(side) }

  var resolvedK: Int { k ?? (backend == .ksg ? 3 : 5) }

  /// A variable compressed to at most `latent` columns, with the explained-variance ratio
  /// (1 when no compression was needed). PCA's figure; see `compressed(_:name:side:)` for any compressor.
  public func compress<S: BLASScalar>(_ m: Matrix<S>, name: String) throws -> (code: Matrix<Double>, explainedVariance: Double) {
    let c = try compressed(m, name: name, side: 0)
    return (c.code, c.quality["explained_variance"] ?? .nan)
  }

  /// A variable compressed by `compressor` to at most `latent` columns (used as is when it has
  /// no more than `latent`), with the compressor's quality figures. `side` picks the seed
  /// (`compressionSeed(side:)`).
  public func compressed<S: BLASScalar>(_ m: Matrix<S>, name: String, side: Int) throws -> LossyCompression {
    try EstimatorParameterRange.check(latent, in: EstimatorParameterRange.latent, name: "latent", what: "a latent size")
    let c = compressor.implementation
    if m.columns <= latent { return LossyCompression(code: m.converted(to: Double.self), quality: c.identityQuality) }
    do {
      return try c.compress(m, latent: latent, seed: compressionSeed(side: side))
    } catch let e as NumericsError {
      throw EstimatorError.degenerate("\(name): \(c.name == "pca" ? "PCA" : c.name) failed: \(e)")
    }
  }

  /// `t` with the configured noise (seeded), or `t` itself.
  public func addingNoise<S: BLASScalar>(_ t: Matrix<S>) throws -> Matrix<Double> {
    var out = t.converted(to: Double.self)
    guard let noise else { return out }
    let rng = RandomSource(seed: seed)
    switch noise {
    case .additiveGaussian(let s):
      try EstimatorParameterRange.check(s, in: EstimatorParameterRange.noise, name: "noise", what: "a standard deviation σ")
      for t in 0..<out.elements.count { out.elements[t] += s * rng.normal() }
    case .multiplicativeGaussian(let s):
      try EstimatorParameterRange.check(s, in: EstimatorParameterRange.noise, name: "noise", what: "a standard deviation σ")
      for t in 0..<out.elements.count { out.elements[t] += s * out.elements[t] * rng.normal() }
    }
    if let k = out.firstNonFiniteIndex() {
      throw EstimatorError.invalidParameter(
        name: "noise", value: "\(noise)", expected: "a σ that keeps the noisy values finite (row \(k / out.columns) overflowed)")
    }
    return out
  }

  private func mutualInformation(_ a: Matrix<Double>, _ b: Matrix<Double>) throws -> Estimate {
    switch backend {
    case .ksg:
      return try KSGEstimator(k: resolvedK, metric: metric ?? .maximum, threads: threads).estimate(a, b)
    case .weightedKL:
      return try WeightedKozachenkoLeonenko(k: resolvedK, metric: metric ?? .euclidean, threads: threads).estimate(a, b)
    }
  }

  private func entropy(_ a: Matrix<Double>, name: String) throws -> Estimate {
    switch backend {
    case .ksg:
      return try KozachenkoLeonenkoEntropy(k: resolvedK, metric: metric ?? .maximum, threads: threads).entropy(a, name: name)
    case .weightedKL:
      return try WeightedKozachenkoLeonenko(k: resolvedK, metric: metric ?? .euclidean, threads: threads).entropy(a, name: name)
    }
  }

  /// `e` with the configuration in `parameters` and each compression's quality figures in
  /// `diagnostics["<key>_<side>"]`.
  private func annotate(_ e: Estimate, _ sides: [(String, LossyCompression)]) -> Estimate {
    var e = e
    e.parameters["compressor"] = compressor.name
    for (key, value) in compressor.implementation.parameters { e.parameters[key] = value }
    e.parameters["latent"] = "\(latent)"
    e.parameters["noise"] = noise?.description ?? "none"
    e.parameters["backend"] = backend.rawValue
    e.parameters["k"] = "\(resolvedK)"
    if noise != nil || compressor.implementation.usesSeed { e.parameters["seed"] = "\(seed)" }
    for (side, c) in sides {
      for (key, v) in c.quality { e.diagnostics["\(key)_\(side)"] = v }
    }
    return e
  }

  /// Î(A;B) between the compressed variables; the noise, if any, is added to `b` (the layer).
  /// With `yClasses`, B is one column of integer class labels (`_DiscreteY.classLabels`) and
  /// the value is Ross's Î(C(A + noise); B), computed as the plane's I(T;Y) computes it.
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: resolvedK + 1)
    if yClasses {
      let (labels, _) = try _DiscreteY.classLabels(b, estimator: name)
      let ca = try compressed(try addingNoise(a), name: "X", side: 1)
      let e = try DiscreteContinuousMI(k: resolvedK, metric: metric ?? .maximum, threads: threads).estimate(ca.code, labels: labels)
      return try annotate(e, [("x", ca)]).requiringFinite(estimator: name, quantity: "I(X;Y)")
    }
    let ca = try compressed(a, name: "X", side: 0)
    let cb = try compressed(try addingNoise(b), name: "Y", side: 1)
    return try annotate(try mutualInformation(ca.code, cb.code), [("x", ca), ("y", cb)]).requiringFinite(estimator: name, quantity: "I(X;Y)")
  }

  /// I(X;T) and I(T;Y) for a layer; the inputs are compressed once per recording
  /// (`context.cached`). Class labels use `labelForm`; regression targets use
  /// the backend's MI with the (compressed) targets.
  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    let (ixt, compressedT) = try inputSide(layer: layer, context: context)
    let ct = compressedT.code
    let seedKey = compressor.implementation.usesSeed ? ".seed=\(seed)" : ""
    let ity: Estimate
    switch context.labels {
    case .classes(let labels, _) where labelForm == .ross:
      let e = try DiscreteContinuousMI(k: resolvedK, metric: metric ?? .maximum, threads: threads).estimate(ct, labels: labels)
      ity = annotate(e, [("t", compressedT)])
    case .classes(let labels, _):
      let parts = context.classPartition.filter { !$0.isEmpty }
      let n = Double(labels.count)
      let h = try entropy(ct, name: "T").nats
      var conditional = 0.0
      for (c, rows) in parts.enumerated() {
        guard rows.count > resolvedK else {
          throw EstimatorError.tooFewSamples(needed: resolvedK + 1, got: rows.count, what: "class \(c) of the labels (entropy of T given the class)")
        }
        conditional += Double(rows.count) / n * (try entropy(ct.selectingRows(rows), name: "T|y=\(c)").nats)
      }
      let v = h - conditional
      ity = annotate(
        Estimate(nats: v, parameters: ["form": "H(T) - sum_y p(y) H(T|y)"], diagnostics: ["h_t": h, "h_t_given_y": conditional, "negative": v < 0 ? 1 : 0]),
        [("t", compressedT)])
    case .targets(let y):
      let cy = try context.cached("lossy.targets.\(compressorKey).latent=\(latent)\(seedKey)") { try compressed(y, name: "targets", side: 2) }
      ity = annotate(try mutualInformation(ct, cy.code), [("t", compressedT), ("y", cy)])
    }
    return try PlanePoint(inputInformation: ixt, labelInformation: ity).requiringFinite(estimator: name)
  }

  /// `point(layer:context:).inputInformation` without I(T;Y): the class-conditional
  /// I(X;T|Y) reads only I(X;T) on each class's rows, and Ross's I(T;Y) there (a kNN search
  /// and a radius count over one class) was a third of a lossy plane job (issue 17).
  public func inputInformation(layer: Matrix<Float>, context: PlaneContext) throws -> Estimate {
    try inputSide(layer: layer, context: context).ixt.requiringFinite(estimator: name, quantity: "I(X;T)")
  }

  /// Î(X;T) of `point` and the layer's compression; the inputs are compressed once per
  /// recording (`context.cached`).
  private func inputSide(layer: Matrix<Float>, context: PlaneContext) throws -> (ixt: Estimate, compressedT: LossyCompression) {
    guard let inputs = context.inputs else {
      throw EstimatorError.degenerate("lossy needs the recording's inputs X; this recording has none")
    }
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    try EstimatorError.validateFinite(layer, name: "layer")
    let seedKey = compressor.implementation.usesSeed ? ".seed=\(seed)" : ""
    let key = "lossy.inputs.\(compressorKey).latent=\(latent)\(seedKey)"
    let cx = try context.cached(key) { try compressed(inputs, name: "inputs", side: 0) }
    let compressedT = try compressed(try addingNoise(layer), name: "layer", side: 1)
    return (annotate(try mutualInformation(cx.code, compressedT.code), [("x", cx), ("t", compressedT)]), compressedT)
  }
}
