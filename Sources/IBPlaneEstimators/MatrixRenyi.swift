import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Matrix-based Rényi α-order entropy and mutual information.
///
/// For N samples with Gaussian Gram matrix K (K_ii = 1), the trace-normalised A = K / tr K
/// (= K/N; in general A_ij = K_ij / (N √(K_ii K_jj))) is positive semi-definite with unit
/// trace, and
///
///     S_α(A) = 1/(1−α) · log Σ_i λ_i(A)^α,        S_1(A) = −Σ_i λ_i log λ_i  (von Neumann, α → 1)
///     S_α(A, B) = S_α( A∘B / tr(A∘B) )             (joint, Hadamard product)
///     I_α(A;B) = S_α(A) + S_α(B) − S_α(A, B)
///
/// Values are in nats here (the papers use log₂: divide by ln 2). For class labels the label
/// kernel is the Kronecker delta: A_Y has eigenvalues n_c/N (so S_α(Y) is the Rényi entropy of
/// the class proportions) and A_T∘K_Y is block-diagonal, so the joint spectrum is the union of
/// the class blocks' spectra — Σ_c n_c³ instead of N³.
///
/// Methods:
/// - exact: eigenvalues of the N×N matrix by LAPACK's two-stage reduction, values only
///   (`dsyevd_2stage`: dense → band with BLAS-3, then bulge chasing; faster than the one-stage
///   `dsyevd` when only values are wanted) — O(N³) time, 8N² bytes; refused above
///   `exactLimit` (5,000 by default). The spectra of S(A), S(B) and S(A,B) are independent and
///   are decomposed at the same time, each on its own thread with one OpenBLAS thread (the
///   two-stage solver's bulge chasing is sequential, so three single-threaded calls sharing the
///   cores beat three multi-threaded calls in a row; each number is still computed by one
///   thread, so results do not depend on the thread count). Speed against numpy, and against
///   the machine's DGEMM peak: docs/performance.md (`ibplane-bench kernel-estimators`).
/// - exact-float32: the same on the single-precision Gram matrix (`ssyevd_2stage`), 4N² bytes,
///   and faster (docs/performance.md). Float32 eigenvalues carry absolute errors ~1e-7·λ_max, which S_α at
///   α = 1.01 amplifies by 1/(α − 1): measured I_α within 1.1e-5 relative of the Double value
///   (N = 2,000) and 1e-4 nats in the tests. The automatic choice between `exactLimit` and
///   `exactFloat32Limit` (16,384): far closer to the exact value than Nyström there.
///   **Automatic choice:** exact for N ≤ 5,000, exact-float32 for N ≤ 16,384 (the regression
///   baselines' sizes; exact to ~1e-5 and, below ~8,000, about as fast as slq), slq:16:25 above
///   (matrix-free; Nyström's error there is unbounded on slowly decaying spectra, slq's is
///   reported as `slq_standard_error`).
/// - α = 2 needs no eigen-decomposition: Σ λ² = tr(A²) = Σ_ij A_ij², and Σ_ij (Kᴬ∘Kᴮ)²_ij is
///   the Hadamard sum of the kernels at 2γ. Runs through `TiledKernelSums` at any N in O(N·tile)
///   memory; always used when α = 2.
/// - Nyström with m landmarks (seeded uniform): K ≈ C W⁺ Cᵀ with C = K[:, L], W = K[L, L]. Its
///   non-zero eigenvalues are those of Λ^(−1/2) Uᵀ (CᵀC) U Λ^(−1/2) (W = UΛUᵀ, eigenvalues below
///   1e-10·λ_max dropped); CᵀC (m×m) is accumulated block by block, so memory is
///   O(m² + tile·m), time O(N m (d + m) + m³). The trace ρ = 1 − Σ λ̃ that the rank-r
///   approximation misses is put back as a moment-matched tail: k = ρ²/μ₂ equal eigenvalues
///   of size μ₂/ρ, with μ₂ = tr(A²) − Σ λ̃² and tr(A²) computed exactly by one tiled pass
///   (clamped to 1 ≤ k ≤ N − r). Dropping the tail instead makes 1/(1−α)·log Σλ^α blow up for
///   α near 1 (Σλ̃ < 1); spreading it over all N − r slots over-estimates S_α. Measured
///   (`ibplane-bench renyi-nystrom`, N = 4,096, m = 1,000): +0.65 % on 2-d Gaussians, −4.0 %
///   on 12-d inputs vs a tanh layer. **When not to use it:** slowly decaying spectra (high
///   dimension, narrow kernels) — at N = 8,192 with 10-d and 5-d views (σ = 2) the joint
///   kernel's rank-1,000 approximation misses a third of the trace and I_α is 43 % too high.
///   Check by doubling m, or use α = 2 (exact at any N).
/// - slq:p:m — deflated stochastic Lanczos quadrature (`MatrixRenyi+SLQ.swift`,
///   `_StochasticLanczos`): tr f(A), f(λ) = λ^α (−λ log λ at α = 1), as Σ f(θ_i) over the
///   converged top Ritz values of a 512-dimensional block Krylov space (blocks of 32, full
///   reorthogonalisation) plus a Hutchinson estimate of what remains, M = P A P: p seeded
///   Rademacher probes, each an m-step Lanczos Gauss quadrature (`dstev`), with the control
///   variate c·tr(M) (tr M is known exactly; at α → 1, f(λ) ≈ λ and the variance that
///   remains is that of f(λ) − cλ). No eigen-decomposition of A; products A·V as one GEMM on
///   the stored float32 Gram matrix up to N = `slqStoredLimit`, or recomputed tile by tile in
///   single precision (`gaussianProductSingle`: one SGEMM for the exponent, libmvec's expf, one
///   SGEMM with V; O(N·(tile + p + 512)) memory). The Krylov basis, the Ritz vectors and the
///   probes' Lanczos vectors are stored in single precision and used in Double arithmetic
///   (`_SingleBasis`): ≈ 4N·(512 + 384) bytes at the deflation step, 210 MB + 160 MB at
///   N = 10⁵, where Double needed twice that. Cost: 16 block products of 32 columns plus m of
///   p columns per entropy, each O(N²); see docs/performance.md for measured times at
///   N = 2·10⁴ … 10⁵. α = 2 needs none of this and is exact at any N. The same seed gives every entropy of an estimate the same
///   probes (common random numbers). Error: Hutchinson's variance 2‖f(M) − cM‖²_F / p
///   (Ubaru et al. give p ≥ 24 ε⁻² log(2/η) for a relative (ε, η) guarantee on tr f, far too
///   pessimistic here); the measured standard error of each S_α is reported as
///   `slq_standard_error`, and the tests hold I_α within 0.5 % of the exact value.
/// - subsample m×r: the exact estimate on r seeded subsamples of m rows, averaged. Entropies
///   grow with the sample count (S ≤ log N), so this estimates the m-sample quantity, not the
///   N-sample one; I_α is less sensitive than S_α.
///
/// Known behaviour: S_α(A) ≤ log N with equality iff A = I/N (σ → 0); I_α ≥ 0 is not guaranteed
/// by the functional in general but holds for the Hadamard joint with Gaussian kernels in
/// practice, and I_α ≤ min(S_α(A), S_α(B)) (Sánchez Giraldo et al. 2015, prop. 4.1).
///
/// References: L. G. Sánchez Giraldo, M. Rao, J. C. Príncipe, "Measures of entropy from data
/// using infinitely divisible kernels", IEEE Trans. Inf. Theory 61 (2015); S. Yu, K. Wickstrøm,
/// R. Jenssen, J. C. Príncipe, "Understanding convolutional neural networks with information
/// theory: an initial exploration", IEEE TNNLS (2019); K. Wickstrøm, S. Løkse, M. Kampffmeyer,
/// S. Yu, J. Príncipe, R. Jenssen, "Information plane analysis of deep neural networks via
/// matrix-based Rényi's entropy and tensor kernels" (2019); C. Williams, M. Seeger, "Using the
/// Nyström method to speed up kernel machines", NIPS 2001.
public struct MatrixRenyiMutualInformation: MutualInformationEstimator, InformationPlaneEstimator {
  public var name: String { "renyi" }
  /// The order α > 0; α = 1 is the von Neumann limit, α = 2 uses the tiled engine.
  public var alpha: Double
  public var widthA: KernelWidthRule
  public var widthB: KernelWidthRule
  public var approximation: Approximation
  /// Largest N decomposed exactly in Double (8N² bytes per matrix).
  public var exactLimit: Int
  /// Largest N decomposed exactly in single precision (4N² bytes per matrix) by `.automatic`
  /// and `.exactFloat32`.
  public var exactFloat32Limit: Int
  /// Seed of landmark / subsample selection.
  public var seed: UInt64
  public var engine: TiledKernelSums
  /// `slq`: dimension of the block Krylov space whose converged top Ritz pairs are deflated.
  package var slqDeflation = 512
  /// `slq`: largest N whose Gram matrix is stored (single precision, 4N² bytes); above it every
  /// product is recomputed tile by tile.
  package var slqStoredLimit = 10_000

