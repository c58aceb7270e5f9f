import IBPlaneCore
import IBPlaneNumerics
/// The Kraskov–Stögbauer–Grassberger estimators of mutual information I(X;Y), algorithms 1 and 2.
///
/// Joint space Z = (X, Y) with ‖z − z'‖ = max(‖x − x'‖, ‖y − y'‖) (max-norm in the joint
/// space; the marginal norm is the max-norm by default, Euclidean with `metric: .euclidean`).
/// For each sample i let ε_i be the distance to its k-th nearest neighbour in Z.
///
/// Algorithm 1:  Î = ψ(k) + ψ(N) − ⟨ψ(n_x(i) + 1) + ψ(n_y(i) + 1)⟩,
///               n_x(i) = #{j ≠ i : ‖x_i − x_j‖ < ε_i}  (strictly inside, as scikit-learn and
///               `mutinfo` count with `nextafter(ε, 0)`), n_y likewise.
/// Algorithm 2:  Î = ψ(k) − 1/k + ψ(N) − ⟨ψ(n_x(i)) + ψ(n_y(i))⟩,
///               ε_x(i) = max of ‖x_i − x_j‖ over the k joint neighbours j of i,
///               n_x(i) = #{j ≠ i : ‖x_i − x_j‖ ≤ ε_x(i)}, n_y likewise.
///
/// ψ is the digamma function (GSL). Values are in nats.
///
/// References: A. Kraskov, H. Stögbauer, P. Grassberger, "Estimating mutual information",
/// Phys. Rev. E 69, 066138 (2004); W. Gao, S. Oh, P. Viswanath, "Demystifying fixed
/// k-nearest neighbor information estimators", IEEE Trans. Inf. Theory 64 (2018).
///
/// Notes.
/// - Bias: close to zero for independent variables (Kraskov et al., fig. 4); for dependent ones the
///   estimate is biased *downwards*, the more so the larger the MI and the dimension
///   (KSG assume a locally uniform density in each ε-box; strong dependence makes the joint
///   density far from uniform at that scale). Measured here at N = 10⁴ (tests in
///   `KSGTests`): within 1–3 % on Gaussian 1×1 and dense 5×5, but 0.42 of 1.02 nats on two
///   correlated pairs among 10 + 10 coordinates and 0.12 of 0.19 nats on Student-t ν = 2
///   (the scikit-learn reference gives the same numbers). Algorithm 2 has smaller bias and
///   larger variance. Heavy tails are a scale problem, not a dimension one: with
///   `preprocessing: .rankGauss` (each coordinate through its empirical CDF and Φ⁻¹; MI is
///   invariant) Student-t ν = 2 gives 0.178 (KSG 1) and 0.186 (KSG 2) of 0.193 nats
///   (`ibplane synth --task student-2x2-nu2 --n 10000 --seed 14`, then
///   `ibplane estimate --estimator ksg --preprocess rank-gauss`). The sparse 10 + 10 task has no
///   such fix: its bias comes from the 18 uninformative coordinates in the joint max-norm.
/// - The raw value can be negative (small-sample noise around 0): it is reported as is, with
///   `diagnostics["negative"] = 1`, never clipped (scikit-learn clips to 0).
/// - Symmetric: swapping X and Y gives exactly the same number.
/// - Exact ties (discrete or mixed data: saturated units, dead ReLUs, discrete inputs). A
///   sample whose k-th joint neighbour is at distance ρ_i = 0 is treated by the rule of Gao,
///   Kannan, Oh & Viswanath, "Estimating mutual information for discrete-continuous
///   mixtures", NeurIPS 2017: k is replaced by k̃_i = #{j ≠ i : z_j = z_i} (its exact joint
///   duplicates, ≥ k) and the marginal counts become n_x(i) = #{j ≠ i : x_j = x_i} — every
///   other row equal to x_i, i.e. the k̃_i joint duplicates plus the rows that agree in X but
///   not in Y ("≤ 0" instead of "< 0", which would give 0) — and n_y likewise. Its term is
///   ψ(k̃_i) + ψ(N) − ψ(n_x(i) + 1) − ψ(n_y(i) + 1), the plug-in log p(x,y)/(p(x)p(y)) at the
///   atom. Samples with ρ_i > 0 are unchanged, so on continuous data the estimate is bit for
///   bit KSG's. On purely discrete data the estimator is the plug-in MI up to O(1/count)
///   (T = Y balanced binary: ψ(N/2 − 1) + ψ(N) − 2ψ(N/2) = log 2 − O(1/N)). Duplicates are
///   found by hashing rows after preprocessing (`_ExactDuplicates`, O(N d)), only when some
///   ρ_i = 0. `diagnostics["tied_samples"]` counts the tied samples; `parameters["ties"]` is
///   `gao2017`. Gao et al. count "≤ ρ_i" and use log instead of ψ for every sample; keeping
///   KSG's strict counts and ψ for ρ_i > 0 keeps the continuous estimate (and the
///   scikit-learn equality) unchanged.
///   KSG 2 has no mixture form and refuses tied data with `EstimatorError.degenerate`. Its
///   −1/k term comes from the two sides ε_x, ε_y of the k-neighbour box each being set by a
///   neighbour; when all k joint neighbours share x_i or y_i exactly (ε_x(i) = 0 or
///   ε_y(i) = 0: an atom in a marginal, which includes every ρ_i = 0), that side is 0 whatever
///   k is and the correction is wrong even for samples with ρ_i > 0. Measured on the mixture
///   "T = Y with probability ½, else N(2Y − 1, 1)" (true 0.515 nats, N = 5,000): KSG 1 with the
///   tie rule 0.512, KSG 2 0.332 — half the samples shifted by ≈ −1/k. Refusing (rather than
///   silently mixing KSG 1 and KSG 2 terms) keeps `ksg2` rows comparable across snapshots.
///   The optional seeded `jitterScale` (scikit-learn adds 1e-10 noise unconditionally; here off
///   by default and recorded when on) breaks all ties instead, so no sample is tied.
/// - Whitening (`preprocessing: .whiten`) goes through GEMM, whose rounding may differ between
///   equal rows; exact duplicates can then become 1e-16-close distinct rows and count as
///   continuous. `.standardize` and `.none` map equal rows to equal rows.
/// - Complexity and the engine choice (`algorithm: .automatic`; the engines give identical
///   counts, hence identical values — tested against brute force — and `parameters["algorithm"]`
///   / `["count_algorithm"]` record which ran). Joint kNN: a k-d tree in low total dimension
///   (O(N log N) for fixed small d, degrading as d grows; up to 4 joint max-norm dimensions a
///   specialised one, `LowDimensionTree.swift`); under the max-norm from 10 joint
///   dimensions, box bitsets (O(N² d / 64) word operations, `BoxBitsets.swift`) up to
///   N = 40,000 in 10–11 joint dimensions, 120,000 in 12–15 and 400,000 from 16, where the tree
///   nears a scan — the tree beyond (its leaves scanned four points at a time in SIMD lanes).
///   Marginal counts at the joint radius (boxes of hundreds to thousands of rows): one
///   max-norm dimension by galloping search on the sorted values and two by an offline Fenwick
///   sweep (both O(N log N) whatever the boxes hold: `SortedNeighbors1D.swift`,
///   `SweepCounts2D.swift`); from 4 dimensions box bitsets up to N = 80,000 (120,000 in 6–7
///   dimensions, 400,000 from 8), the k-d tree beyond (tree bitsets in 6–7 dimensions);
///   Euclidean marginals never use bitsets or the sweep. One bitset
///   structure over the joint coordinates serves the joint kNN and both marginal counts where
///   they use it. Measured growth (bench/results/ksg-growth.md): 1+1 and 2+2 close to N log N;
///   5+5 superlinear past 10⁵ (the 5-d marginal boxes grow like √N and a tree count costs about
///   m^(4/5) per box of m rows), 10+10 quadratic (no exact method escapes the dimension there).
///   Speed against the scikit-learn reference: docs/performance.md (`ibplane-bench ksg-100k`).
public struct KSGEstimator: MutualInformationEstimator {
  public enum Variant: Int, Sendable { case one = 1, two = 2 }

