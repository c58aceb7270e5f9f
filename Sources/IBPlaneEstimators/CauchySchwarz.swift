import IBPlaneCore
import IBPlaneNumerics
#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Cauchy–Schwarz quadratic mutual information (CS-QMI) between A (N×a) and B (N×b).
///
/// With Gaussian Gram matrices Kᴬ_ij = exp(−‖a_i − a_j‖²/2σ_A²), Kᴮ likewise (unnormalised:
/// the Parzen constants cancel), the plug-in estimator is
///
///     I_CS(A;B) = log( (1/N²) Σ_ij Kᴬ_ij Kᴮ_ij ) + log( (1/N²) Σ_ij Kᴬ_ij ) + log( (1/N²) Σ_ij Kᴮ_ij )
///                 − 2 log( (1/N³) Σ_i (Σ_j Kᴬ_ij)(Σ_j Kᴮ_ij) )
///
/// i.e. the CS divergence between the joint Parzen density and the product of its marginals.
/// It is ≥ 0 (Cauchy–Schwarz in the RKHS of the product kernel) and 0 iff the kernel mean
/// embeddings factorise. For class labels Y the label kernel is the Kronecker delta
/// Kᵞ_ij = [y_i = y_j], so Σ Kᵀ∘Kᵞ is the sum of within-class kernel sums.
///
/// Only three reductions are needed — Σ Kᴬ∘Kᴮ, both row-sum vectors and their dot product —
/// and they are computed tile by tile through GEMM by `TiledKernelSums.pairedGaussianSums`:
/// memory O(N·tile + N(a+b)), time O(N²(a+b)) flops plus 2N² exponentials, multithreaded.
/// No N×N matrix is ever formed (the reference code's `trace(K Qᵀ)` costs O(N³) for the
/// same number).
///
/// Known bias: the V-statistic form includes the N diagonal terms (K_ii = 1), so for
/// independent A, B the estimate is positive; to leading order
/// E[Î_CS] ≈ (1/N)·(1/p − 1)·(1/q − 1), with p, q the mean off-diagonal kernel values
/// (reported as `independence_bias` in the diagnostics; measured in the tests). Widths
/// matter more than N: small σ drives p, q → 0 and the estimate towards log N.
///
/// Values are in nats (the reference code uses log₂; divide by ln 2 or ask the estimate for bits).
///
/// References: J. C. Príncipe, *Information Theoretic Learning* (Springer 2010), ch. 2;
/// S. Yu, X. Yu, S. Løkse, R. Jenssen, J. C. Príncipe, "Cauchy–Schwarz Divergence Information
/// Bottleneck for Regression", ICLR 2024 (`loss_cs.py`).
public struct CauchySchwarzMutualInformation: MutualInformationEstimator, InformationPlaneEstimator {
  public var name: String { "cs" }
  /// Kernel width rule for the first variable (A; X in the plane's I(X;T)).
  public var widthA: KernelWidthRule
  /// Kernel width rule for the second variable (B; the layer T, and regression targets Y).
  public var widthB: KernelWidthRule
  /// Report I_CS(A;B) / √(I_CS(A;A)·I_CS(B;B)) instead (the form CS-IB trains with);
  /// costs two more tiled passes.
  public var normalised: Bool
  /// The tiled pairwise engine (tile size, threads).
  public var engine: TiledKernelSums
  /// `estimate(_:_:)` only: B is a column of class labels and gets the label kernel (the
  /// plane's I(T;Y) for classes, A in the role of T with `widthA`); `widthB` is not read.
  public var yClasses = false

