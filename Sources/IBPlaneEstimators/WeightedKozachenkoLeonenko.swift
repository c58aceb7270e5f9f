import IBPlaneCore
import IBPlaneNumerics
/// The weighted Kozachenko–Leonenko entropy estimator of Berrett, Samworth & Yuan, and the
/// mutual information built from it, Î(X;Y) = Ĥ(X) + Ĥ(Y) − Ĥ(X,Y) (name `wkl`).
///
///     Ĥ_w = (1/N) Σ_i Σ_{j=1..k} w_j log ξ_(j),i,   ξ_(j),i = e^{−ψ(j)} V_d (N − 1) ρ_(j),i^d
///
/// ρ_(j),i is the distance from x_i to its j-th neighbour, V_d the unit-ball volume. The
/// weights have minimum L₂ norm subject to Σ_j w_j = 1 and Σ_j w_j Γ(j + 2l/d)/Γ(j) = 0 for
/// l = 1…⌊d/4⌋ (least squares, as Berrett's `L2OptW`: w = Gᵀ(GGᵀ)⁻¹e₁). For d < 4 there is no
/// constraint beyond the sum and the weights are (0, …, 0, 1): plain Kozachenko–Leonenko with
/// the k-th neighbour; k = 1 gives w = (1).
///
/// References: T. B. Berrett, R. J. Samworth, M. Yuan, "Efficient multivariate entropy
/// estimation via k-nearest neighbour distances", Ann. Statist. 47 (2019); I. Butakov et al.,
/// "Information bottleneck analysis of deep neural networks via lossy compression", ICLR 2024
/// (k = 5 after whitening, the defaults here).
///
/// Notes.
/// - Whitening (default) is undone by adding ½ log det Σ, Σ the sample covariance.
/// - Bias: the weights cancel the leading d-dependent bias terms, making the estimator
///   efficient for d ≤ ~8 at moderate N; for larger d it remains biased like every kNN
///   estimator. The MI inherits the errors of three entropies; they partly cancel.
/// - Complexity: three kNN searches (X, Y, joint).
public struct WeightedKozachenkoLeonenko: MutualInformationEstimator {
  public var k: Int
  public var metric: NearestNeighbors.Metric
  public var preprocessing: KNNPreprocessing
  public var algorithm: NearestNeighbors.Algorithm
  public var threads: Int
  public var name: String { "wkl" }

  /// - Parameters:
  ///   - k: largest neighbour order, default 5 (Butakov et al.).
  ///   - metric: default `.euclidean` (Berrett et al.).
  ///   - preprocessing: default `.whiten`.
  public init(
    k: Int = 5, metric: NearestNeighbors.Metric = .euclidean, preprocessing: KNNPreprocessing = .whiten,
    algorithm: NearestNeighbors.Algorithm = .automatic, threads: Int = Parallel.defaultThreads
  ) {
    self.k = k
    self.metric = metric
    self.preprocessing = preprocessing
    self.algorithm = algorithm
    self.threads = threads
  }

