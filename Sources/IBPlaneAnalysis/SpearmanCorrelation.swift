import Foundation

/// Spearman's rank correlation ρ, as `scipy.stats.spearmanr` computes it: the Pearson
/// correlation of the two columns' ranks, with tied values given the average of the ranks
/// they span (so [1, 2, 2, 3] ranks as [1, 2.5, 2.5, 4]).
///
/// ρ is undefined when either column is constant (its ranks have no variance); scipy then
/// returns NaN with a warning, here the result says why instead. No p-value is computed: the
/// studies this serves have a handful of runs per setting, and a number that looks like a
/// test would invite reading more into ρ than n allows; n is reported beside every ρ.
public enum SpearmanCorrelation {
  public struct Result: Sendable, Equatable {
    /// Pairs used (both values finite).
    public var n: Int
    /// `nil` when undefined; then `reason` says why.
    public var rho: Double?
    public var reason: String?
  }

  /// Fewer pairs than this leave ρ undefined: with two points every ρ is ±1.
  public static let minimumCount = 3

  /// ρ of the pairs whose values are both finite (a NaN or missing estimate drops its pair).
  public static func correlation(_ x: [Double], _ y: [Double], xName: String = "x", yName: String = "y") -> Result {
    let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
    let n = pairs.count
    guard n >= minimumCount else {
      return Result(n: n, rho: nil, reason: "fewer than \(minimumCount) runs with both values (\(n))")
    }
    let rx = ranks(pairs.map(\.0)), ry = ranks(pairs.map(\.1))
    let mx = rx.reduce(0, +) / Double(n), my = ry.reduce(0, +) / Double(n)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for k in 0..<n {
      let dx = rx[k] - mx, dy = ry[k] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
    if sxx == 0 { return Result(n: n, rho: nil, reason: "\(xName) is the same in every run") }
    if syy == 0 { return Result(n: n, rho: nil, reason: "\(yName) is the same in every run") }
    // Clamped: rounding can put |ρ| a few ulps above 1 for perfectly monotone columns.
    return Result(n: n, rho: Swift.min(1, Swift.max(-1, sxy / (sxx * syy).squareRoot())), reason: nil)
  }

  /// 1-based ranks with ties averaged (scipy's `rankdata(method="average")`).
  public static func ranks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var out = [Double](repeating: 0, count: values.count)
    var start = 0
    while start < order.count {
      var end = start
      while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
      // Positions start...end (0-based) hold ranks start+1 ... end+1; their mean:
      let average = Double(start + end) / 2 + 1
      for k in start...end { out[order[k]] = average }
      start = end + 1
    }
    return out
  }
}