  public var variant: Variant
  public var k: Int
  public var metric: NearestNeighbors.Metric
  public var preprocessing: KNNPreprocessing
  /// Relative jitter scale (scikit-learn uses 1e-10); `nil` = no jitter (default).
  public var jitterScale: Double?
  public var seed: UInt64
  public var algorithm: NearestNeighbors.Algorithm
  public var threads: Int

  /// `ksg` (algorithm 1) or `ksg2` (algorithm 2).
  public var name: String { variant == .one ? "ksg" : "ksg2" }

  /// - Parameters:
  ///   - variant: `.one` (default) or `.two`.
  ///   - k: neighbours, default 3 (KSG's and scikit-learn's default).
  ///   - metric: marginal norm, default `.maximum`.
  ///   - preprocessing: default `.standardize` (each column to mean 0, sd 1).
  ///   - jitterScale: default `nil` (off).
  ///   - seed: jitter seed, default 0.
  public init(
    variant: Variant = .one, k: Int = 3, metric: NearestNeighbors.Metric = .maximum,
    preprocessing: KNNPreprocessing = .standardize, jitterScale: Double? = nil, seed: UInt64 = 0,
    algorithm: NearestNeighbors.Algorithm = .automatic, threads: Int = Parallel.defaultThreads
  ) {
    self.variant = variant
    self.k = k
    self.metric = metric
    self.preprocessing = preprocessing
    self.jitterScale = jitterScale
    self.seed = seed
    self.algorithm = algorithm
    self.threads = threads
  }

  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    if let s = jitterScale {
      try EstimatorParameterRange.check(s, in: EstimatorParameterRange.jitter, name: "jitter", what: "a jitter scale")
    }
    try EstimatorError.validatePair(a, b, minimumSamples: k + 1)
    var x = try preprocessing.apply(a, name: "X", forEntropy: false).data
    var y = try preprocessing.apply(b, name: "Y", forEntropy: false).data
    if let s = jitterScale {
      x = NearestNeighbors.jittered(x, scale: s, seed: seed)
      y = NearestNeighbors.jittered(y, scale: s, seed: RandomSource(seed: seed).derivedSeed(1))
    }
    let n = x.rows
    let engine = NearestNeighbors(metric: metric, algorithm: algorithm, threads: threads)
    let joint = try x.concatenatingColumns(y)
    let jointSet = try _NeighborPoints(joint, blocks: [0..<x.columns, x.columns..<joint.columns], metric: metric)
    let xSet = try _NeighborPoints(x, blocks: nil, metric: metric)
    let ySet = try _NeighborPoints(y, blocks: nil, metric: metric)
    // Max-norm with the box-bitset engine: one structure over the joint coordinates serves the
    // joint kNN and both marginal counts (X is coordinates 0..<dx, Y the rest), each where the
    // measured rule prefers it (`NearestNeighbors.resolvedAlgorithm` / `resolvedCountAlgorithm`).
    let jointAlgorithm = engine.resolvedAlgorithm(samples: n, dimension: joint.columns)
    let boxCounts = [x.columns, y.columns].map { engine.resolvedCountAlgorithm(samples: n, dimension: $0) == .boxBitsets }
    let box: _BoxBitsets? =
      metric == .maximum && (jointAlgorithm == .boxBitsets || boxCounts.contains(true))
      ? _BoxBitsets(jointSet, order: _KDTree(jointSet, lanes: false).order) : nil
    let neighbours: NeighborList
    if let box, jointAlgorithm == .boxBitsets {
      neighbours = engine._boxKNearest(jointSet, k: k, box: box)
    } else {
      neighbours = engine._kNearestReduced(jointSet, k: k)
    }
    func counts(_ set: _NeighborPoints, _ dims: Range<Int>, _ radii: [Double], inclusive: Bool) -> [Int] {
      if let box, boxCounts[dims.lowerBound == 0 ? 0 : 1] {
        return box.count(dims: dims, radii: radii, inclusive: inclusive, threads: threads)
      }
      return engine._countReduced(set, reducedRadii: radii, inclusive: inclusive)
    }
    let xDims = 0..<x.columns, yDims = x.columns..<joint.columns
    /// Both marginal counts. In one max-norm dimension each is a serial radix sort and a short
    /// search per row, which two threads split poorly (one count at N = 10⁴: 0.64 ms on 2
    /// threads against about 1 ms on one), so there the two run side by side, one thread each;
    /// elsewhere (sweeps, trees, bitsets) one after the other, each on every thread.
    func marginalCounts(_ rx: [Double], _ ry: [Double], inclusive: Bool) -> ([Int], [Int]) {
      let serialEach = threads >= 2 && metric == .maximum && algorithm == .automatic && x.columns == 1 && y.columns == 1
      guard serialEach else {
        return (counts(xSet, xDims, rx, inclusive: inclusive), counts(ySet, yDims, ry, inclusive: inclusive))
      }
      let single = NearestNeighbors(metric: metric, algorithm: algorithm, threads: 1)
      var cx: [Int] = [], cy: [Int] = []
      Parallel.forEach(2, threads: 2) { side in
        if side == 0 {
          cx = single._countReduced(xSet, reducedRadii: rx, inclusive: inclusive)
        } else {
          cy = single._countReduced(ySet, reducedRadii: ry, inclusive: inclusive)
        }
      }
      return (cx, cy)
    }
    // ψ is tabulated only up to the largest argument used (the counts, k, the tie counts), and
    // ψ(N) taken alone: a table up to N costs 20 ns per entry (GSL), 5 % of a 1 + 1 estimate.
    func psiTable(_ counts: [Int]...) throws -> [Double] {
      try _digammaTable(upTo: counts.reduce(k) { Swift.max($0, $1.max() ?? 0) } + 1)
    }
    let psiN = try SpecialFunctions.digamma(n)