  /// The Berrett–Samworth–Yuan weights w_1…w_k for dimension d.
  public static func weights(k: Int, dimension d: Int) throws -> [Double] {
    guard k >= 1, d >= 1 else { throw EstimatorError.invalidParameter(name: "k, d", value: "\(k), \(d)", expected: "both ≥ 1") }
    if k == 1 { return [1] }
    let constraints = d / 4
    if constraints == 0 { return [Double](repeating: 0, count: k - 1) + [1] }
    var g = Matrix<Double>(rows: constraints + 1, columns: k)
    for j in 1...k {
      g[0, j - 1] = 1
      for l in 1...constraints {
        g[l, j - 1] = _math_exp(try SpecialFunctions.logGamma(Double(j) + 2 * Double(l) / Double(d)) - SpecialFunctions.logGamma(Double(j)))
      }
    }
    guard constraints + 1 <= k else {
      throw EstimatorError.invalidParameter(
        name: "k", value: "\(k)", expected: "k > ⌊d/4⌋ = \(constraints) so the weight constraints can be met (d = \(d))")
    }
    // a = (G Gᵀ)⁻¹ e₁ through the eigen-decomposition of the small SPD matrix G Gᵀ (LAPACK syevd).
    let ggt = try g.multiplied(by: g, transposingOther: true)
    let (values, vectorsOpt) = try ggt.symmetricEigen(vectors: true)
    guard let v = vectorsOpt, let smallest = values.first, smallest > 0 else {
      throw EstimatorError.degenerate("weight system for k = \(k), d = \(d) is singular")
    }
    var a = [Double](repeating: 0, count: constraints + 1)
    for r in 0...constraints {
      for c in 0...constraints { a[r] += v[r, c] * v[0, c] / values[c] }
    }
    var w = [Double](repeating: 0, count: k)
    for j in 0..<k { for r in 0...constraints { w[j] += g[r, j] * a[r] } }
    return w
  }

  /// Ĥ_w(X) in nats.
  public func entropy<S: BLASScalar>(_ x: Matrix<S>, name: String = "X") throws -> Estimate {
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    guard x.rows > k else { throw EstimatorError.tooFewSamples(needed: k + 1, got: x.rows, what: "wkl with k = \(k)") }
    guard x.columns > 0 else { throw EstimatorError.shapeMismatch("\(name) has no columns") }
    try EstimatorError.validateFinite(x, name: name)
    let d = x.columns
    let w = try Self.weights(k: k, dimension: d)
    let (data, logJacobian) = try preprocessing.apply(x, name: name)
    let engine = NearestNeighbors(metric: metric, algorithm: algorithm, threads: threads)
    let set = try _NeighborPoints(data, blocks: nil, metric: metric)
    let list = engine._kNearestReduced(set, k: k)
    let n = x.rows
    let logV = try SpecialFunctions.logUnitBallVolume(dimension: d, euclidean: metric == .euclidean)
    var h = 0.0
    for j in 1...k where w[j - 1] != 0 {
      let logRho = try _logNeighborDistances(list, order: j, metric: metric, name: name)
      let mean = logRho.reduce(0, +) / Double(n)
      h += w[j - 1] * (_math_log(Double(n - 1)) - (try SpecialFunctions.digamma(j)) + logV + Double(d) * mean)
    }
    h += logJacobian
    return try Estimate(
      nats: h,
      parameters: [
        "quantity": "entropy H(\(name))", "k": "\(k)", "metric": metric.rawValue,
        "preprocessing": preprocessing.rawValue,
        "weights": w.map { "\($0)" }.joined(separator: ","),
      ],
      diagnostics: ["n": Double(n), "k": Double(k), "dimension": Double(d), "log_jacobian": logJacobian]
    ).requiringFinite(estimator: self.name, quantity: "H(\(name))")
  }

  /// Î(A;B) = Ĥ(A) + Ĥ(B) − Ĥ(A,B) in nats; each entropy preprocessed on its own.
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    try EstimatorError.validatePair(a, b, minimumSamples: k + 1)
    let ha = try entropy(a, name: "X")
    let hb = try entropy(b, name: "Y")
    let hab = try entropy(try a.concatenatingColumns(b), name: "(X,Y)")
    let value = ha.nats + hb.nats - hab.nats
    return try Estimate(
      nats: value,
      parameters: [
        "k": "\(k)", "metric": metric.rawValue, "preprocessing": preprocessing.rawValue,
      ],
      diagnostics: [
        "n": Double(a.rows), "k": Double(k), "h_x": ha.nats, "h_y": hb.nats, "h_xy": hab.nats,
        "negative": value < 0 ? 1 : 0,
      ]
    ).requiringFinite(estimator: name, quantity: "I(X;Y)")
  }
}
