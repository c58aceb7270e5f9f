import Foundation

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
/// Computation: the row log-sum-exps come from `TiledKernelSums.gaussianRowLogSums` (stable
/// running maximum per row; both γ = 1/2σ² and 1/8σ² from one distance computation per tile),
/// in double precision. O(N²·d) time through GEMM plus O(N²) exponentials, O(N·tile) memory.
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
    guard noiseVariance.isFinite, noiseVariance > 0 else {
      throw EstimatorError.invalidParameter(name: "sigma2", value: "\(noiseVariance)", expected: "a positive finite noise variance")
    }
    guard t.rows >= 1 else { throw EstimatorError.tooFewSamples(needed: 1, got: t.rows, what: "KDE entropy bounds") }
    let gamma = 1 / (2 * noiseVariance)
    let logSums = try engine.gaussianRowLogSums(t, gammas: [gamma, gamma / 4])
    let n = Double(t.rows)
    let d = Double(t.columns)
    let base = d / 2 + d / 2 * log(2 * Double.pi * noiseVariance) + log(n)
    let meanKL = logSums[0].reduce(0, +) / n
    let meanBha = logSums[1].reduce(0, +) / n
    return KDEEntropyBounds(
      upperNats: base - meanKL, lowerNats: base - meanBha, samples: t.rows, dimension: t.columns,
      noiseVariance: noiseVariance)
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

  public init(noiseVariance: Double = 0.1, bound: KDEBound = .upper, engine: TiledKernelSums = TiledKernelSums()) {
    self.noiseVariance = noiseVariance
    self.bound = bound
    self.engine = engine
  }

  public var name: String { "kde" }
  public var parameterDescription: String { "sigma2=\(noiseVariance);bound=\(bound.rawValue)" }

  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    let partition = _KDEPlane.partition(DiscreteEntropy.symbols(rowsOf: b))
    return try _KDEPlane.labelInformation(
      a.converted(to: Double.self), partition: partition, noiseVariance: noiseVariance, bound: bound,
      engine: engine, parameters: ["sigma2": "\(noiseVariance)", "bound": bound.rawValue])
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    try _KDEPlane.point(
      layer: layer, context: context, noiseVariance: noiseVariance, bound: bound, engine: engine,
      parameters: ["sigma2": "\(noiseVariance)", "bound": bound.rawValue], extraDiagnostics: [:])
  }
}

/// The information-plane coordinates shared by the KDE estimators.
enum _KDEPlane {
  static func partition(_ s: DiscreteSymbols) -> [[Int]] {
    var parts = [[Int]](repeating: [], count: s.count)
    for (i, id) in s.ids.enumerated() { parts[Int(id)].append(i) }
    return parts
  }

  /// Σ_y p(y) H(T | Y=y) for both bounds.
  static func conditionalBounds(
    _ t: Matrix<Double>, partition: [[Int]], noiseVariance: Double, engine: TiledKernelSums
  ) throws -> (upper: Double, lower: Double) {
    let n = Double(t.rows)
    var upper = 0.0
    var lower = 0.0
    for part in partition where !part.isEmpty {
      let b = try KDEEntropyBounds.compute(t.selectingRows(part), noiseVariance: noiseVariance, engine: engine)
      let p = Double(part.count) / n
      upper += p * b.upperNats
      lower += p * b.lowerNats
    }
    return (upper, lower)
  }

  static func diagnostics(_ h: KDEEntropyBounds) -> [String: Double] {
    [
      "noise_variance": h.noiseVariance, "h_upper_nats": h.upperNats, "h_lower_nats": h.lowerNats,
      "h_noise_nats": h.noiseEntropyNats, "n": Double(h.samples), "dimension": Double(h.dimension),
    ]
  }

  static func labelInformation(
    _ t: Matrix<Double>, partition: [[Int]], noiseVariance: Double, bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String]
  ) throws -> Estimate {
    let h = try KDEEntropyBounds.compute(t, noiseVariance: noiseVariance, engine: engine)
    return try labelInformation(h, t, partition: partition, bound: bound, engine: engine, parameters: parameters)
  }

  static func labelInformation(
    _ h: KDEEntropyBounds, _ t: Matrix<Double>, partition: [[Int]], bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String]
  ) throws -> Estimate {
    let c = try conditionalBounds(t, partition: partition, noiseVariance: h.noiseVariance, engine: engine)
    let kl = h.upperNats - c.upper
    let bha = h.lowerNats - c.lower
    var diag = diagnostics(h)
    diag["mi_kl_nats"] = kl
    diag["mi_bhattacharyya_nats"] = bha
    diag["classes"] = Double(partition.filter { !$0.isEmpty }.count)
    return Estimate(nats: bound == .upper ? kl : bha, parameters: parameters, diagnostics: diag)
  }

  static func point(
    layer: Matrix<Float>, context: PlaneContext, noiseVariance: Double, bound: KDEBound, engine: TiledKernelSums,
    parameters: [String: String], extraDiagnostics: [String: Double]
  ) throws -> PlanePoint {
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    guard case .classes = context.labels else {
      throw EstimatorError.invalidParameter(
        name: "labels", value: "regression targets", expected: "class labels (KDE estimates I(T;Y) per class)")
    }
    try EstimatorError.validateFinite(layer, name: "layer")
    let t = layer.converted(to: Double.self)
    let h = try KDEEntropyBounds.compute(t, noiseVariance: noiseVariance, engine: engine)
    var diag = diagnostics(h).merging(extraDiagnostics) { $1 }
    let input = Estimate(
      nats: h.nats(bound) - h.noiseEntropyNats, lowerNats: h.lowerNats - h.noiseEntropyNats,
      upperNats: h.upperNats - h.noiseEntropyNats, parameters: parameters, diagnostics: diag)
    var label = try labelInformation(h, t, partition: context.classPartition, bound: bound, engine: engine, parameters: parameters)
    diag = label.diagnostics.merging(extraDiagnostics) { $1 }
    label.diagnostics = diag
    return PlanePoint(inputInformation: input, labelInformation: label)
  }
}
