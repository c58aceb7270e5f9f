import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Pairwise-distance bounds on the entropy of a Gaussian mixture (Kolchinsky & Tracey 2017),
/// the KDE estimator of the information plane (Saxe et al. 2018).
///
/// T + N(0, σ²I) with T uniform over the N rows t_i (dimension d) is the mixture
/// (1/N) Σ_i N(t_i, σ²I). With D_ij = ‖t_i − t_j‖²:
///
///     H_KL  = d/2 + (d/2) ln(2πσ²) − (1/N) Σ_i ln( (1/N) Σ_j exp(−D_ij / 2σ²) )   ≥ H
///     H_BHA = d/2 + (d/2) ln(2πσ²) − (1/N) Σ_i ln( (1/N) Σ_j exp(−D_ij / 8σ²) )   ≤ H
///
/// (pairwise KL divergence D_ij/2σ² gives the upper bound, Bhattacharyya distance D_ij/8σ²
/// the lower bound). Then I(T;X) = H(T) − H(T|X) with H(T|X) = (d/2) ln(2πeσ²), the entropy
/// of the noise, so I(T;X) ∈ [ln N − mean_i ln Σ_j e^{−D/8σ²}, ln N − mean_i ln Σ_j e^{−D/2σ²}]
/// and never exceeds ln N; I(T;Y) = H(T) − Σ_y p(y) H(T | Y=y), each class's H from the same
/// bound on that class's samples (a difference of bounds, so not itself a bound).
///
/// Noise variance σ² (default 0.1, Saxe et al.'s value for tanh layers in [−1, 1]): it sets
/// the resolution. σ² → 0 sends I(T;X) to ln N (every sample distinguishable, like binning with
/// tiny bins); large σ² blurs the layer and sends both coordinates to 0. The bounds differ by at
/// most (d/2) ln(4) − …, and are tight when the components are well separated or all equal.
///
/// Computation: the row log-sum-exps come from the tiled engine,
/// `TiledKernelSums.gaussianRowLogSums(_:gamma:powers:groups:)` (the symmetric pass: each pair
/// i < j computed once for both rows, every sum holding its row's own term 1;
/// exp(−D/2σ²) = exp(−D/8σ²)⁴, so one exponential per pair serves both bounds, and the class
/// sums of I(T;Y) come from the same pass), in double precision. O(N²·d/2) time through GEMM
/// plus N²/2 exponentials, O(N·tile) memory.
///
/// References: A. Kolchinsky, B. D. Tracey, "Estimating mixture entropy with pairwise distances",
/// Entropy 19(7):361 (2017); A. M. Saxe et al., "On the information bottleneck theory of deep
/// learning", ICLR 2018 (code `artemyk/ibsgd`, `kde.py`).
public struct KDEEntropyBounds: Sendable, Equatable {
  /// H_KL, nats.
  public var upperNats: Double
  /// H_BHA, nats.
  public var lowerNats: Double
  public var samples: Int
  public var dimension: Int
  public var noiseVariance: Double

  /// H(T | X) = (d/2) ln(2πeσ²), the entropy of the added noise.
  public var noiseEntropyNats: Double {
    Double(dimension) / 2 * (log(2 * Double.pi * noiseVariance) + 1)
  }

  public func nats(_ bound: KDEBound) -> Double { bound == .upper ? upperNats : lowerNats }

  /// Both bounds for the rows of `t` with noise variance σ² (> 0).
  public static func compute(
    _ t: Matrix<Double>, noiseVariance: Double, engine: TiledKernelSums = TiledKernelSums()
  ) throws -> KDEEntropyBounds {
    try computeWithGroups(t, noiseVariance: noiseVariance, groups: nil, engine: engine).total
  }

  /// Both bounds for the rows of `t` and, when `groups` (one id per row) is given, the
  /// p(g)-weighted sums Σ_g p(g) H(T | G=g) of both bounds, all from one pass of
  /// `TiledKernelSums.gaussianRowLogSums(_:gamma:powers:groups:)` with γ = 1/8σ² and powers
  /// (4, 1): exp(−D/2σ²) = exp(−D/8σ²)⁴.
  public static func computeWithGroups(
    _ t: Matrix<Double>, noiseVariance: Double, groups: DiscreteSymbols?, engine: TiledKernelSums = TiledKernelSums()
  ) throws -> (total: KDEEntropyBounds, conditionalUpperNats: Double?, conditionalLowerNats: Double?) {
    try computeWithGroups(t, noiseVariances: [noiseVariance], groups: groups, engine: engine)[0]
  }

