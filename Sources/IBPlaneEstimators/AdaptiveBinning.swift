import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Adaptive (entropy-based, equal-mass) binning (Chelombiev, Houghton & O'Donnell 2019).
///
/// Bin edges come from the activations themselves so that each bin holds (nearly) equal mass,
/// and unbounded layers (ReLU) are not crushed into a few fixed-width bins. With U the sorted
/// **unique** values u₀ < … < u_{U−1} of the pool and B bins, the interior edges are
///
///     e_k = u[⌊k·U/B⌋],  k = 1 … B−1   (duplicates removed when U < B)
///
/// and a value v goes to bin #{k : e_k ≤ v} ∈ 0…B−1 (numpy `digitize`). An optional lower
/// edge per activation family (−1 for tanh, 0 for ReLU) gives values below it a bin of their
/// own; activations of that family never fall below it, so it changes nothing for them.
///
/// Modes: `perLayer` (the original): the pool is every unit and sample of the layer in that
/// snapshot; `perUnit`: each unit gets its own edges from its own values.
///
/// Ties: edges are taken among *unique* values, so a value repeated many times (ReLU's exact
/// zeros, saturated tanh units) counts once when placing edges and all its copies fall in one
/// bin — that bin holds more than N/B samples; the other bins stay equal in unique values,
/// not in samples. Invariance: `perUnit` symbols are unchanged by any strictly increasing map
/// of one unit; `perLayer` symbols by a strictly increasing map applied to the whole layer.
///
/// Entropies and MI as in `BinningEstimator` (plug-in or Miller–Madow on symbol counts).
/// Complexity O(P log P) for the sort of the pooled P values (P = N·width per layer, N per
/// unit), then O(N·width·log B).
///
/// Reference: I. Chelombiev, C. Houghton, C. O'Donnell, "Adaptive estimators show
/// information compression in deep neural networks", ICLR 2019.
public struct AdaptiveBinningEstimator: MutualInformationEstimator, InformationPlaneEstimator {
  public enum Mode: String, Sendable, CaseIterable {
    case perLayer = "per-layer"
    case perUnit = "per-unit"
  }

  /// B, the number of bins (default 30).
  public var bins: Int
  public var mode: Mode
  /// Lower edge of the activation family (e.g. −1 tanh, 0 ReLU); `nil` (default) for none.
  public var lowerEdge: Double?
  public var correction: DiscreteEntropy.Correction
  public var second: DiscreteSecondVariable

  public init(
    bins: Int = 30, mode: Mode = .perLayer, lowerEdge: Double? = nil,
    correction: DiscreteEntropy.Correction = .plugIn, second: DiscreteSecondVariable = .discrete
  ) {
    self.bins = bins
    self.mode = mode
    self.lowerEdge = lowerEdge
    self.correction = correction
    self.second = second
  }

  public var name: String { "adaptive-binning" }
  /// The canonical `params` string (`EstimatorRegistry`): every parameter as used, `key=value,…`.
  public var parameterDescription: String { EstimatorRegistry.parameters(of: self) }
  /// I(X;T|Y) as Î(X;T) − Î(T;Y): the edges adapt to the whole layer, and both terms use
  /// them; re-adapting the edges to each class would change the discretisation being measured.
  /// With T a function of X and Y of X in the sample, the plug-in difference is exactly the
  /// class-conditional plug-in Σ p(y) Î(X;T|Y=y) on these bins (chain rule of plug-in MI).
  public var conditionalInputForm: ConditionalInputForm { .difference }

  var parameters: [String: String] {
    var p = ["bins": "\(bins)", "mode": mode.rawValue, "correction": correction.rawValue]
    if let l = lowerEdge { p["lower"] = "\(l)" }
    return p
  }

  func validate() throws {
    try EstimatorParameterRange.check(bins, in: EstimatorParameterRange.bins, name: "bins", what: "an integer")
    if let l = lowerEdge {
      try EstimatorParameterRange.check(l, in: EstimatorParameterRange.lowerEdge, name: "lower", what: "a lower edge")
    }
  }

  /// The interior edges e_k = u[⌊k·U/B⌋] of a pool of values (sorted unique values u).
  public static func edges(of values: [Double], bins: Int) -> [Double] {
    var u = values.sorted()
    var w = 0
    for v in u where w == 0 || v != u[w - 1] {
      u[w] = v
      w += 1
    }
    let unique = w
    var out: [Double] = []
    out.reserveCapacity(bins - 1)
    for k in 1..<bins {
      let e = u[(k * unique) / bins]
      if out.last != e { out.append(e) }
    }
    return out
  }

  /// Per-unit bin codes (row-major, same shape as `m`).
  public func codes<S: BLASScalar>(_ m: Matrix<S>) throws -> [Int32] {
    try validate()
    try EstimatorError.validateFinite(m, name: "layer")
    var out = [Int32](repeating: 0, count: m.elements.count)
    guard m.rows > 0, m.columns > 0 else { return out }
    let lower = lowerEdge
    func assign(_ k: Int, _ edges: [Double]) {
      let v = Double(m.elements[k])
      if let l = lower, v < l {
        out[k] = -1
        return
      }
      // #{edges ≤ v} by binary search.
      var lo = 0
      var hi = edges.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if edges[mid] <= v { lo = mid + 1 } else { hi = mid }
      }
      out[k] = Int32(lo)
    }
    switch mode {
    case .perLayer:
      let edges = Self.edges(of: m.elements.map { Double($0) }, bins: bins)
      for k in 0..<m.elements.count { assign(k, edges) }
    case .perUnit:
      for j in 0..<m.columns {
        let edges = Self.edges(of: (0..<m.rows).map { Double(m.elements[$0 * m.columns + j]) }, bins: bins)
        for i in 0..<m.rows { assign(i * m.columns + j, edges) }
      }
    }
    return out
  }

  public func symbols<S: BLASScalar>(_ m: Matrix<S>) throws -> DiscreteSymbols {
    DiscreteEntropy.symbols(codes: try codes(m), rows: m.rows, width: m.columns)
  }

  /// Î(A;B) with A adaptively binned and B discrete or binned the same way (`second`); a
  /// discrete B must have at most N/2 distinct rows (`_DiscreteY`).
  @_specialize(where S == Float)  // specialised bodies, callees included (issue 18)
  @_specialize(where S == Double)
  public func estimate<S: BLASScalar>(_ a: Matrix<S>, _ b: Matrix<S>) throws -> Estimate {
    try EstimatorError.validatePair(a, b, minimumSamples: 2, names: ("X", "Y"))
    let sa = try symbols(a)
    let sb = second == .binned ? try symbols(b) : DiscreteEntropy.symbols(rowsOf: b)
    if second == .discrete { try _DiscreteY.require(b, symbols: sb, estimator: name, binnedHint: true) }
    var p = parameters
    p["second"] = second.rawValue
    return try DiscreteEntropy.mutualInformation(sa, sb).estimate(correction, parameters: p).requiringFinite(estimator: name, quantity: "I(X;Y)")
  }

  public func point(layer: Matrix<Float>, context: PlaneContext) throws -> PlanePoint {
    try _BinnedPlane.point(
      layerSymbols: try symbols(layer), layer: layer, context: context, correction: correction,
      parameters: parameters
    ).requiringFinite(estimator: name)
  }
}
