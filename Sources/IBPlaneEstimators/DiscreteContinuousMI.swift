import IBPlaneCore
import IBPlaneNumerics
/// Mutual information between a continuous variable T and a discrete label Y, by Ross's
/// nearest-neighbour estimator (the discrete–continuous KSG):
///
///     Î(T;Y) = ψ(N) + ⟨ψ(k_i)⟩ − ⟨ψ(N_{y_i})⟩ − ⟨ψ(m_i)⟩
///
/// For sample i of class y_i (N_{y_i} samples), ε_i is the distance to its k-th nearest
/// neighbour among the samples of the same class (k_i = min(k, N_{y_i} − 1)); m_i counts all
/// samples, of any class and including i, strictly inside ε_i. Samples of a class of size 1
/// are left out, as scikit-learn's `_compute_mi_cd` does. Values in nats.
///
/// Exact ties. When ε_i = 0 (at least k_i same-class rows equal t_i: a saturated or dead
/// layer, discrete T), "strictly inside 0" would give m_i = 1 and the estimate overshoots,
/// even above H(Y). Such a sample uses
///
///     k_i = #{j ≠ i : y_j = y_i, t_j = t_i}     (its same-class exact duplicates, ≥ k_i)
///     m_i = #{j : t_j = t_i}                    (all rows equal to t_i, any class, i included)
///
/// Justification (Gao, Kannan, Oh & Viswanath, NeurIPS 2017): Ross's estimator is KSG 1 in
/// the joint space (T, Y) with the class distance 0 within a class and ∞ across classes, so
/// the joint k-NN ball is the class-restricted one and n_y(i) + 1 = N_{y_i}; Gao et al.'s
/// mixture rule for ρ_i = 0 replaces k by the number of joint duplicates (same t, same y)
/// and counts the marginal T-neighbours with ≤ 0, i.e. the exact duplicates of t_i; with i
/// itself that is m_i. The term ψ(N) + ψ(k_i) − ψ(N_{y_i}) − ψ(m_i) is then the plug-in
/// log p(t, y)/(p(t) p(y)) at the atom t_i: for T = Y exactly (balanced, binary) every sample
/// gives ψ(N) + ψ(N/2 − 1) − 2ψ(N/2) = log 2 − O(1/N). Samples with ε_i > 0 are unchanged
/// (scikit-learn equality on continuous data holds bit for bit). Rows are compared
/// coordinate-wise after preprocessing (hashing, `_ExactDuplicates`), among the samples kept.
/// `diagnostics["tied_samples"]` counts the samples with ε_i = 0.
///
/// References: B. C. Ross, "Mutual information between discrete and continuous data sets",
/// PLoS ONE 9 (2014), e87357; W. Gao, S. Kannan, S. Oh, P. Viswanath, "Estimating mutual
/// information for discrete-continuous mixtures", NeurIPS 2017.
///
/// Notes. Unlike H(T) − Σ_y p(y) Ĥ(T | y), no entropy is estimated, so the boundary bias of
/// the class-conditional entropies (densities cut by a decision boundary) largely cancels.
/// Bias is downward when classes are well separated and N_y is small. Complexity: one kNN
/// search per class plus one radius count over all samples (see `NearestNeighbors`).
public struct DiscreteContinuousMI: Sendable {
  public var k: Int
  public var metric: NearestNeighbors.Metric
  public var preprocessing: KNNPreprocessing
  public var threads: Int

  /// Defaults: k = 3, max-norm, standardised T.
  public init(k: Int = 3, metric: NearestNeighbors.Metric = .maximum, preprocessing: KNNPreprocessing = .standardize, threads: Int = Parallel.defaultThreads) {
    self.k = k
    self.metric = metric
    self.preprocessing = preprocessing
    self.threads = threads
  }

  /// Î(T;Y) in nats for rows of `t` and class `labels` (any integers).
  public func estimate<S: BLASScalar>(_ t: Matrix<S>, labels: [Int]) throws -> Estimate {
    try EstimatorParameterRange.check(k, in: EstimatorParameterRange.neighbours, name: "k", what: "an integer")
    guard labels.count == t.rows else { throw EstimatorError.shapeMismatch("T has \(t.rows) samples but there are \(labels.count) labels") }
    guard t.columns > 0 else { throw EstimatorError.shapeMismatch("T has no columns") }
    try EstimatorError.validateFinite(t, name: "T")
    let data = try preprocessing.apply(t, name: "T", forEntropy: false).data
    var classes: [Int: [Int]] = [:]
    for (i, y) in labels.enumerated() { classes[y, default: []].append(i) }
    let engine = NearestNeighbors(metric: metric, threads: threads)
    let n = t.rows
    var radius = [Double](repeating: 0, count: n)
    var kAll = [Int](repeating: 0, count: n)
    var classSize = [Int](repeating: 0, count: n)
    for (_, rows) in classes.sorted(by: { $0.key < $1.key }) where rows.count > 1 {
      let kc = Swift.min(k, rows.count - 1)
      let set = try _NeighborPoints(data.selectingRows(rows), blocks: nil, metric: metric)
      let list = engine._kNearestReduced(set, k: kc)
      for (p, i) in rows.enumerated() {
        radius[i] = list.kthDistance(p)
        kAll[i] = kc
        classSize[i] = rows.count
      }
    }
    let kept = (0..<n).filter { classSize[$0] > 1 }
    guard kept.count > 1 else { throw EstimatorError.degenerate("every class has a single sample; Î(T;Y) is undefined") }
    let keptSet = try _NeighborPoints(data.selectingRows(kept), blocks: nil, metric: metric)
    // m_i counts j ≠ i strictly inside; Ross's m_i includes i itself.
    var m = engine._countReduced(keptSet, reducedRadii: kept.map { radius[$0] }, inclusive: false).map { $0 + 1 }
    var tied = 0
    if kept.contains(where: { radius[$0] == 0 }) {
      // Gao et al.'s rule for ε_i = 0 (see the type's notes): same-class duplicates and all duplicates.
      let keptData = data.selectingRows(kept)
      let dup = _ExactDuplicates(keptData)
      let sameClass = _ExactDuplicates.multiplicities(of: kept.indices.map { _PairKey(a: dup.representative[$0], b: labels[kept[$0]]) })
      // ε_i = 0 with fewer than k_i duplicates happens only when a Euclidean squared distance
      // underflows to 0; such a sample keeps the continuous rule.
      for (p, i) in kept.enumerated() where radius[i] == 0 && sameClass[p] - 1 >= kAll[i] {
        kAll[i] = sameClass[p] - 1
        m[p] = dup.multiplicity[p]
        tied += 1
      }
    }
    let psi = try _digammaTable(upTo: kept.count + 1)
    var sum = 0.0
    for (p, i) in kept.enumerated() { sum += psi[kAll[i]] - psi[classSize[i]] - psi[m[p]] }
    let value = psi[kept.count] + sum / Double(kept.count)
    return try Estimate(
      nats: value,
      parameters: ["form": "ross", "k": "\(k)", "metric": metric.rawValue, "preprocessing": preprocessing.rawValue, "ties": "gao2017"],
      diagnostics: [
        "n": Double(kept.count), "classes": Double(classes.count), "negative": value < 0 ? 1 : 0,
        "tied_samples": Double(tied),
      ]
    ).requiringFinite(estimator: "ross", quantity: "I(T;Y)")
  }
}