    var ties = 0
    var nx: [Int]
    var ny: [Int]
    let value: Double
    switch variant {
    case .one:
      let eps = (0..<n).map { neighbours.kthDistance($0) }
      (nx, ny) = marginalCounts(eps, eps, inclusive: false)
      // Exact ties (Gao et al. 2017): a sample whose k-th joint neighbour is at distance 0 sits
      // on an atom; it gets k̃_i = its joint duplicates and marginal counts of exact duplicates.
      let tied = _KSGTies(x: x, y: y, kthDistances: eps, k: k)
      ties = tied.count
      var tiedK: [Int] = []
      if ties > 0 {
        for i in 0..<n {
          if let t = tied.tied[i] {
            nx[i] = t.nx
            ny[i] = t.ny
            tiedK.append(t.k)
          }
        }
      }
      let psi = try psiTable(nx, ny, tiedK)
      var sum = 0.0
      for i in 0..<n { sum += psi[nx[i] + 1] + psi[ny[i] + 1] }
      var v = psi[k] + psiN - sum / Double(n)
      if ties > 0 { v += tiedK.reduce(0.0) { $0 + (psi[$1] - psi[k]) } / Double(n) }
      value = v
    case .two:
      var ex = [Double](repeating: 0, count: n)
      var ey = [Double](repeating: 0, count: n)
      x.elements.withUnsafeBufferPointer { xp in
        y.elements.withUnsafeBufferPointer { yp in
          for i in 0..<n {
            for t in 0..<k {
              let j = neighbours.indices[i * k + t]
              ex[i] = Swift.max(ex[i], xSet.reducedDistance(xp.baseAddress! + i * x.columns, xp.baseAddress! + j * x.columns))
              ey[i] = Swift.max(ey[i], ySet.reducedDistance(yp.baseAddress! + i * y.columns, yp.baseAddress! + j * y.columns))
            }
          }
        }
      }
      (nx, ny) = marginalCounts(ex, ey, inclusive: true)
      // An exact tie in a marginal (all k joint neighbours share x_i or y_i) leaves one side of
      // KSG 2's box undetermined; the estimator is undefined there (see the type's notes).
      let degenerate = (0..<n).filter { ex[$0] == 0 || ey[$0] == 0 }.count
      guard degenerate == 0 else {
        throw EstimatorError.degenerate(
          "KSG 2 is undefined with exact ties: \(degenerate) of \(n) samples have all k = \(k) joint neighbours "
            + "equal to them in X or in Y (a discrete, saturated or dead variable), so its −1/k box correction does not apply; "
            + "use ksg (KSG 1 with the Gao et al. 2017 tie rule), or break the ties with KSGEstimator(jitterScale:)")
      }
      let psi = try psiTable(nx, ny)
      var sum = 0.0
      for i in 0..<n { sum += psi[nx[i]] + psi[ny[i]] }
      value = psi[k] - 1 / Double(k) + psiN - sum / Double(n)
    }
    var parameters: [String: String] = [
      "k": "\(k)", "metric": metric.rawValue, "preprocessing": preprocessing.rawValue,
      "algorithm": jointAlgorithm.rawValue,
      "count_algorithm": zip(["x", "y"], [x.columns, y.columns]).map { name, d in
        "\(name):" + (algorithm == .automatic && metric == .maximum && d <= 2 ? (d == 1 ? "sorted" : "sweep-2d")
          : engine.resolvedCountAlgorithm(samples: n, dimension: d).rawValue)
      }.joined(separator: ","),
      "variant": "\(variant.rawValue)",
    ]
    parameters["jitter"] = jitterScale.map { "\($0) (seed \(seed))" } ?? "off"
    parameters["ties"] = variant == .one ? "gao2017" : "refused"
    return try Estimate(
      nats: value, parameters: parameters,
      diagnostics: [
        "n": Double(n), "k": Double(k),
        "mean_nx": Double(nx.reduce(0, +)) / Double(n), "mean_ny": Double(ny.reduce(0, +)) / Double(n),
        "negative": value < 0 ? 1 : 0, "tied_samples": Double(ties),
      ]
    ).requiringFinite(estimator: name, quantity: "I(X;Y)")
  }
}