  /// `computeWithGroups(_:noiseVariance:groups:engine:)` for several σ² from one pass over
  /// the distances (`TiledKernelSums.gaussianRowLogSums(_:gammas:powers:groups:)`): element k
  /// equals the single-σ² call with `noiseVariances[k]`, bit for bit. The plane computes its
  /// KDE and adaptive-KDE jobs of one layer this way (`_KDEPlane.sharedPoints`).
  public static func computeWithGroups(
    _ t: Matrix<Double>, noiseVariances: [Double], groups: DiscreteSymbols?, engine: TiledKernelSums = TiledKernelSums()
  ) throws -> [(total: KDEEntropyBounds, conditionalUpperNats: Double?, conditionalLowerNats: Double?)] {
    for noiseVariance in noiseVariances where !(noiseVariance.isFinite && noiseVariance > 0) {
      throw EstimatorError.invalidParameter(name: "sigma2", value: "\(noiseVariance)", expected: "a positive finite noise variance")
    }
    guard t.rows >= 1 else { throw EstimatorError.tooFewSamples(needed: 1, got: t.rows, what: "KDE entropy bounds") }
    // exp(−D/8σ²) is computed on T and σ² rescaled by the same exact power of two when T's
    // magnitude is extreme (`_KernelFrame`): T × 1e300 with σ² = 0.1 gives the limit of
    // separated components, I(T;X) = ln N, instead of ∞ − ∞ = NaN in the distances.
    let frame = _KernelFrame(t)
    let gammas = noiseVariances.map { _KernelFrame<Double>.clamped(1 / (8 * frame.framed(variance: $0))) }
    let passes = try engine.gaussianRowLogSums(frame.data, gammas: gammas, powers: [4, 1], groups: groups?.ids)
    return zip(noiseVariances, passes).map { bounds(t, noiseVariance: $0, sums: $1, groups: groups) }
  }

  /// Both bounds and the conditional sums from one σ²'s row log-sums.
  private static func bounds(
    _ t: Matrix<Double>, noiseVariance: Double, sums: (all: [[Double]], withinGroup: [[Double]]?), groups: DiscreteSymbols?
  ) -> (total: KDEEntropyBounds, conditionalUpperNats: Double?, conditionalLowerNats: Double?) {
    let n = Double(t.rows)
    let d = Double(t.columns)
    let base = d / 2 + d / 2 * log(2 * Double.pi * noiseVariance)
    let total = KDEEntropyBounds(
      upperNats: base + log(n) - sums.all[0].reduce(0, +) / n, lowerNats: base + log(n) - sums.all[1].reduce(0, +) / n,
      samples: t.rows, dimension: t.columns, noiseVariance: noiseVariance)
    guard let g = groups, let within = sums.withinGroup else { return (total, nil, nil) }
    // Σ_g (n_g/n)(base + ln n_g − (1/n_g) Σ_{i∈g} ℓ_i) = base + (1/n) Σ_i (ln n_{g(i)} − ℓ_i).
    var upper = 0.0
    var lower = 0.0
    for i in 0..<t.rows {
      let logSize = log(Double(g.counts[Int(g.ids[i])]))
      upper += logSize - within[0][i]
      lower += logSize - within[1][i]
    }
    return (total, base + upper / n, base + lower / n)
  }
}

/// Which entropy bound a KDE estimate reports as its value (both are always in the diagnostics).
public enum KDEBound: String, Sendable, CaseIterable {
  /// Pairwise KL (Saxe et al.'s plots).
  case upper
  /// Pairwise Bhattacharyya.
  case lower
}

/// The KDE estimator with a fixed noise variance: `kde` on the command line and in reports.
///
/// Defaults: σ² = 0.1, the upper (KL) bound. `estimate(a, b)` takes B as discrete (rows of B
/// are exact symbols, e.g. a class column) and returns I(A;B) = H(A) − Σ_b p(b) H(A | B=b).
public struct KDEEstimator: MutualInformationEstimator, InformationPlaneEstimator {
  /// σ², in squared activation units (default 0.1).
  public var noiseVariance: Double
  public var bound: KDEBound
  public var engine: TiledKernelSums

  /// σ² when none is given (the registry's default reads it without building an estimator,
  /// whose engine would look up the core count at every process start).
  public static let defaultNoiseVariance = 0.1

  public init(noiseVariance: Double = defaultNoiseVariance, bound: KDEBound = .upper, engine: TiledKernelSums = TiledKernelSums()) {
    self.noiseVariance = noiseVariance
    self.bound = bound
    self.engine = engine
  }

