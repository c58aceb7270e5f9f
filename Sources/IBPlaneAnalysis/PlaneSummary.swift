import Foundation
import IBPlaneCore

/// Statistics of one quantity across runs: count, mean, standard deviation and quantiles.
///
/// - `sd` is the sample standard deviation (divisor `count − 1`, pandas' default and
///   numpy's `std(ddof=1)`); `nil` for a single run, where it is undefined.
/// - Quantiles use linear interpolation between order statistics, numpy's default
///   (`numpy.quantile(x, p, method="linear")`, Hyndman & Fan type 7): with the values
///   sorted as x₀ ≤ … ≤ xₙ₋₁ and h = (n − 1)·p, Q(p) = x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
public struct AcrossRunStatistics: Sendable, Equatable {
  public var count: Int
  public var mean: Double
  public var sd: Double?
  public var min: Double
  public var max: Double
  public var q05: Double
  public var q50: Double
  public var q95: Double

  /// `nil` for no values. NaN values are counted in nothing: a run whose value is NaN
  /// (an estimator that failed to produce a number) is left out of that quantity's count.
  public init?(_ values: [Double]) {
    let x = values.filter { !$0.isNaN }.sorted()
    guard !x.isEmpty else { return nil }
    count = x.count
    mean = x.reduce(0, +) / Double(x.count)
    let m = mean
    sd = x.count > 1 ? (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot() : nil
    min = x[0]
    max = x[x.count - 1]
    q05 = Self.quantile(sortedValues: x, 0.05)
    q50 = Self.quantile(sortedValues: x, 0.5)
    q95 = Self.quantile(sortedValues: x, 0.95)
  }

  /// numpy's default (linear) quantile of ascending `x` (non-empty) at `p` ∈ [0, 1].
  public static func quantile(sortedValues x: [Double], _ p: Double) -> Double {
    let h = Double(x.count - 1) * p
    let lo = Int(h.rounded(.down))
    guard lo + 1 < x.count else { return x[x.count - 1] }
    return x[lo] + (h - Double(lo)) * (x[lo + 1] - x[lo])
  }
}

/// The across-run summary of a `plane.csv` holding several recordings of one design
/// (`ibplane analyze A.bin B.bin … --out DIR` writes it as `DIR/plane-summary.csv`).
///
/// Computed from the rows alone (not from the recordings), so a merged CSV can be
/// summarised as well. Rows are aligned by (epoch, layer index, estimator label, params):
/// each recording contributes at most one value per group. The quantities are every
/// numeric value column of the table — `i_xt`, `i_ty`, the bound and interval columns and
/// the metric columns, and whatever value column a later version adds — found from the
/// CSV layout itself, so the summary never silently lags the table; identity and bookkeeping
/// columns (`epoch`, `step`, `width`, `n`, `seconds`, the `ci_*` settings) are not values.
public enum PlaneSummary {
  /// Columns of `plane.csv` that are not measured values.
  static let nonValueColumns: Set<String> = [
    "recording", "recording_fingerprint", "epoch", "step", "layer", "layer_index", "width", "estimator", "params",
    "unit", "ci_method", "ci_level", "ci_resamples", "ci_seed", "n", "seconds",
    "ci_excludes_estimate",
  ]

  public static let header = [
    "epoch", "layer", "layer_index", "estimator", "params", "unit", "quantity", "count", "mean", "sd", "min", "q05", "q50",
    "q95", "max",
  ]

  /// One line of `plane-summary.csv`: one quantity of one (epoch, layer, estimator) across runs.
  public struct Row: Sendable, Equatable {
    public var epoch: Int
    public var layer: String
    public var layerIndex: Int
    public var estimator: String
    public var params: String
    public var unit: InformationUnit
    public var quantity: String
    public var statistics: AcrossRunStatistics
  }

  /// The summary rows, ordered by epoch, layer index, estimator, params, then the quantity's
  /// column order in `plane.csv`.
  public static func rows(_ rows: [PlaneRow]) -> [Row] {
    guard !rows.isEmpty else { return [] }
    let table = PlaneTable(metricNames: rows.flatMap { $0.metrics.keys })
    let columns = table.header.enumerated().filter { !nonValueColumns.contains($0.element) }
    struct Key: Hashable, Comparable {
      var epoch: Int, layerIndex: Int, estimator: String, params: String
      static func < (a: Key, b: Key) -> Bool {
        (a.epoch, a.layerIndex, a.estimator, a.params) < (b.epoch, b.layerIndex, b.estimator, b.params)
      }
    }
    var groups: [Key: [PlaneRow]] = [:]
    for r in rows {
      groups[Key(epoch: r.epoch, layerIndex: r.layerIndex, estimator: r.estimator, params: r.params), default: []].append(r)
    }
    var out: [Row] = []
    for key in groups.keys.sorted() {
      let members = groups[key]!
      // The fields of each member as written to the CSV: one parse rule for every column.
      let fields = members.map { fieldsOf(table.line($0)) }
      for (index, name) in columns {
        let values = fields.compactMap { index < $0.count ? Double($0[index]) : nil }
        guard let s = AcrossRunStatistics(values) else { continue }
        out.append(Row(
          epoch: key.epoch, layer: members[0].layer, layerIndex: key.layerIndex, estimator: key.estimator,
          params: key.params, unit: members[0].unit, quantity: name, statistics: s))
      }
    }
    return out
  }

  /// The text of `plane-summary.csv` (header line included).
  public static func csv(_ rows: [PlaneRow]) -> String {
    var s = CSVTable.line(header)
    for r in self.rows(rows) {
      let t = r.statistics
      s += CSVTable.line([
        "\(r.epoch)", r.layer, "\(r.layerIndex)", r.estimator, r.params, r.unit.rawValue, r.quantity, "\(t.count)",
        "\(t.mean)", t.sd.map { "\($0)" } ?? "", "\(t.min)", "\(t.q05)", "\(t.q50)", "\(t.q95)", "\(t.max)",
      ])
    }
    return s
  }

  /// The fields of one CSV line (`PlaneTable.line` output).
  private static func fieldsOf(_ line: String) -> [String] {
    (try? CSVTable.records(line, file: "row"))?.records.first ?? []
  }
}
