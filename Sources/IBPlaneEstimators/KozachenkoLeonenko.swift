import IBPlaneCore
import IBPlaneNumerics
/// The Kozachenko–Leonenko estimator of differential entropy H(X) = −E[log f(X)].
///
///     Ĥ = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log ρ_k(i)
///
/// ρ_k(i) is the distance from x_i to its k-th nearest neighbour and V_d the volume of the
/// unit ball of the norm in dimension d (2ᵈ for the max-norm, π^{d/2}/Γ(d/2 + 1) for the
/// Euclidean norm). Values in nats.
///
/// As a `MutualInformationEstimator` (name `kl-entropy`), `estimate(a, b)` returns the
/// **entropy H(A) of the first array** and ignores `b` apart from checking it has as many
/// rows; the estimate says so in `parameters["quantity"]`.
///
/// References: L. F. Kozachenko, N. N. Leonenko, "Sample estimate of the entropy of a random
/// vector", Probl. Inf. Transm. 23 (1987); Kraskov et al. (2004), eq. (20).
///
/// Notes.
/// - Preprocessing (default `.standardize`) is undone exactly: Ĥ(x) = Ĥ(x') + Σ_j log s_j.
/// - Bias: consistent for any fixed k; at finite N biased upwards for heavy-tailed and
///   bounded-support densities (boundary effects: for U[0,1]ᵈ the bias grows with d) and
///   downwards near singular densities. For d ≥ 4 the weighted estimator
///   (`WeightedKozachenkoLeonenko`) removes the leading bias terms.
/// - Duplicated points make ρ = 0 and Ĥ = −∞: refused with `.degenerate`; jitter the data.
/// - Complexity: one kNN search, see `NearestNeighbors`.
public struct KozachenkoLeonenkoEntropy: MutualInformationEstimator {
  public var k: Int
  public var metric: NearestNeighbors.Metric
  public var preprocessing: KNNPreprocessing
  public var algorithm: NearestNeighbors.Algorithm
  public var threads: Int
  public var name: String { "kl-entropy" }

  /// - Parameters:
  ///   - k: neighbour order, default 3.
  ///   - metric: default `.euclidean` (the classical form; `.maximum` also valid).
  ///   - preprocessing: default `.standardize`.
  public init(
    k: Int = 3, metric: NearestNeighbors.Metric = .euclidean, preprocessing: KNNPreprocessing = .standardize,
    algorithm: NearestNeighbors.Algorithm = .automatic, threads: Int = Parallel.defaultThreads
  ) {
    self.k = k
    self.metric = metric
    self.preprocessing = preprocessing
    self.algorithm = algorithm
    self.threads = threads
  }

  /// Ĥ(X) in nats.
  public func entropy<S: BLASScalar>(_ x: Matrix<S>, name: String = "X") throws -> Estimate {
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    guard x.rows > k else { throw EstimatorError.tooFewSamples(needed: k + 1, got: x.rows, what: "kl-entropy with k = \(k)") }
    guard x.columns > 0 else { throw EstimatorError.shapeMismatch("\(name) has no columns") }
    try EstimatorError.validateFinite(x, name: name)
    let (data, logJacobian) = try preprocessing.apply(x, name: name)
    let engine = NearestNeighbors(metric: metric, algorithm: algorithm, threads: threads)
    let set = try _NeighborPoints(data, blocks: nil, metric: metric)
    let list = engine._kNearestReduced(set, k: k)
    let logRho = try _logNeighborDistances(list, order: k, metric: metric, name: name)
    let n = x.rows
    let d = Double(x.columns)
    let logV = try SpecialFunctions.logUnitBallVolume(dimension: x.columns, euclidean: metric == .euclidean)
    let mean = logRho.reduce(0, +) / Double(n)
    let h = try SpecialFunctions.digamma(n) - SpecialFunctions.digamma(k) + logV + d * mean + logJacobian
    return try Estimate(
      nats: h,
      parameters: [
        "quantity": "entropy H(\(name))", "k": "\(k)", "metric": metric.rawValue,
        "preprocessing": preprocessing.rawValue,
        "algorithm": engine.resolvedAlgorithm(samples: n, dimension: x.columns).rawValue,
      ],
      diagnostics: ["n": Double(n), "k": Double(k), "dimension": d, "log_jacobian": logJacobian]
    ).requiringFinite(estimator: self.name, quantity: "H(\(name))")
  }

  /// H(A) of the first array (see the type's documentation); `b` only has to be paired.
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    guard a.rows == b.rows else { throw EstimatorError.shapeMismatch("X has \(a.rows) samples but Y has \(b.rows)") }
    return try entropy(a, name: "X")
  }
}

/// log of the `order`-th neighbour distance of every point (true distances, not reduced);
/// throws `.degenerate` naming the first point whose distance is 0 (duplicates).
func _logNeighborDistances(_ list: NeighborList, order j: Int, metric: NearestNeighbors.Metric, name: String) throws -> [Double] {
  let n = list.distances.count / list.k
  var out = [Double](repeating: 0, count: n)
  for i in 0..<n {
    let r = list.distances[i * list.k + j - 1]
    guard r > 0 else {
      throw EstimatorError.degenerate(
        "\(name): row \(i) has \(j) or more exact duplicates (neighbour distance 0), so log ρ = −∞; add jitter or remove duplicates")
    }
    out[i] = metric == .euclidean ? 0.5 * _math_log(r) : _math_log(r)
  }
  return out
}