  public var name: String { "kde" }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y): I(T;Y) is already H(T) − Σ p(y) Ĥ(T|Y=y) on the class
  /// subsets, so the difference is Σ p(y) [Ĥ(T|Y=y) − H(T|X)], exactly the class-conditional
  /// form (each bracket ≥ 0: a mixture's pairwise bound is at least one component's entropy), free.
  public var conditionalInputForm: ConditionalInputForm { .difference }

  /// Throws when σ² is outside `EstimatorParameterRange.noiseVariance`.
  public func validate() throws {
    try EstimatorParameterRange.check(noiseVariance, in: EstimatorParameterRange.noiseVariance, name: "sigma2", what: "a noise variance")
  }

  /// Î(A;B) with B the class labels: B must have at most N/2 distinct rows (`_DiscreteY`).
  @_specialize(where S == Float)  // specialised bodies, callees included (issue 18)
  @_specialize(where S == Double)
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try validate()
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    let classes = DiscreteEntropy.symbols(rowsOf: b)
    try _DiscreteY.require(b, symbols: classes, estimator: name)
    return try _KDEPlane.labelInformation(
      a.converted(to: Double.self), classes: classes, noiseVariance: noiseVariance, bound: bound,
      engine: engine, parameters: ["sigma2": "\(noiseVariance)", "bound": bound.rawValue]
    ).requiringFinite(estimator: name, quantity: "I(X;Y)", cause: _KDEPlane.nonFiniteCause)
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    try validate()
    return try _KDEPlane.point(
      layer: layer, context: context, noiseVariance: noiseVariance, bound: bound, engine: engine,
      parameters: ["sigma2": "\(noiseVariance)", "bound": bound.rawValue], extraDiagnostics: [:]
    ).requiringFinite(estimator: name, cause: _KDEPlane.nonFiniteCause)
  }
}

