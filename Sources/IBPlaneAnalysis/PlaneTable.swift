import Foundation
import IBPlaneCore

/// Identifies one (snapshot, layer, estimator) job: what `--resume` skips and what
/// `merge` checks for duplicates.
public struct PlaneJobKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var epoch: Int
  public var step: Int
  public var layerIndex: Int
  public var estimator: String
  public var params: String

  public init(epoch: Int, step: Int, layerIndex: Int, estimator: String, params: String) {
    self.epoch = epoch
    self.step = step
    self.layerIndex = layerIndex
    self.estimator = estimator
    self.params = params
  }

  public static func < (a: PlaneJobKey, b: PlaneJobKey) -> Bool {
    (a.step, a.epoch, a.layerIndex, a.estimator, a.params) < (b.step, b.epoch, b.layerIndex, b.estimator, b.params)
  }

  public var description: String {
    "epoch \(epoch), step \(step), layer \(layerIndex), estimator \(estimator) (\(params))"
  }
}

/// One row of `plane.csv`: one layer at one snapshot under one estimator. Values are in `unit`.
public struct PlaneRow: Sendable, Equatable {
  public var recording: String
  /// The `RecordingFingerprint` of the recording the row was computed from (16 hex digits).
  public var recordingFingerprint: String
  public var epoch: Int
  public var step: Int
  public var layer: String
  public var layerIndex: Int
  public var width: Int
  public var estimator: String
  public var params: String
  public var unit: InformationUnit
  /// I(X;T) and I(T;Y) in `unit`.
  public var inputInformation: Double
  public var labelInformation: Double
  /// I(X;T|Y) in `unit` (column `i_xt_given_y`; `ConditionalInputInformation` says how each
  /// estimator forms it); `nil` for regression targets, which have no classes to condition on.
  public var conditionalInputInformation: Double?
  /// The estimator's own lower / upper bound of I(X;T) and I(T;Y) (`Estimate.lowerNats` and
  /// `upperNats`, e.g. KDE's pairwise-distance bounds; columns `i_*_lower`, `i_*_upper`);
  /// `nil` when the estimator gives none. Never a resampling interval: that is `interval`.
  public var inputInformationLowerBound: Double?
  public var inputInformationUpperBound: Double?
  public var labelInformationLowerBound: Double?
  public var labelInformationUpperBound: Double?
  /// The resampling interval (`--bootstrap B`) with its settings (columns `i_*_ci_lo`,
  /// `i_*_ci_hi`, `ci_method`, `ci_level`, `ci_resamples`, `ci_seed`); `nil` without one.
  public var interval: PlaneInterval?
  /// The fraction of the layer's values outside the binning convention's edges, merged into an
  /// end bin (the estimate's `clipped_fraction` diagnostic; column `clipped_fraction`); `nil`
  /// for estimators that do not bin.
  public var clippedFraction: Double?
  /// Samples used.
  public var n: Int
  /// Wall time of the job, in seconds (point estimate plus bootstrap).
  public var seconds: Double
  /// The snapshot's metrics, by the table's metric columns; `nil` when not recorded.
  public var metrics: [String: Double]

  /// Whether the estimator gave any bound of I(X;T) or I(T;Y).
  public var hasBounds: Bool {
    inputInformationLowerBound != nil || inputInformationUpperBound != nil
      || labelInformationLowerBound != nil || labelInformationUpperBound != nil
  }

  public var key: PlaneJobKey {
    PlaneJobKey(epoch: epoch, step: step, layerIndex: layerIndex, estimator: estimator, params: params)
  }

