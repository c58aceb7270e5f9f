import IBPlaneCore
import IBPlaneNumerics
#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// Cauchy–Schwarz divergences between sample sets, as library calls (CS-IB users monitor them
/// as loss diagnostics).
///
/// **Divergence.** For samples P = {p_i} (N rows) and Q = {q_j} (M rows) and a Gaussian
/// kernel k of width σ (the same for all three terms, so the Parzen constants cancel):
///
///     D_CS(p‖q) = −2 log( (1/NM) Σ_ij k(p_i, q_j) ) + log( (1/N²) Σ_ij k(p_i, p_j) ) + log( (1/M²) Σ_ij k(q_i, q_j) )
///
/// D_CS ≥ 0 exactly (Cauchy–Schwarz for kernel mean embeddings), = 0 for identical sets, and
/// symmetric in p, q. Two independent samples of one distribution give D_CS = O(1/N) (the
/// diagonal terms of the two self sums). Cost: three tiled passes, O((N+M)² d), memory O(tile²).
///
/// **Conditional divergence** (Yu et al. 2024, eq. 9, the regression term of CS-IB): for
/// paired samples (x_j, y_j, ŷ_j), with K on x, L¹ on y, L² on ŷ and L²¹_ji = k(ŷ_j, y_i):
///
///     D_CS(p(y|x) ‖ p(ŷ|x)) ≈ log Σ_j (Σ_i K_ji L¹_ji)/(Σ_i K_ji)² + log Σ_j (Σ_i K_ji L²_ji)/(Σ_i K_ji)²
///                              − log Σ_j (Σ_i K_ji L²¹_ji)/(Σ_i K_ji)² − log Σ_j (Σ_i K_ji L¹²_ji)/(Σ_i K_ji)²
///
/// with L¹²_ji = k(y_j, ŷ_i) (the two cross terms differ by which of the pair sits at x_j).
///
/// Normaliser: the KDE-consistent (Σ_i K_ji)² — the Parzen estimate of p(x_j) squared — not
/// the d_j = Σ_i K_ji² of the reference `loss_cs.py`. It is 0 when ŷ = y. Cost: four passes
/// of `TiledKernelSums.pairedGaussianRowSums`, O(N²(d_x + d_y)).
///
/// References: R. Jenssen, J. C. Príncipe, D. Erdogmus, T. Eltoft, "The Cauchy–Schwarz
/// divergence and Parzen windowing", J. Franklin Inst. 343 (2006); S. Yu et al.,
/// "Cauchy–Schwarz Divergence Information Bottleneck for Regression", ICLR 2024.
public enum CauchySchwarzDivergence {
  /// D_CS(p‖q) in nats. The width rule is applied to the pooled samples, so the result is
  /// symmetric in p and q. The width is reported as `sigma` in the diagnostics.
  public static func divergence<S: BLASScalar>(
    _ p: Matrix<S>, _ q: Matrix<S>, width: KernelWidthRule = .default,
    engine: TiledKernelSums = TiledKernelSums()
  ) throws -> Estimate {
    guard p.columns == q.columns else {
      throw EstimatorError.shapeMismatch("P has \(p.columns) columns but Q has \(q.columns)")
    }
    guard p.rows >= 1, q.rows >= 1, p.columns >= 1 else {
      throw EstimatorError.tooFewSamples(needed: 1, got: Swift.min(p.rows, q.rows), what: "the CS divergence (per set)")
    }
    try EstimatorError.validateFinite(p, name: "P")
    try EstimatorError.validateFinite(q, name: "Q")
    let pooled = try Matrix<S>(rows: p.rows + q.rows, columns: p.columns, elements: p.elements + q.elements)
    // One frame (`_KernelFrame`) for both sets: they meet in the cross kernel.
    let fPooled = _KernelFrame(pooled)
    let (fp, fq) = (_KernelFrame(p, exponent: fPooled.exponent), _KernelFrame(q, exponent: fPooled.exponent))
    let framedSigma = try width.framedWidth(for: fPooled, name: "pooled samples")
    let sigma = fPooled.unframed(width: framedSigma)
    let gamma = _KernelFrame<S>.gamma(framedWidth: framedSigma)
    let cross = try engine.gaussianRowSums(fp.data, fq.data, gammas: [gamma])[0].reduce(0, +)
    let selfP = try engine.gaussianRowSums(fp.data, gammas: [gamma])[0].reduce(0, +)
    let selfQ = try engine.gaussianRowSums(fq.data, gammas: [gamma])[0].reduce(0, +)
    let (n, m) = (Double(p.rows), Double(q.rows))
    let value = -2 * log(cross / (n * m)) + log(selfP / (n * n)) + log(selfQ / (m * m))
    return try Estimate(
      nats: value, parameters: ["sigma": "\(sigma)", "width": "\(width)"],
      diagnostics: ["sigma": sigma, "n_p": n, "n_q": m, "cross_mean_kernel": cross / (n * m)]
    ).requiringFinite(
      estimator: "cs-divergence", quantity: "D_CS(p‖q)",
      cause: "every cross kernel value underflowed: the two sets lie farther apart than the kernel width can measure")
  }