  /// - Parameters:
  ///   - alpha: default 1.01 (Yu et al. 2019); CLI `--alpha`.
  ///   - widthA / widthB: CLI `--sigma-x` / `--sigma-y` (`.fixed`), else `--width-rule`; default `.default` (Silverman).
  ///   - approximation: default `.automatic`; CLI `--approx exact|exact-float32|nystrom:m|subsample:m|slq:p:m`.
  ///   - exactLimit: default 5,000.
  ///   - seed: default 0.
  public init(
    alpha: Double = 1.01, widthA: KernelWidthRule = .default, widthB: KernelWidthRule = .default,
    approximation: Approximation = .automatic, exactLimit: Int = 5_000, exactFloat32Limit: Int = 16_384,
    seed: UInt64 = 0, engine: TiledKernelSums = TiledKernelSums()
  ) {
    self.exactFloat32Limit = exactFloat32Limit
    self.alpha = alpha
    self.widthA = widthA
    self.widthB = widthB
    self.approximation = approximation
    self.exactLimit = exactLimit
    self.seed = seed
    self.engine = engine
  }

  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y), both at the row's kernel widths. The class-conditional form
  /// would re-derive the widths from each class's samples (a finer resolution than the row's
  /// I(X;T)): on the test fixture (N = 120, layer h1) it gave 1.04 bits against I(X;T) = 0.958, above the bound
  /// I(X;T|Y) ≤ I(X;T) of Y → X → T; the difference gave 0.895. It can go negative when
  /// Î(T;Y) > Î(X;T).
  public var conditionalInputForm: ConditionalInputForm { .difference }

  // MARK: Spectral entropy

  /// S_α in nats of a unit-trace spectrum `eigenvalues` (negative rounding noise clamped to 0),
  /// plus `tailCount` (possibly fractional) further eigenvalues equal to `tailValue`.
  public static func entropy(
    eigenvalues: [Double], alpha: Double, tailCount: Double = 0, tailValue: Double = 0
  ) -> Double {
    let tail = tailCount > 0 && tailValue > 0
    if alpha == 1 {
      var s = 0.0
      for l in eigenvalues where l > 0 { s -= l * log(l) }
      if tail { s -= tailCount * tailValue * log(tailValue) }
      return s
    }
    var p = 0.0
    for l in eigenvalues where l > 0 { p += pow(l, alpha) }
    if tail { p += tailCount * pow(tailValue, alpha) }
    if p >= Double.leastNormalMagnitude && p.isFinite { return log(p) / (1 - alpha) }
    // Large α: every λ^α (λ ≤ 1) underflows and log Σλ^α would be −∞. Factor out the largest
    // eigenvalue, log Σλ^α = α log λ_max + log Σ(λ/λ_max)^α, whose sum lies in [1, count]:
    // S_α then tends to −log λ_max (the min-entropy), as it should.
    let top = Swift.max(eigenvalues.max() ?? 0, tail ? tailValue : 0)
    guard top > 0 else { return .nan }
    var q = 0.0
    for l in eigenvalues where l > 0 { q += pow(l / top, alpha) }
    if tail { q += tailCount * pow(tailValue / top, alpha) }
    return (alpha * log(top) + log(q)) / (1 - alpha)
  }

  // MARK: Estimation

  /// I_α(A;B) in nats with Gaussian kernels on both variables. Diagnostics carry the three
  /// entropies (`entropy_a`, `entropy_b`, `joint_entropy`, nats) and the widths.
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    try validateParameters()
    // Kernels on framed data (`_KernelFrame`): the values of the data in its own units at any magnitude.
    let (fa, fb) = (_KernelFrame(a), _KernelFrame(b))
    let sa = try widthA.framedWidth(for: fa, name: "X")
    let sb = try widthB.framedWidth(for: fb, name: "Y")
    let va = _KernelView(data: fa.data, gamma: _KernelFrame<S>.gamma(framedWidth: sa))
    let vb = _KernelView(data: fb.data, gamma: _KernelFrame<S>.gamma(framedWidth: sb))
    let method = resolvedMethod(n: a.rows)
    let report = _SpectrumReport()
    let (ha, hb, hab) = try entropies(first: [va], second: [vb], labels: nil, method: method, n: a.rows, report: report)
    return try result(
      ha, hb, hab, method: method,
      diagnostics: report.diagnostics(["sigma_a": fa.unframed(width: sa), "sigma_b": fb.unframed(width: sb), "n": Double(a.rows)]))
  }

  /// S_α(A) in nats of one variable with a Gaussian kernel of width `sigma` (data units, positive and finite).
  public func entropy<S: BLASScalar>(_ a: Matrix<S>, sigma: Double) throws -> Double {
    try validateParameters()
    try CauchySchwarzMutualInformation.validateWidth(sigma, "sigma")
    let f = _KernelFrame(a)
    let v = _KernelView(data: f.data, gamma: f.gamma(width: sigma))
    let h = try averagedEntropies(views: [[v]], labels: nil, method: resolvedMethod(n: a.rows), n: a.rows)[0]
    guard h.isFinite else {
      throw EstimatorError.nonFiniteResult(estimator: name, quantity: "S_α(A)", value: h, cause: Self.nonFiniteCause)
    }
    return h
  }

  // MARK: Information plane

  /// I(X;T) with Gaussian kernels; I(T;Y) with the Kronecker label kernel (`.classes`) or a
  /// Gaussian kernel (`.targets`). S_α(X), S_α(Y) and the input/target widths are computed
  /// once per recording through `context.cached`.
  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    guard let x = context.inputs else {
      throw EstimatorError.invalidParameter(
        name: "inputs", value: "none",
        expected: "a recording with an inputs block: the matrix-based Rényi estimator needs X's kernel for I(X;T)")
    }
    guard layer.rows == context.sampleCount else {
      throw EstimatorError.shapeMismatch("layer has \(layer.rows) samples but the recording has \(context.sampleCount)")
    }
    try validateParameters()
    // At least two samples and one unit, all finite (as the I(A;B) form requires of A).
    try EstimatorError.validatePair(layer, layer, minimumSamples: 2, names: ("layer", "layer"))
    let n = layer.rows
    let method = resolvedMethod(n: n)
    let key = "renyi.\(alpha).\(method).\(seed)"
    // Frames (`_KernelFrame`) and widths (in the frames' units) of the inputs and targets are
    // computed once per recording.
    let fx = context.cached("renyi.frame.inputs") { _KernelFrame(x) }
    let sigmaX = try context.cached("renyi.framedSigma.inputs.\(widthA)") { try widthA.framedWidth(for: fx, name: "inputs") }
    let ft = _KernelFrame(layer)
    let sigmaT = try widthB.framedWidth(for: ft, name: "layer")
    let vx = _KernelView(data: fx.data, gamma: _KernelFrame<Float>.gamma(framedWidth: sigmaX))
    let vt = _KernelView(data: ft.data, gamma: _KernelFrame<Float>.gamma(framedWidth: sigmaT))
    let (widthX, widthT) = (fx.unframed(width: sigmaX), ft.unframed(width: sigmaT))
    let hx = try context.cached("\(key).entropy.inputs.\(sigmaX)") {
      try averagedEntropies(views: [[vx]], labels: nil, method: method, n: n)[0]
    }
    let reportXT = _SpectrumReport()
    let ht: Double
    let hxt: Double
    var withinClassSquaredSum: Double?
    if case .tiledAlpha2 = method,
      let stored = try context.cached("renyi.kernel2.inputs.\(sigmaX).\(engine.tileSize)", {
        try engine.storedGaussianKernel(vx.data, gamma: 2 * vx.gamma)
      })
    {
      // α = 2 with X's kernel at 2γ stored once per recording (while the stored kernels' budget
      // allows): one pass over the layer gives Σ(Kᵀ)² and Σ(Kˣ∘Kᵀ)² together, instead of a
      // pass for T and a paired pass recomputing X's kernel in every job. Same tiles, same
      // exponentials, same order of additions: the same values as the two passes.
      // With class labels the same pass also gives the within-class sums of I(T;Y)'s joint
      // kernel (Kᵀ ∘ δ at 2γ), and the pass is symmetric (half the pairs; issue 17).
      var classIds: [Int32]?
      if case .classes = context.labels { classIds = context.classGroupIds }
      let r = try engine.pairedGaussianRowSums(stored: stored, vt.data, gammaB: 2 * vt.gamma, groups: classIds)
      let s = r.summed
      let nn = Double(n) * Double(n)
      (ht, hxt) = (-log(s.totalB / nn), -log(s.hadamardSum / nn))
      withinClassSquaredSum = r.withinGroupRowSumsB?.reduce(0, +)
    } else {
      (ht, hxt) = try pair(
        averagedEntropies(views: [[vt], [vx, vt]], labels: nil, method: method, n: n, report: reportXT))
    }
    let ixt = try result(
      hx, ht, hxt, method: method, diagnostics: reportXT.diagnostics(["sigma_a": widthX, "sigma_b": widthT, "n": Double(n)]),
      quantity: "I(X;T)")
    let reportTY = _SpectrumReport()
    let ity: Estimate
    switch context.labels {
    case .classes(let c, _):
      let hy = context.cached("\(key).entropy.classes") {
        Self.entropy(eigenvalues: context.classPartition.map { Double($0.count) / Double(n) }, alpha: alpha)
      }
      let hty =
        try withinClassSquaredSum.map { -log($0 / (Double(n) * Double(n))) }
        ?? averagedEntropies(views: [[vt]], labels: c, method: method, n: n, report: reportTY)[0]
      ity = try result(ht, hy, hty, method: method, diagnostics: reportTY.diagnostics(["sigma_a": widthT, "n": Double(n)]), quantity: "I(T;Y)")
    case .targets(let y):
      let fy = context.cached("renyi.frame.targets") { _KernelFrame(y) }
      let sigmaY = try context.cached("renyi.framedSigma.targets.\(widthB)") { try widthB.framedWidth(for: fy, name: "targets") }
      let vy = _KernelView(data: fy.data, gamma: _KernelFrame<Float>.gamma(framedWidth: sigmaY))
      let hy = try context.cached("\(key).entropy.targets.\(sigmaY)") {
        try averagedEntropies(views: [[vy]], labels: nil, method: method, n: n)[0]
      }
      let hty = try averagedEntropies(views: [[vt, vy]], labels: nil, method: method, n: n, report: reportTY)[0]
      ity = try result(
        ht, hy, hty, method: method,
        diagnostics: reportTY.diagnostics(["sigma_a": widthT, "sigma_b": fy.unframed(width: sigmaY), "n": Double(n)]),
        quantity: "I(T;Y)")
    }
    return PlanePoint(inputInformation: ixt, labelInformation: ity)
  }

  // MARK: Methods

  enum _Method: CustomStringConvertible {
    case exact, exactFloat32, tiledAlpha2, nystrom(Int), subsample(Int, Int), slq(Int, Int)
    var description: String {
      switch self {
      case .exact: return "exact"
      case .exactFloat32: return "exact-float32"
      case .tiledAlpha2: return "tiled-alpha2"
      case .nystrom(let m): return "nystrom:\(m)"
      case .subsample(let m, let r): return "subsample:\(m):\(r)"
      case .slq(let p, let m): return "slq:\(p):\(m)"
      }
    }
  }

  func resolvedMethod(n: Int) -> _Method {
    if alpha == 2 { return .tiledAlpha2 }
    switch approximation {
    case .automatic:
      if n <= exactLimit { return .exact }
      return n <= exactFloat32Limit ? .exactFloat32 : .slq(Self.slqDefaultProbes, Self.slqDefaultSteps)
    case .exact: return .exact
    case .exactFloat32: return .exactFloat32
    case .nystrom(let m): return .nystrom(m)
    case .subsample(let m, let r): return .subsample(m, r)
    case .slq(let p, let m): return .slq(p, m)
    }
  }

  /// Throws when α, the landmark count or the subsample size and repeats are outside their
  /// `EstimatorParameterRange`s (time and memory grow with each; a huge r ran for hours).
  func validateParameters() throws {
    try EstimatorParameterRange.check(alpha, in: EstimatorParameterRange.alpha, name: "alpha", what: "an order α (1: von Neumann)")
    let r = EstimatorParameterRange.self
    switch approximation {
    case .nystrom(let m) where !r.landmarks.contains(m):
      throw EstimatorError.invalidParameter(
        name: "approx", value: "\(approximation)", expected: "nystrom:m with m in \(r.landmarks.lowerBound)…\(r.landmarks.upperBound) landmarks")
    case .subsample(let m, let repeats) where !r.subsampleSize.contains(m) || !r.subsampleRepeats.contains(repeats):
      throw EstimatorError.invalidParameter(
        name: "approx", value: "\(approximation)",
        expected: "subsample:m[:r] with m in \(r.subsampleSize.lowerBound)…\(r.subsampleSize.upperBound) rows "
          + "and r in \(r.subsampleRepeats.lowerBound)…\(r.subsampleRepeats.upperBound) repeats")
    case .slq(let p, let m) where !r.slqProbes.contains(p) || !r.slqSteps.contains(m):
      throw EstimatorError.invalidParameter(
        name: "approx", value: "\(approximation)",
        expected: "slq:p[:m] with p in \(r.slqProbes.lowerBound)…\(r.slqProbes.upperBound) probes "
          + "and m in \(r.slqSteps.lowerBound)…\(r.slqSteps.upperBound) Lanczos steps")
    default: break
    }
    for rule in [widthA, widthB] { try rule.validate() }
    try EstimatorParameterRange.check(exactLimit, in: EstimatorParameterRange.exactLimit, name: "exact-limit", what: "a sample count")
    try EstimatorParameterRange.check(
      exactFloat32Limit, in: EstimatorParameterRange.exactFloat32Limit, name: "exact-float32-limit", what: "a sample count")
  }

  /// What makes a Rényi estimate non-finite, for `EstimatorError.nonFiniteResult`.
  static let nonFiniteCause =
    "a kernel or eigenvalue sum under- or overflowed (a kernel width extremely far from the data's spread, or an extreme order α)"

  private func result(
    _ ha: Double, _ hb: Double, _ hab: Double, method: _Method, diagnostics: [String: Double], quantity: String = "I_α(A;B)"
  ) throws -> Estimate {
    var d = diagnostics
    d["entropy_a"] = ha
    d["entropy_b"] = hb
    d["joint_entropy"] = hab
    var p: [String: String] = ["alpha": "\(alpha)", "method": "\(method)", "seed": "\(seed)"]
    if let s = d["sigma_a"] { p["sigma_a"] = "\(s)" }
    if let s = d["sigma_b"] { p["sigma_b"] = "\(s)" }
    return try Estimate(nats: ha + hb - hab, parameters: p, diagnostics: d)
      .requiringFinite(estimator: name, quantity: quantity, cause: Self.nonFiniteCause)
  }

  private func pair(_ v: [Double]) -> (Double, Double) { (v[0], v[1]) }

  /// (S(A), S(B), S(A,B)) for Gaussian views `first` and `second` (each a Hadamard product of
  /// views), optionally with the label kernel on the joint only.
  private func entropies<S: BLASScalar>(
    first: [_KernelView<S>], second: [_KernelView<S>], labels: [Int]?, method: _Method, n: Int,
    report: _SpectrumReport? = nil
  ) throws -> (Double, Double, Double) {
    if case .tiledAlpha2 = method, labels == nil, first.count == 1, second.count == 1 {
      // One pass: the paired sums at 2γ give Σ(Kᴬ)², Σ(Kᴮ)² and Σ(Kᴬ∘Kᴮ)² together.
      let s = try engine.pairedGaussianSums(
        first[0].data, gammaA: 2 * first[0].gamma, second[0].data, gammaB: 2 * second[0].gamma)
      let nn = Double(n) * Double(n)
      return (-log(s.totalA / nn), -log(s.totalB / nn), -log(s.hadamardSum / nn))
    }
    let h = try averagedEntropies(views: [first, second, first + second], labels: labels, method: method, n: n, report: report)
    return (h[0], h[1], h[2])
  }

  /// S_α of each kernel in `views` (each a Hadamard product of Gaussian views, times the
  /// Kronecker label kernel when `labels` is given). For `subsample`, every kernel uses the
  /// same r subsamples and the entropies are averaged over them.
  func averagedEntropies<S: BLASScalar>(
    views: [[_KernelView<S>]], labels: [Int]?, method: _Method, n: Int, report: _SpectrumReport? = nil
  ) throws -> [Double] {
    switch method {
    case .subsample(let m, let r):
      let rng = RandomSource(seed: seed)
      var sums = [Double](repeating: 0, count: views.count)
      for _ in 0..<r {
        let rows = m >= n ? Array(0..<n) : Array(rng.permutation(n).prefix(m))
        for (k, v) in views.enumerated() {
          let sub = v.map { _KernelView(data: $0.data.selectingRows(rows), gamma: $0.gamma) }
          let subLabels = labels.map { l in rows.map { l[$0] } }
          sums[k] += try singleEntropy(sub, labels: subLabels, method: .exact, n: rows.count)
        }
      }
      return sums.map { $0 / Double(r) }
    case .exact where views.count > 1 && engine.threads > 1,
      .exactFloat32 where views.count > 1 && engine.threads > 1,
      .slq where views.count > 1 && engine.threads > 1 && n <= slqStoredLimit:
      // Independent eigen-decompositions, each on one pool worker with one OpenBLAS thread:
      // LAPACK's two-stage reduction scales poorly over threads (its bulge chasing is
      // sequential), so single-threaded decompositions side by side beat multi-threaded ones
      // in a row. At most `threads` run at once (the `--threads` bound), and each number is
      // computed by one thread whatever the scheduling, so results do not depend on it.
      var results = [Result<Double, Error>](repeating: .success(0), count: views.count)
      results.withUnsafeMutableBufferPointer { out in
        let slots = out.baseAddress!
        Parallel.forEach(views.count, threads: engine.threads) { v in
          slots[v] = Result { try singleEntropy(views[v], labels: labels, method: method, n: n, report: report) }
        }
      }
      return try results.map { try $0.get() }
    default:
      return try views.map { try singleEntropy($0, labels: labels, method: method, n: n, report: report) }
    }
  }

  /// S_α from the exact spectrum of the Gram matrix stored as `Out` (Double for `exact`, Float
  /// for `exact-float32`). With labels the joint kernel is block-diagonal: its spectrum is the
  /// union of the class blocks' spectra, each scaled by 1/N.
  private func exactEntropy<S: BLASScalar, Out: BLASScalar>(
    _ views: [_KernelView<S>], labels: [Int]?, n: Int, as: Out.Type
  ) throws -> Double {
    let blocks = labels.map(_MatrixRenyiKernels.classBlocks)
    var values: [Double] = []
    for rows in blocks ?? [[]] {
      let sub = blocks == nil ? views : views.map { _KernelView(data: $0.data.selectingRows(rows), gamma: $0.gamma) }
      var k = try _MatrixRenyiKernels.gram(sub, as: Out.self, engine: engine)
      values += try Matrix.symmetricEigenvalues(consuming: &k).map { Double($0) / Double(n) }
    }
    return Self.entropy(eigenvalues: values, alpha: alpha)
  }

  private func singleEntropy<S: BLASScalar>(
    _ views: [_KernelView<S>], labels: [Int]?, method: _Method, n: Int, report: _SpectrumReport? = nil
  ) throws -> Double {
    switch method {
    case .tiledAlpha2:
      return -log(try _MatrixRenyiKernels.squaredKernelSum(views, labels: labels, engine: engine) / (Double(n) * Double(n)))
    case .exact:
      guard n <= exactLimit else {
        throw EstimatorError.invalidParameter(
          name: "approx", value: "exact at N = \(n)",
          expected: "N ≤ \(exactLimit) for the exact eigen-decomposition; use nystrom:m or subsample:m, or α = 2")
      }
      return try exactEntropy(views, labels: labels, n: n, as: Double.self)
    case .exactFloat32:
      guard n <= Swift.max(exactFloat32Limit, exactLimit) else {
        throw EstimatorError.invalidParameter(
          name: "approx", value: "exact-float32 at N = \(n)",
          expected: "N ≤ \(exactFloat32Limit) for the single-precision eigen-decomposition; use nystrom:m or subsample:m, or α = 2")
      }
      return try exactEntropy(views, labels: labels, n: n, as: Float.self)
    case .nystrom(let m):
      let rng = RandomSource(seed: seed)
      let landmarks = m >= n ? Array(0..<n) : Array(rng.permutation(n).prefix(m)).sorted()
      let values = try _MatrixRenyiKernels.nystromEigenvalues(views, labels: labels, landmarks: landmarks, engine: engine)
        .map { $0 / Double(n) }
      // Moment-matched tail: the trace the rank-r approximation misses, ρ = 1 − Σλ̃, and its
      // second moment μ₂ = tr(A²) − Σλ̃² (tr(A²) exactly, from one tiled pass) define k = ρ²/μ₂
      // equal eigenvalues of size μ₂/ρ (k clamped to [1, N − r]).
      let missing = Swift.max(0, 1 - values.reduce(0, +))
      report?.record(missingTrace: missing)
      let room = Double(n - values.count)
      guard missing > 0, room >= 1 else { return Self.entropy(eigenvalues: values, alpha: alpha) }
      let trace2 = try _MatrixRenyiKernels.squaredKernelSum(views, labels: labels, engine: engine) / (Double(n) * Double(n))
      let secondMoment = trace2 - values.reduce(0) { $0 + $1 * $1 }
      let count = secondMoment > 0 ? Swift.min(room, Swift.max(1, missing * missing / secondMoment)) : room
      return Self.entropy(eigenvalues: values, alpha: alpha, tailCount: count, tailValue: missing / count)
    case .subsample:
      return try averagedEntropies(views: [views], labels: labels, method: method, n: n)[0]
    case .slq(let p, let m):
      return try slqEntropy(views, labels: labels, n: n, probes: p, steps: m, report: report)
    }
  }
}