/// The information-plane coordinates shared by the KDE estimators.
package enum _KDEPlane {
  /// What makes a KDE estimate non-finite, for `EstimatorError.nonFiniteResult`.
  static let nonFiniteCause = "a pairwise kernel sum under- or overflowed (a noise variance extremely far from the layer's spread)"

  static func diagnostics(_ h: KDEEntropyBounds) -> [String: Double] {
    [
      "noise_variance": h.noiseVariance, "h_upper_nats": h.upperNats, "h_lower_nats": h.lowerNats,
      "h_noise_nats": h.noiseEntropyNats, "n": Double(h.samples), "dimension": Double(h.dimension),
    ]
  }

  /// H(T) bounds and I(T;Y) = H(T) − Σ_y p(y) H(T | Y=y) for both bounds, one kernel pass.
  static func bounds(
    _ t: Matrix<Double>, classes: DiscreteSymbols, noiseVariance: Double, bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String]
  ) throws -> (KDEEntropyBounds, Estimate) {
    try bounds(
      KDEEntropyBounds.computeWithGroups(t, noiseVariance: noiseVariance, groups: classes, engine: engine),
      classes: classes, bound: bound, parameters: parameters)
  }

  /// H(T) bounds and I(T;Y) from one σ²'s `KDEEntropyBounds.computeWithGroups` result.
  static func bounds(
    _ r: (total: KDEEntropyBounds, conditionalUpperNats: Double?, conditionalLowerNats: Double?),
    classes: DiscreteSymbols, bound: KDEBound, parameters: [String: String]
  ) throws -> (KDEEntropyBounds, Estimate) {
    let h = r.total
    guard let conditionalUpper = r.conditionalUpperNats, let conditionalLower = r.conditionalLowerNats else {
      throw EstimatorError.degenerate("KDE: no class-conditional entropies were computed for \(classes.count) classes")
    }
    let kl = h.upperNats - conditionalUpper
    let bha = h.lowerNats - conditionalLower
    var diag = diagnostics(h)
    diag["mi_kl_nats"] = kl
    diag["mi_bhattacharyya_nats"] = bha
    diag["classes"] = Double(classes.count)
    return (h, Estimate(nats: bound == .upper ? kl : bha, parameters: parameters, diagnostics: diag))
  }

  static func labelInformation(
    _ t: Matrix<Double>, classes: DiscreteSymbols, noiseVariance: Double, bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String]
  ) throws -> Estimate {
    try bounds(t, classes: classes, noiseVariance: noiseVariance, bound: bound, engine: engine, parameters: parameters).1
  }

  /// Throws unless `layer` is paired with the recording's samples, has at least two samples and
  /// one unit, all finite, and the labels are classes: what both KDE estimators need.
  static func validate(layer: Matrix<Float>, context: PlaneContext) throws {
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    guard case .classes = context.labels else {
      throw EstimatorError.invalidParameter(
        name: "labels", value: "regression targets", expected: "class labels (KDE estimates I(T;Y) per class)")
    }
    try EstimatorError.validatePair(layer, layer, minimumSamples: 2, names: ("layer", "layer"))
  }

  static func point(
    layer: Matrix<Float>, context: PlaneContext, noiseVariance: Double, bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String], extraDiagnostics: [String: Double]
  ) throws -> PlanePoint {
    try validate(layer: layer, context: context)
    let t = layer.converted(to: Double.self)
    let classes = try _BinnedPlane.labelSymbols(context)
    let (h, label) = try bounds(
      t, classes: classes, noiseVariance: noiseVariance, bound: bound, engine: engine, parameters: parameters)
    return assemble(h, label, bound: bound, parameters: parameters, extraDiagnostics: extraDiagnostics)
  }

  /// The plane point of `point(...)` from its bounds and I(T;Y).
  static func assemble(
    _ h: KDEEntropyBounds, _ label: Estimate, bound: KDEBound, parameters: [String: String], extraDiagnostics: [String: Double]
  ) -> PlanePoint {
    var label = label
    var diag = diagnostics(h).merging(extraDiagnostics) { $1 }
    let input = Estimate(
      nats: h.nats(bound) - h.noiseEntropyNats, lowerNats: h.lowerNats - h.noiseEntropyNats,
      upperNats: h.upperNats - h.noiseEntropyNats, parameters: parameters, diagnostics: diag)
    diag = label.diagnostics.merging(extraDiagnostics) { $1 }
    label.diagnostics = diag
    return PlanePoint(inputInformation: input, labelInformation: label)
  }

  /// The plane points of the KDE-family estimators among `estimators` (`KDEEstimator`,
  /// `AdaptiveKDEEstimator`) on one layer, from one pass over its distances
  /// (`KDEEntropyBounds.computeWithGroups(_:noiseVariances:groups:engine:)`): the analysis
  /// runs every estimator of a (snapshot, layer) in one worker, and the KDE and adaptive-KDE
  /// jobs of a layer then share the GEMM tiles, the group masks and the running minima
  /// (issue 17). Keyed by position in `estimators`; each point equals that estimator's
  /// `point(layer:context:)` bit for bit. Only estimators whose point is finite and valid are
  /// in the result (at least two, with one tile size): any other case — a dead layer for
  /// adaptive KDE, a parameter or input error, a non-finite value — is left to the
  /// estimator's own `point`, which then returns or throws exactly as it always does.
  package static func sharedPoints(
    _ estimators: [InformationPlaneEstimator], layer: Matrix<Float>, context: PlaneContext
  ) -> [Int: PlanePoint] {
    struct Member {
      var index: Int
      var noiseVariance: Double
      var bound: KDEBound
      var engine: TiledKernelSums
      var parameters: [String: String]
      var extra: [String: Double]
      var name: String
    }
    var members: [Member] = []
    for (k, e) in estimators.enumerated() {
      if let kde = e as? KDEEstimator {
        guard (try? kde.validate()) != nil else { continue }
        members.append(Member(
          index: k, noiseVariance: kde.noiseVariance, bound: kde.bound, engine: kde.engine,
          parameters: ["sigma2": "\(kde.noiseVariance)", "bound": kde.bound.rawValue], extra: [:], name: kde.name))
      } else if let adaptive = e as? AdaptiveKDEEstimator {
        guard (try? validate(layer: layer, context: context)) != nil,
          let v = try? adaptive.noiseVariance(for: layer), v.maxAbs != 0
        else { continue }
        members.append(Member(
          index: k, noiseVariance: v.variance, bound: adaptive.bound, engine: adaptive.engine,
          parameters: adaptive.parameters, extra: ["max_abs_activation": v.maxAbs], name: adaptive.name))
      }
    }
    guard let engine = members.first?.engine else { return [:] }
    members = members.filter { $0.engine.tileSize == engine.tileSize }
    guard members.count >= 2, (try? validate(layer: layer, context: context)) != nil,
      let classes = try? _BinnedPlane.labelSymbols(context),
      let results = try? KDEEntropyBounds.computeWithGroups(
        layer.converted(to: Double.self), noiseVariances: members.map(\.noiseVariance), groups: classes, engine: engine)
    else { return [:] }
    var points: [Int: PlanePoint] = [:]
    for (m, r) in zip(members, results) {
      guard let hl = try? bounds(r, classes: classes, bound: m.bound, parameters: m.parameters),
        let p = try? assemble(hl.0, hl.1, bound: m.bound, parameters: m.parameters, extraDiagnostics: m.extra)
          .requiringFinite(estimator: m.name, cause: nonFiniteCause)
      else { continue }
      points[m.index] = p
    }
    return points
  }
}