/// The samples of a KSG estimate whose k-th joint neighbour is at distance 0, with their
/// Gao et al. (2017) counts: k̃ = #{j ≠ i : x_j = x_i and y_j = y_i},
/// n_x = #{j ≠ i : x_j = x_i} (the k̃ joint duplicates plus the rows equal in X only), n_y likewise.
struct _KSGTies {
  struct Counts { var k: Int; var nx: Int; var ny: Int }
  /// `tied[i]` is non-nil exactly for the tied samples.
  let tied: [Counts?]
  let count: Int

  /// - Parameters:
  ///   - kthDistances: reduced k-th joint-neighbour distances (0 iff 0 in any form).
  init(x: Matrix<Double>, y: Matrix<Double>, kthDistances: [Double], k: Int) {
    let n = kthDistances.count
    guard kthDistances.contains(0) else {
      tied = [Counts?](repeating: nil, count: n)
      count = 0
      return
    }
    let dx = _ExactDuplicates(x)
    let dy = _ExactDuplicates(y)
    let joint = _ExactDuplicates.multiplicities(of: (0..<n).map { _PairKey(a: dx.representative[$0], b: dy.representative[$0]) })
    var out = [Counts?](repeating: nil, count: n)
    var c = 0
    // ρ_i = 0 with fewer than k exact duplicates happens only when a Euclidean squared
    // distance underflows to 0; such a sample keeps the continuous rule.
    for i in 0..<n where kthDistances[i] == 0 && joint[i] - 1 >= k {
      out[i] = Counts(k: joint[i] - 1, nx: dx.multiplicity[i] - 1, ny: dy.multiplicity[i] - 1)
      c += 1
    }
    tied = out
    count = c
  }
}