  public init(
    recording: String, recordingFingerprint: String = "", epoch: Int, step: Int, layer: String, layerIndex: Int, width: Int,
    estimator: String, params: String, unit: InformationUnit, inputInformation: Double,
    labelInformation: Double, inputInformationLowerBound: Double? = nil, inputInformationUpperBound: Double? = nil,
    labelInformationLowerBound: Double? = nil, labelInformationUpperBound: Double? = nil, interval: PlaneInterval? = nil,
    n: Int, seconds: Double, metrics: [String: Double] = [:], clippedFraction: Double? = nil, conditionalInputInformation: Double? = nil
  ) {
    self.recording = recording
    self.recordingFingerprint = recordingFingerprint
    self.epoch = epoch
    self.step = step
    self.layer = layer
    self.layerIndex = layerIndex
    self.width = width
    self.estimator = estimator
    self.params = params
    self.unit = unit
    self.inputInformation = inputInformation
    self.labelInformation = labelInformation
    self.conditionalInputInformation = conditionalInputInformation
    self.inputInformationLowerBound = inputInformationLowerBound
    self.inputInformationUpperBound = inputInformationUpperBound
    self.labelInformationLowerBound = labelInformationLowerBound
    self.labelInformationUpperBound = labelInformationUpperBound
    self.interval = interval
    self.n = n
    self.seconds = seconds
    self.metrics = metrics
    self.clippedFraction = clippedFraction
  }
}

/// The layout of `plane.csv`: the fixed columns, then one column per snapshot metric.
///
/// Numbers are written in Swift's shortest round-trip form (`0.1`, `1e-05`, `nan`); a
/// missing value is an empty field. pandas' `read_csv` reads it with no options.
///
/// The estimator's own bounds (`i_*_lower`, `i_*_upper`) and the resampling interval
/// (`i_*_ci_lo`, `i_*_ci_hi` with `ci_method`, `ci_level`, `ci_resamples`, `ci_seed`) have
/// columns of their own, so no column's meaning depends on another's content.
/// `ci_excludes_estimate` names the quantities whose interval misses the row's own estimate
/// (`PlaneRow.intervalExclusions`: `none`, or e.g. `i_xt;i_ty`; possible only for the
/// percentile bootstrap), checked against the row's values when read.
/// `clipped_fraction` is the share of a binning row's values outside its edges (empty for
/// estimators that do not bin).
public struct PlaneTable: Sendable, Equatable {
  public static let fixedColumns = [
    "recording", "recording_fingerprint", "epoch", "step", "layer", "layer_index", "width", "estimator", "params",
    "unit", "i_xt", "i_ty", "i_xt_lower", "i_xt_upper", "i_ty_lower", "i_ty_upper",
    "i_xt_ci_lo", "i_xt_ci_hi", "i_ty_ci_lo", "i_ty_ci_hi", "ci_method", "ci_level", "ci_resamples", "ci_seed",
    "clipped_fraction",
    "n", "seconds",
    "i_xt_given_y", "i_xt_given_y_ci_lo", "i_xt_given_y_ci_hi",
    "ci_excludes_estimate",
  ]

  /// The bound columns of tables written before bounds and intervals were separated, where
  /// they meant a bootstrap interval or the estimator's bounds depending on `params`.
  static let mixedIntervalColumns = ["i_xt_lo", "i_xt_hi", "i_ty_lo", "i_ty_hi"]

  /// Metric names in column order (sorted).
  public var metricNames: [String]

  public init(metricNames: [String]) {
    self.metricNames = Array(Set(metricNames)).sorted()
  }

  /// The column of metric `name`: the name itself, or `metric_<name>` when the name is empty,
  /// equals a fixed column, or itself starts with `metric_`.
  ///
  /// The two cases have disjoint images (only the second starts with `metric_`, and no fixed
  /// column does), and each is injective, so two metrics never share a column — `epoch` and
  /// `metric_epoch` become `metric_epoch` and `metric_metric_epoch` — and
  /// `metricName(forColumn:)` (strip one `metric_`) inverts it.
  public static func column(forMetric name: String) -> String {
    name.isEmpty || name.hasPrefix(metricPrefix) || fixedColumns.contains(name) ? metricPrefix + name : name
  }

  /// The metric a column holds: the inverse of `column(forMetric:)`.
  public static func metricName(forColumn column: String) -> String {
    column.hasPrefix(metricPrefix) ? String(column.dropFirst(metricPrefix.count)) : column
  }

  static let metricPrefix = "metric_"

  public var header: [String] { Self.fixedColumns + metricNames.map(Self.column(forMetric:)) }

  public var headerLine: String { CSVTable.line(header) }