  /// - Parameters:
  ///   - widthA: σ rule for A (CLI `--sigma-x S` → `.fixed(S)`, else `--width-rule`); default `.default` (Silverman).
  ///   - widthB: σ rule for B (CLI `--sigma-y S`, else `--width-rule`); default `.default` (Silverman).
  ///   - normalised: default `false`.
  ///   - engine: default `TiledKernelSums()` (tiles of 512, all cores).
  public init(
    widthA: KernelWidthRule = .default, widthB: KernelWidthRule = .default, normalised: Bool = false,
    engine: TiledKernelSums = TiledKernelSums()
  ) {
    self.widthA = widthA
    self.widthB = widthB
    self.normalised = normalised
    self.engine = engine
  }

  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y), both at the row's kernel widths. The class-conditional form
  /// would re-derive the widths (median, Silverman) from each class's samples, i.e. measure at a
  /// finer resolution than the row's I(X;T): on the test fixture (N = 120, layer h1) it gave 0.136 bits
  /// against I(X;T) = 0.111, above the bound I(X;T|Y) ≤ I(X;T) of Y → X → T; the difference gave
  /// 0.091. The difference can go negative when the label kernel's I(T;Y) exceeds I(X;T).
  public var conditionalInputForm: ConditionalInputForm { .difference }

  // MARK: The formula

  /// I_CS in nats from the four reductions over N samples (the factors of N cancel:
  /// −2−2−2+6 = 0 powers of N).
  public static func quadraticMutualInformation(
    hadamardSum: Double, totalA: Double, totalB: Double, rowSumDot: Double
  ) -> Double {
    log(hadamardSum) + log(totalA) + log(totalB) - 2 * log(rowSumDot)
  }

  /// Leading-order bias of I_CS for independent variables: (1/N)(1/p − 1)(1/q − 1) with
  /// p = (Σ Kᴬ − N)/(N(N−1)), q likewise (the mean off-diagonal kernel values).
  public static func independenceBias(n: Int, totalA: Double, totalB: Double) -> Double {
    let nn = Double(n)
    let p = (totalA - nn) / (nn * (nn - 1))
    let q = (totalB - nn) / (nn * (nn - 1))
    guard p > 0, q > 0 else { return .infinity }
    return (1 / p - 1) * (1 / q - 1) / nn
  }

  // MARK: Estimation

  /// I_CS(A;B) in nats with Gaussian kernels on both variables, or, with `yClasses`, the
  /// Kronecker label kernel on B (one column of integer labels, `_DiscreteY.classLabels`).
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    if yClasses {
      let (labels, k) = try _DiscreteY.classLabels(b, estimator: name)
      let fa = _KernelFrame(a)
      return try framedClassEstimate(
        fa, sigma: try widthA.framedWidth(for: fa, name: "X"), partition: _DiscreteY.partition(labels, classCount: k))
    }
    let (fa, fb) = (_KernelFrame(a), _KernelFrame(b))
    return try framedEstimate(
      fa, sigmaA: try widthA.framedWidth(for: fa, name: "X"), fb, sigmaB: try widthB.framedWidth(for: fb, name: "Y"))
  }

  /// I_CS with given widths (no rule applied), in the data's units (positive and finite).
  public func gaussianEstimate<S: BLASScalar>(
    _ a: Matrix<S>, sigmaA: Double, _ b: Matrix<S>, sigmaB: Double
  ) throws -> Estimate {
    try Self.validateWidth(sigmaA, "sigmaA")
    try Self.validateWidth(sigmaB, "sigmaB")
    let (fa, fb) = (_KernelFrame(a), _KernelFrame(b))
    return try framedEstimate(fa, sigmaA: fa.framed(width: sigmaA), fb, sigmaB: fb.framed(width: sigmaB))
  }

  /// I_CS on framed variables (`_KernelFrame`: the kernel values of the data in its own
  /// units, whatever its magnitude) with widths in the frames' units.
  func framedEstimate<S: BLASScalar>(
    _ fa: _KernelFrame<S>, sigmaA: Double, _ fb: _KernelFrame<S>, sigmaB: Double
  ) throws -> Estimate {
    let (ga, gb) = (_KernelFrame<S>.gamma(framedWidth: sigmaA), _KernelFrame<S>.gamma(framedWidth: sigmaB))
    let sums = try engine.pairedGaussianSums(fa.data, gammaA: ga, fb.data, gammaB: gb)
    return try framedEstimate(fa, sigmaA: sigmaA, fb, sigmaB: sigmaB, sums: sums)
  }

  /// I_CS from the paired sums of the framed variables at the given framed widths (however
  /// the sums were computed: tiled, or with A's kernel stored).
  func framedEstimate<S: BLASScalar>(
    _ fa: _KernelFrame<S>, sigmaA: Double, _ fb: _KernelFrame<S>, sigmaB: Double, sums: PairedKernelSums
  ) throws -> Estimate {
    let (ga, gb) = (_KernelFrame<S>.gamma(framedWidth: sigmaA), _KernelFrame<S>.gamma(framedWidth: sigmaB))
    let (a, b) = (fa.data, fb.data)
    let (widthA, widthB) = (fa.unframed(width: sigmaA), fb.unframed(width: sigmaB))
    var value = Self.quadraticMutualInformation(
      hadamardSum: sums.hadamardSum, totalA: sums.totalA, totalB: sums.totalB, rowSumDot: sums.rowSumDot)
    var diagnostics: [String: Double] = [
      "sigma_a": widthA, "sigma_b": widthB, "n": Double(a.rows),
      "mean_kernel_a": sums.totalA / Double(a.rows * a.rows),
      "mean_kernel_b": sums.totalB / Double(a.rows * a.rows),
      "independence_bias": Self.independenceBias(n: a.rows, totalA: sums.totalA, totalB: sums.totalB),
    ]
    if normalised {
      let selfA = try selfInformation(a, gamma: ga)
      let selfB = try selfInformation(b, gamma: gb)
      diagnostics["raw_nats"] = value
      diagnostics["self_information_a"] = selfA
      diagnostics["self_information_b"] = selfB
      value /= (selfA * selfB).squareRoot()
    }
    return try Estimate(nats: value, parameters: parameters(widthA, widthB), diagnostics: diagnostics)
      .requiringFinite(estimator: name, quantity: "I_CS(A;B)", cause: Self.nonFiniteCause)
  }

  /// I_CS(A;A) from one tiled pass: row sums of K and of K∘K (= K at 2γ).
  func selfInformation<S: BLASScalar>(_ a: Matrix<S>, gamma: Double) throws -> Double {
    let r = try engine.gaussianRowSums(a, gammas: [gamma, 2 * gamma])
    let total = r[0].reduce(0, +)
    return Self.quadraticMutualInformation(
      hadamardSum: r[1].reduce(0, +), totalA: total, totalB: total, rowSumDot: r[0].reduce(0) { $0 + $1 * $1 })
  }

  /// I_CS(T;Y) for class labels: Kronecker-delta label kernel. Needs the row sums of Kᵀ over
  /// all samples and within each class: one symmetric pass with the classes as groups.
  /// `sigma` in the data's units (positive and finite).
  public func classEstimate<S: BLASScalar>(
    _ t: Matrix<S>, sigma: Double, classes: [Int], partition: [[Int]]
  ) throws -> Estimate {
    try Self.validateWidth(sigma, "sigma")
    let ft = _KernelFrame(t)
    return try framedClassEstimate(ft, sigma: ft.framed(width: sigma), partition: partition)
  }

  /// `classEstimate` on a framed layer with a width in the frame's units.
  /// `layerSums`: Σ_j Kᵀ_ij over all j and over the j of row i's class at this width, when a
  /// pass already computed them (the plane's I(X;T) pass does, from its own exponentials), so
  /// they are not recomputed. Otherwise one symmetric pass with the classes as groups gives
  /// both (N²/2 pairs; issue 17), or, past its accumulators' budget, a full pass plus a pass
  /// over each class's rows (N² + Σ_c n_c² pairs).
  func framedClassEstimate<S: BLASScalar>(
    _ ft: _KernelFrame<S>, sigma framedSigma: Double, partition: [[Int]], layerSums: (all: [Double], within: [Double])? = nil
  ) throws -> Estimate {
    let gamma = _KernelFrame<S>.gamma(framedWidth: framedSigma)
    let sigma = ft.unframed(width: framedSigma)
    let t = ft.data
    let n = t.rows
    let rows: [Double]
    var within = 0.0
    if let sums = try layerSums ?? engine.groupedGaussianRowSums(t, gamma: gamma, groups: Self.classIds(partition, count: n)) {
      rows = sums.all
      within = sums.within.reduce(0, +)
    } else {
      rows = try engine.gaussianRowSums(t, gammas: [gamma])[0]
      for members in partition where !members.isEmpty {
        within += try engine.gaussianRowSums(t.selectingRows(members), gammas: [gamma])[0].reduce(0, +)
      }
    }
    var totalY = 0.0
    var dot = 0.0
    for members in partition where !members.isEmpty {
      let nc = Double(members.count)
      totalY += nc * nc
      for i in members { dot += rows[i] * nc }
    }
    let totalT = rows.reduce(0, +)
    var value = Self.quadraticMutualInformation(hadamardSum: within, totalA: totalT, totalB: totalY, rowSumDot: dot)
    var diagnostics: [String: Double] = [
      "sigma_t": sigma, "n": Double(n), "classes": Double(partition.filter { !$0.isEmpty }.count),
      "mean_kernel_t": totalT / Double(n * n),
      "independence_bias": Self.independenceBias(n: n, totalA: totalT, totalB: totalY),
    ]
    if normalised {
      let selfT = try selfInformation(t, gamma: gamma)
      // Label kernel is idempotent (δ² = δ): I_CS(Y;Y) = log Σn_c² + 2 log Σn_c² − 2 log Σn_c³.
      let cube = partition.reduce(0.0) { $0 + pow(Double($1.count), 3) }
      let selfY = 3 * log(totalY) - 2 * log(cube)
      diagnostics["raw_nats"] = value
      value /= (selfT * selfY).squareRoot()
    }
    return try Estimate(
      nats: value,
      parameters: ["sigma_t": "\(sigma)", "label_kernel": "kronecker", "normalised": "\(normalised)"],
      diagnostics: diagnostics
    ).requiringFinite(estimator: name, quantity: "I_CS(T;Y)", cause: Self.nonFiniteCause)
  }

  // MARK: Information plane

  /// I(X;T) with Gaussian kernels on inputs and layer; I(T;Y) with the label kernel for
  /// `.classes` and a Gaussian kernel for `.targets`. The input and target widths, and the
  /// input kernel matrix Kˣ itself when it fits (`StoredGaussianKernel`, N ≤ 8,192), are
  /// computed once per recording (`context.cached`); the layer width per snapshot. With Kˣ
  /// stored, a job costs one symmetric pass over the layer's pairs (N²/2 exponentials): its
  /// row sums and within-class row sums serve I(T;Y) too. The values equal `estimate` and
  /// `classEstimate` on the same data bit for bit (the same passes, A's kernel recomputed).
  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    guard let x = context.inputs else {
      throw EstimatorError.invalidParameter(
        name: "inputs", value: "none",
        expected: "a recording with an inputs block: the Cauchy–Schwarz estimator needs X's kernel for I(X;T)")
    }
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    // At least two samples and one unit, all finite (as the I(A;B) form requires of A).
    try EstimatorError.validatePair(layer, layer, minimumSamples: 2, names: ("layer", "layer"))
    // Frames (`_KernelFrame`) and widths of the inputs and targets are computed once per recording.
    let fx = context.cached("cs.frame.inputs") { _KernelFrame(x) }
    let sigmaX = try context.cached("cs.framedSigma.inputs.\(widthA)") { try widthA.framedWidth(for: fx, name: "inputs") }
    let ft = _KernelFrame(layer)
    let sigmaT = try widthB.framedWidth(for: ft, name: "layer")
    let stored = try context.cached("cs.kernel.inputs.\(sigmaX).\(engine.tileSize)") {
      try engine.storedGaussianKernel(fx.data, gamma: _KernelFrame<Float>.gamma(framedWidth: sigmaX))
    }
    let ixt: Estimate
    var layerSums: (all: [Double], within: [Double])?
    if let stored {
      // One pass over the layer's pairs (half of them: the symmetric pass) gives I(X;T)'s
      // sums and, with the classes as groups, I(T;Y)'s within-class sums too.
      var classIds: [Int32]?
      if case .classes = context.labels { classIds = context.classGroupIds }
      let r = try engine.pairedGaussianRowSums(
        stored: stored, ft.data, gammaB: _KernelFrame<Float>.gamma(framedWidth: sigmaT), groups: classIds)
      ixt = try framedEstimate(fx, sigmaA: sigmaX, ft, sigmaB: sigmaT, sums: r.summed)
      layerSums = r.withinGroupRowSumsB.map { (r.rowSumsB, $0) }
    } else {
      ixt = try framedEstimate(fx, sigmaA: sigmaX, ft, sigmaB: sigmaT)
    }
    let ity: Estimate
    switch context.labels {
    case .classes:
      ity = try framedClassEstimate(ft, sigma: sigmaT, partition: context.classPartition, layerSums: layerSums)
    case .targets(let y):
      let fy = context.cached("cs.frame.targets") { _KernelFrame(y) }
      let sigmaY = try context.cached("cs.framedSigma.targets.\(widthB)") { try widthB.framedWidth(for: fy, name: "targets") }
      ity = try framedEstimate(ft, sigmaA: sigmaT, fy, sigmaB: sigmaY)
    }
    return PlanePoint(inputInformation: ixt, labelInformation: ity)
  }

  // MARK: Helpers

  /// The class of each of `count` samples as group ids for the engine (`partition` covers 0..<count).
  static func classIds(_ partition: [[Int]], count: Int) -> [Int32] {
    var ids = [Int32](repeating: 0, count: count)
    for (c, members) in partition.enumerated() { for i in members { ids[i] = Int32(c) } }
    return ids
  }

  /// γ = 1/(2σ²) of the engine's exp(−γD).
  @inline(__always) static func gamma(_ sigma: Double) -> Double { 1 / (2 * sigma * sigma) }

  /// What makes a kernel estimate non-finite, for `EstimatorError.nonFiniteResult`.
  static let nonFiniteCause =
    "a kernel sum under- or overflowed (a kernel width extremely far from the data's spread, or a value at the edge of double precision)"

  /// A width given directly (not by a rule) must be positive and finite.
  static func validateWidth(_ sigma: Double, _ name: String) throws {
    guard sigma > 0, sigma.isFinite else {
      throw EstimatorError.invalidParameter(name: name, value: "\(sigma)", expected: "a positive finite kernel width")
    }
  }

  private func parameters(_ sa: Double, _ sb: Double) -> [String: String] {
    [
      "sigma_a": "\(sa)", "sigma_b": "\(sb)", "width_a": "\(widthA)", "width_b": "\(widthB)",
      "normalised": "\(normalised)",
    ]
  }
}