  /// Conditional D_CS(p(y|x) ‖ p(ŷ|x)) in nats from paired rows of `x`, `y`, `yHat`
  /// (`y` and `yHat` of the same width). Widths: `widthX` on x; `widthY` on y (also used for ŷ).
  public static func conditionalDivergence<S: BLASScalar>(
    given x: Matrix<S>, _ y: Matrix<S>, _ yHat: Matrix<S>,
    widthX: KernelWidthRule = .default, widthY: KernelWidthRule = .default,
    engine: TiledKernelSums = TiledKernelSums()
  ) throws -> Estimate {
    try EstimatorError.validatePair(x, y, minimumSamples: 2, names: ("X", "Y"))
    try EstimatorError.validatePair(y, yHat, minimumSamples: 2, names: ("Y", "Ŷ"))
    guard y.columns == yHat.columns else {
      throw EstimatorError.shapeMismatch("Y has \(y.columns) columns but Ŷ has \(yHat.columns)")
    }
    // Frames (`_KernelFrame`): X on its own; Y and Ŷ share one, as they meet in the cross kernels.
    let fx = _KernelFrame(x)
    let yExponent = _PowerOfTwo.exponent(
      largest: Swift.max(_PowerOfTwo.largestMagnitude(y), _PowerOfTwo.largestMagnitude(yHat)), for: S.self)
    let (fy, fyHat) = (_KernelFrame(y, exponent: yExponent), _KernelFrame(yHat, exponent: yExponent))
    let (framedX, framedY) = (try widthX.framedWidth(for: fx, name: "X"), try widthY.framedWidth(for: fy, name: "Y"))
    let (sx, sy) = (fx.unframed(width: framedX), fy.unframed(width: framedY))
    let (gx, gy) = (_KernelFrame<S>.gamma(framedWidth: framedX), _KernelFrame<S>.gamma(framedWidth: framedY))
    let (x, y, yHat) = (fx.data, fy.data, fyHat.data)
    let l1 = try engine.pairedGaussianRowSums(x, gammaA: gx, y, gammaB: gy)
    let l2 = try engine.pairedGaussianRowSums(x, gammaA: gx, yHat, gammaB: gy)
    let l21 = try engine.pairedGaussianRowSums(x, gammaA: gx, yHat, y, gammaB: gy)
    let l12 = try engine.pairedGaussianRowSums(x, gammaA: gx, y, yHat, gammaB: gy)
    let density = l1.rowSumsA
    func term(_ h: [Double]) -> Double {
      var s = 0.0
      for j in 0..<h.count { s += h[j] / (density[j] * density[j]) }
      return s
    }
    let value = log(term(l1.rowHadamardSums)) + log(term(l2.rowHadamardSums)) - log(term(l21.rowHadamardSums)) - log(term(l12.rowHadamardSums))
    return try Estimate(
      nats: value,
      parameters: ["sigma_x": "\(sx)", "sigma_y": "\(sy)", "normaliser": "(sum_i K_ji)^2"],
      diagnostics: ["sigma_x": sx, "sigma_y": sy, "n": Double(x.rows)]
    ).requiringFinite(
      estimator: "cs-conditional-divergence", quantity: "D_CS(p(y|x)‖p(ŷ|x))",
      cause: "every kernel value between Y and Ŷ underflowed: they lie farther apart than the width of Y's kernel can measure")
  }
}