  public func line(_ r: PlaneRow) -> String {
    func number(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
    let ci = r.interval
    var fields = [
      r.recording, r.recordingFingerprint, "\(r.epoch)", "\(r.step)", r.layer, "\(r.layerIndex)", "\(r.width)", r.estimator, r.params,
      r.unit.rawValue, number(r.inputInformation), number(r.labelInformation), number(r.inputInformationLowerBound),
      number(r.inputInformationUpperBound), number(r.labelInformationLowerBound), number(r.labelInformationUpperBound),
      number(ci?.input.lowerBound), number(ci?.input.upperBound), number(ci?.label.lowerBound), number(ci?.label.upperBound),
      ci?.settings.method.rawValue ?? "", number(ci?.settings.level), ci.map { "\($0.settings.resamples)" } ?? "",
      ci.map { "\($0.settings.seed)" } ?? "", number(r.clippedFraction), "\(r.n)", number(r.seconds),
      number(r.conditionalInputInformation), number(ci?.conditional?.lowerBound), number(ci?.conditional?.upperBound),
      r.intervalExclusionsCell,
    ]
    fields += metricNames.map { number(r.metrics[$0]) }
    return CSVTable.line(fields)
  }

  /// Reads a table written by `line(_:)`. A last record cut short (no line end) is left
  /// out and reported through `completeBytes`, so a resumed run can truncate it.
  public static func parse(_ text: String, file: String) throws -> (table: PlaneTable, rows: [PlaneRow], completeBytes: Int) {
    var (records, completeBytes) = try CSVTable.records(text, file: file)
    guard let header = records.first else {
      throw CSVError(file: file, line: 1, field: "header", message: "missing; expected \(fixedColumns.joined(separator: ","))…")
    }
    if header.count >= 2, header[0] == "recording", header[1] == "epoch" {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "has no recording_fingerprint column: it was written by an older ibplane, and its rows cannot be tied to a recording; analyse afresh (without --resume) or into another directory")
    }
    // By position, not by name: a metric may be called i_xt_lo.
    let shared = fixedColumns.firstIndex(of: "i_xt_lower")!
    if header.count > shared, Array(header[..<shared]) == Array(fixedColumns[..<shared]), header[shared] == mixedIntervalColumns[0] {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "has the column \(mixedIntervalColumns[0]): it was written by an older ibplane, whose i_*_lo/_hi columns held a bootstrap interval or the estimator's bounds depending on params; this version keeps them apart (i_*_lower/_upper, i_*_ci_lo/_hi), so analyse afresh (without --resume) or into another directory, and re-run shards before merging")
    }
    // By position: before clipped_fraction an older table had n, which no metric can be called
    // in a table of this version (it would be metric_n).
    let clipped = fixedColumns.firstIndex(of: "clipped_fraction")!
    if header.count > clipped, Array(header[..<clipped]) == Array(fixedColumns[..<clipped]), header[clipped] == "n" {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "has no clipped_fraction column: it was written by an older ibplane, whose binning rows did not say how many values fell outside the bin edges; analyse afresh (without --resume) or into another directory, and re-run shards before merging")
    }
    let conditional = fixedColumns.firstIndex(of: "i_xt_given_y")!
    if header.count >= conditional, Array(header[..<conditional]) == Array(fixedColumns[..<conditional]),
      header.count == conditional || header[conditional] != "i_xt_given_y" {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "has no i_xt_given_y column: it was written by an older ibplane, before rows carried I(X;T|Y); analyse afresh (without --resume) or into another directory, and re-run shards before merging")
    }
    let excludes = fixedColumns.firstIndex(of: "ci_excludes_estimate")!
    if header.count >= excludes, Array(header[..<excludes]) == Array(fixedColumns[..<excludes]),
      header.count == excludes || header[excludes] != "ci_excludes_estimate" {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "has no ci_excludes_estimate column: it was written by an older ibplane, whose only interval was the with-replacement bootstrap, which may exclude its own estimate; analyse afresh (without --resume) or into another directory, and re-run shards before merging")
    }
    guard header.count >= fixedColumns.count, Array(header[0..<fixedColumns.count]) == fixedColumns else {
      throw CSVError(
        file: file, line: 1, field: "header",
        message: "expected the columns \(fixedColumns.joined(separator: ",")) then metrics, got \(header.joined(separator: ","))")
    }
    let metricColumns = Array(header[fixedColumns.count...])
    let table = PlaneTable(metricNames: metricColumns.map(metricName(forColumn:)))
    guard table.header == header else {
      throw CSVError(file: file, line: 1, field: "header", message: "metric columns must be sorted and unique, got \(metricColumns)")
    }
    records.removeFirst()
    var rows: [PlaneRow] = []
    for (k, f) in records.enumerated() {
      let line = k + 2
      if f == [""] { continue }
      guard f.count == header.count else {
        throw CSVError(file: file, line: line, field: "row", message: "has \(f.count) fields, expected \(header.count)")
      }
      func int(_ i: Int) throws -> Int {
        guard let v = Int(f[i]) else {
          throw CSVError(file: file, line: line, field: header[i], message: "expected an integer, got \"\(f[i])\"")
        }
        return v
      }
      func optional(_ i: Int) throws -> Double? {
        if f[i].isEmpty { return nil }
        guard let v = Double(f[i]) else {
          throw CSVError(file: file, line: line, field: header[i], message: "expected a number or nothing, got \"\(f[i])\"")
        }
        return v
      }
      func required(_ i: Int) throws -> Double {
        guard let v = try optional(i) else {
          throw CSVError(file: file, line: line, field: header[i], message: "expected a number, got nothing")
        }
        return v
      }
      func column(_ name: String) -> Int { fixedColumns.firstIndex(of: name)! }
      func bound(_ name: String) throws -> Double? { try optional(column(name)) }
      guard RecordingFingerprint(parsing: f[1]) != nil else {
        throw CSVError(file: file, line: line, field: "recording_fingerprint", message: "expected 16 hexadecimal digits, got \"\(f[1])\"")
      }
      guard let unit = InformationUnit(rawValue: f[9]) else {
        throw CSVError(file: file, line: line, field: "unit", message: "expected bits or nats, got \"\(f[9])\"")
      }
      var metrics: [String: Double] = [:]
      for (m, name) in table.metricNames.enumerated() {
        if let v = try optional(fixedColumns.count + m) { metrics[name] = v }
      }
      let row =
        PlaneRow(
          recording: f[0], recordingFingerprint: f[1], epoch: try int(2), step: try int(3), layer: f[4],
          layerIndex: try int(5), width: try int(6), estimator: f[7], params: f[8], unit: unit,
          inputInformation: try required(column("i_xt")), labelInformation: try required(column("i_ty")),
          inputInformationLowerBound: try bound("i_xt_lower"), inputInformationUpperBound: try bound("i_xt_upper"),
          labelInformationLowerBound: try bound("i_ty_lower"), labelInformationUpperBound: try bound("i_ty_upper"),
          interval: try interval(f, file: file, line: line), n: try int(column("n")), seconds: try required(column("seconds")),
          metrics: metrics, clippedFraction: try clippedFraction(f[column("clipped_fraction")], file: file, line: line),
          conditionalInputInformation: try bound("i_xt_given_y"))
      let flag = f[column("ci_excludes_estimate")]
      guard flag == row.intervalExclusionsCell else {
        throw CSVError(
          file: file, line: line, field: "ci_excludes_estimate",
          message: "expected \"\(row.intervalExclusionsCell)\" (what the row's estimates and interval bounds say), got \"\(flag)\"")
      }
      rows.append(row)
    }
    return (table, rows, completeBytes)
  }

  /// A `clipped_fraction` field: empty (not a binning row) or a fraction in [0, 1].
  static func clippedFraction(_ cell: String, file: String, line: Int) throws -> Double? {
    if cell.isEmpty { return nil }
    guard let v = Double(cell), v >= 0, v <= 1 else {
      throw CSVError(file: file, line: line, field: "clipped_fraction", message: "expected a fraction in [0, 1] or nothing, got \"\(cell)\"")
    }
    return v
  }

  /// The interval of one record: every `i_*_ci_*` and `ci_*` field empty (none), or all of
  /// them set, with a known method, a level in (0, 1), B ≥ 2 and lo ≤ hi.
  static func interval(_ f: [String], file: String, line: Int) throws -> PlaneInterval? {
    let names = ["i_xt_ci_lo", "i_xt_ci_hi", "i_ty_ci_lo", "i_ty_ci_hi", "ci_method", "ci_level", "ci_resamples", "ci_seed"]
    let cells = names.map { f[fixedColumns.firstIndex(of: $0)!] }
    if cells.allSatisfy(\.isEmpty) {
      for name in ["i_xt_given_y_ci_lo", "i_xt_given_y_ci_hi"] where !f[fixedColumns.firstIndex(of: name)!].isEmpty {
        throw CSVError(file: file, line: line, field: name, message: "expected nothing (the row has no interval: ci_method is empty), got \"\(f[fixedColumns.firstIndex(of: name)!])\"")
      }
      return nil
    }
    func bad(_ k: Int, _ expected: String) -> CSVError {
      CSVError(file: file, line: line, field: names[k], message: "expected \(expected), got \"\(cells[k])\"")
    }
    var bounds: [Double] = []
    for k in 0..<4 {
      guard let v = Double(cells[k]), !v.isNaN else { throw bad(k, "a number (the row has an interval: ci_method and the other ci_ fields are set)") }
      bounds.append(v)
    }
    guard let method = PlaneIntervalSettings.Method(rawValue: cells[4]) else {
      throw bad(4, PlaneIntervalSettings.Method.allCases.map(\.rawValue).joined(separator: " or ") + " (the row has interval bounds)")
    }
    guard let level = Double(cells[5]), level > 0, level < 1 else { throw bad(5, "a number in the open interval (0, 1)") }
    guard let resamples = Int(cells[6]), resamples >= 2 else { throw bad(6, "an integer ≥ 2") }
    guard let seed = UInt64(cells[7]) else { throw bad(7, "an integer in 0…\(UInt64.max)") }
    for k in [0, 2] where bounds[k] > bounds[k + 1] {
      throw bad(k + 1, "a number ≥ \(names[k]) = \(cells[k])")
    }
    return PlaneInterval(
      settings: PlaneIntervalSettings(method: method, level: level, resamples: resamples, seed: seed),
      input: bounds[0]...bounds[1], label: bounds[2]...bounds[3], conditional: try conditionalInterval(f, file: file, line: line))
  }

  /// The I(X;T|Y) interval of a record that has an interval: both `i_xt_given_y_ci_*` cells
  /// set with lo ≤ hi exactly when `i_xt_given_y` is set (regression rows leave all three empty).
  static func conditionalInterval(_ f: [String], file: String, line: Int) throws -> ClosedRange<Double>? {
    let names = ["i_xt_given_y", "i_xt_given_y_ci_lo", "i_xt_given_y_ci_hi"]
    let cells = names.map { f[fixedColumns.firstIndex(of: $0)!] }
    if cells[0].isEmpty {
      for k in 1...2 where !cells[k].isEmpty {
        throw CSVError(file: file, line: line, field: names[k], message: "expected nothing (the row has no i_xt_given_y), got \"\(cells[k])\"")
      }
      return nil
    }
    var bounds: [Double] = []
    for k in 1...2 {
      guard let v = Double(cells[k]), !v.isNaN else {
        throw CSVError(
          file: file, line: line, field: names[k], message: "expected a number (the row has an interval and an i_xt_given_y), got \"\(cells[k])\"")
      }
      bounds.append(v)
    }
    guard bounds[0] <= bounds[1] else {
      throw CSVError(file: file, line: line, field: names[2], message: "expected a number ≥ \(names[1]) = \(cells[1]), got \"\(cells[2])\"")
    }
    return bounds[0]...bounds[1]
  }

  /// The whole table as CSV text.
  public func text(_ rows: [PlaneRow]) -> String {
    var s = headerLine
    for r in rows { s += line(r) }
    return s
  }
}
