import CNative

/// A linear operator on blocks: `y ← A·x` for row-major N×b blocks `x` and `y` (b columns).
/// `A` must be symmetric positive semi-definite for the quadrature below to mean anything.
package typealias _BlockOperator = (_ x: UnsafeBufferPointer<Double>, _ width: Int, _ y: UnsafeMutableBufferPointer<Double>) throws -> Void

/// The spectral measure of a symmetric PSD matrix A as deflated stochastic Lanczos quadrature
/// (SLQ) sees it, from which tr f(A) is estimated for any f with f(0) = 0:
///
///     tr f(A) ≈ Σ_i f(θ_i) + c·tr(M) + (1/p) Σ_j ν_j Σ_l τ_jl² (f(x_jl) − c·x_jl)
///
/// - θ_i (`atoms`): converged top Ritz values of a block Krylov space (deflation): their
///   Ritz vectors Y span a near-invariant subspace, so yᵀ f(A) y = f(θ) + O(‖r‖²) for a
///   residual r = A y − θ y (only pairs with ‖r‖ ≤ 0.01 θ are kept).
/// - M = P A P, P = I − Y Yᵀ (what deflation leaves), tr(M) = tr(A) − Σ θ_i exactly.
/// - x_jl, τ_jl (`probes`): Gauss quadrature nodes and weights of the Lanczos tridiagonal of M
///   started at the projected Rademacher probe z_j = P r_j, ν_j = ‖z_j‖² (Ubaru, Chen & Saad 2017).
/// - c: a control variate. Gauss quadrature is exact for x, so Σ_l ν_j τ_jl² x_jl = z_jᵀ M z_j,
///   whose expectation tr(M) is known: subtracting c·x leaves the mean unchanged and removes
///   the part of the Hutchinson variance (2‖f(M) − cM‖²_F instead of 2‖f(M)‖²_F) that
///   f's linear trend causes — the whole story at α → 1, where λ^α ≈ λ.
package struct _SpectralQuadrature: Sendable {
  /// Ritz values of the deflated (near-invariant) subspace, each counted once.
  package var atoms: [Double] = []
  /// tr(P A P): the trace the atoms leave.
  package var residualTrace: Double = 0
  /// Per probe: quadrature nodes and their weights ν τ² (not yet divided by the probe count).
  package var probes: [(nodes: [Double], weights: [Double])] = []

  package init(atoms: [Double] = [], residualTrace: Double = 0, probes: [(nodes: [Double], weights: [Double])] = []) {
    self.atoms = atoms
    self.residualTrace = residualTrace
    self.probes = probes
  }

  /// The largest point of the measure (0 when empty).
  package var largest: Double {
    var m = atoms.max() ?? 0
    for p in probes { m = Swift.max(m, p.nodes.max() ?? 0) }
    return m
  }
}

/// Deflated stochastic Lanczos quadrature (see `_SpectralQuadrature`).
///
/// References: S. Ubaru, J. Chen, Y. Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos
/// quadrature", SIAM J. Matrix Anal. Appl. 38 (2017); R. A. Meyer, C. Musco, C. Musco,
/// D. P. Woodruff, "Hutch++: optimal stochastic trace estimation", SOSA 2021 (deflation);
/// G. H. Golub, G. Meurant, "Matrices, moments and quadrature with applications" (2010).
package enum _StochasticLanczos {
  /// Columns per block of the deflation Krylov space: wide enough that a product costs little
  /// more than packing the matrix once, narrow enough that the Krylov degree (dimension / 32)
  /// lets the top Ritz pairs converge.
  static let deflationBlock = 32

  /// The measure of the N×N operator `apply` with trace `trace`.
  /// - probes: p Rademacher probes, advanced together (one block product per step).
  /// - steps: m Lanczos steps per probe (full reorthogonalisation).
  /// - deflation: dimension of the block Krylov space (blocks of 32 columns) whose converged
  ///   top Ritz pairs are deflated; 0: none.
  /// Deterministic in `seed` (probes from GSL's mt19937); every product is computed by `apply`.
  package static func quadrature(
    order n: Int, trace: Double, probes p: Int, steps m: Int, deflation d: Int, seed: UInt64, apply: _BlockOperator
  ) throws -> _SpectralQuadrature {
    precondition(n > 0 && p > 0 && m > 0 && d >= 0, "SLQ needs N, probes and steps ≥ 1")
    let rng = RandomSource(seed: seed)
    var result = _SpectralQuadrature()
    // Deflation: top Ritz pairs of a block Krylov space started from seeded Rademacher blocks.
    var y = _SingleBasis(rows: n, stride: 0)  // N×k, orthonormal columns (to single precision)
    var k = 0
    if d > 0 {
      let b = Swift.min(deflationBlock, n)
      let blocks = Swift.max(1, Swift.min((d + b - 1) / b, n / b))
      let start = rademacher(rows: n, columns: b, rng: RandomSource(seed: rng.derivedSeed(0)))
      let krylov = try blockLanczos(order: n, start: start, width: b, blocks: blocks, apply: apply)
      // At most 3/4 of a proper subspace: its bottom Ritz pairs rarely converge, and Y's N×k
      // floats count against the memory bound of the matrix-free path.
      let keep = krylov.dimension >= n ? n : 3 * krylov.dimension / 4
      (y, result.atoms) = ritzPairs(krylov, order: n, keep: keep)
      k = result.atoms.count
    }
    result.residualTrace = Swift.max(0, trace - result.atoms.reduce(0, +))
    if k >= n { return result }
    // Probes z_j = P r_j, Lanczos on M = P A P.
    var z = rademacher(rows: n, columns: p, rng: RandomSource(seed: rng.derivedSeed(1)))
    project(&z, width: p, out: y, k: k, n: n)
    // The Lanczos vectors stay in range(P) (each is P·A·(…) orthogonalised against vectors
    // in range(P)), so only the product needs projecting.
    let projected: _BlockOperator = { x, w, out in
      try apply(x, w, out)
      // One pass: A·v has only a residual-sized component in range(Y) (Y is near-invariant),
      // so classical Gram–Schmidt loses nothing to cancellation here.
      project(out, width: w, against: y, k: k, n: n, passes: 1)
    }
    result.probes = try lanczosQuadrature(order: n, start: z, width: p, steps: m, apply: projected)
    return result
  }

  /// N×b matrix of ±1 (row-major), drawn row by row.
  static func rademacher(rows: Int, columns: Int, rng: RandomSource) -> [Double] {
    (0..<(rows * columns)).map { _ in rng.integer(below: 2) == 0 ? -1 : 1 }
  }

  // MARK: Projections

  /// x ← (I − Y Yᵀ) x, `passes` times (classical Gram–Schmidt twice is enough), for an N×w block x
  /// and the N×k single-precision orthonormal Y (Double arithmetic, `_SingleBasis`).
  static func project(_ x: inout [Double], width w: Int, out y: _SingleBasis, k: Int, n: Int) {
    x.withUnsafeMutableBufferPointer { project($0, width: w, against: y, k: k, n: n) }
  }

  static func project(_ x: UnsafeMutableBufferPointer<Double>, width w: Int, against y: _SingleBasis, k: Int, n: Int, passes: Int = 2) {
    guard k > 0, w > 0 else { return }
    for _ in 0..<passes {
      let c = y.transposeTimes(columns: k, UnsafePointer(x.baseAddress!), width: w)
      c.withUnsafeBufferPointer { y.times(columns: k, $0.baseAddress!, width: w, alpha: -1, beta: 1, into: x.baseAddress!) }
    }
  }

  /// Orthonormalises the columns of the N×w block `x` in place (Householder QR, `LAPACKE_dgeqrf`
  /// then `LAPACKE_dorgqr`). Rank-deficient blocks still come back orthonormal.
  static func orthonormalise(_ x: inout [Double], rows n: Int, width w: Int) throws {
    var tau = [Double](repeating: 0, count: w)
    let info1 = ibp_LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, Int32(n), Int32(w), &x, Int32(w), &tau)
    guard info1 == 0 else { throw NumericsError.lapackFailure(routine: "dgeqrf", info: Int(info1)) }
    let info2 = ibp_LAPACKE_dorgqr(LAPACK_ROW_MAJOR, Int32(n), Int32(w), Int32(w), &x, Int32(w), tau)
    guard info2 == 0 else { throw NumericsError.lapackFailure(routine: "dorgqr", info: Int(info2)) }
  }
}
