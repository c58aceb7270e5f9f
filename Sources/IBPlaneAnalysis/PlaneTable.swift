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
  /// Interval for I(X;T) / I(T;Y): the bootstrap percentile interval when `params` holds
  /// `bootstrap=B`, else the estimator's own bracket (e.g. KDE bounds) when it gives one.
  public var inputInformationLower: Double?
  public var inputInformationUpper: Double?
  public var labelInformationLower: Double?
  public var labelInformationUpper: Double?
  /// Samples used.
  public var n: Int
  /// Wall time of the job, in seconds (point estimate plus bootstrap).
  public var seconds: Double
  /// The snapshot's metrics, by the table's metric columns; `nil` when not recorded.
  public var metrics: [String: Double]

  public var key: PlaneJobKey {
    PlaneJobKey(epoch: epoch, step: step, layerIndex: layerIndex, estimator: estimator, params: params)
  }

  public init(
    recording: String, recordingFingerprint: String = "", epoch: Int, step: Int, layer: String, layerIndex: Int, width: Int,
    estimator: String, params: String, unit: InformationUnit, inputInformation: Double,
    labelInformation: Double, inputInformationLower: Double? = nil, inputInformationUpper: Double? = nil,
    labelInformationLower: Double? = nil, labelInformationUpper: Double? = nil, n: Int, seconds: Double,
    metrics: [String: Double] = [:]
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
    self.inputInformationLower = inputInformationLower
    self.inputInformationUpper = inputInformationUpper
    self.labelInformationLower = labelInformationLower
    self.labelInformationUpper = labelInformationUpper
    self.n = n
    self.seconds = seconds
    self.metrics = metrics
  }
}

/// The layout of `plane.csv`: the fixed columns, then one column per snapshot metric.
///
/// Numbers are written in Swift's shortest round-trip form (`0.1`, `1e-05`, `nan`); a
/// missing value is an empty field. pandas' `read_csv` reads it with no options.
public struct PlaneTable: Sendable, Equatable {
  public static let fixedColumns = [
    "recording", "recording_fingerprint", "epoch", "step", "layer", "layer_index", "width", "estimator", "params",
    "unit", "i_xt", "i_ty", "i_xt_lo", "i_xt_hi", "i_ty_lo", "i_ty_hi", "n", "seconds",
  ]

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
    var fields = [
      r.recording, r.recordingFingerprint, "\(r.epoch)", "\(r.step)", r.layer, "\(r.layerIndex)", "\(r.width)", r.estimator, r.params,
      r.unit.rawValue, number(r.inputInformation), number(r.labelInformation), number(r.inputInformationLower),
      number(r.inputInformationUpper), number(r.labelInformationLower), number(r.labelInformationUpper),
      "\(r.n)", number(r.seconds),
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
      rows.append(
        PlaneRow(
          recording: f[0], recordingFingerprint: f[1], epoch: try int(2), step: try int(3), layer: f[4],
          layerIndex: try int(5), width: try int(6), estimator: f[7], params: f[8], unit: unit,
          inputInformation: try required(10), labelInformation: try required(11), inputInformationLower: try optional(12),
          inputInformationUpper: try optional(13), labelInformationLower: try optional(14),
          labelInformationUpper: try optional(15), n: try int(16), seconds: try required(17), metrics: metrics))
    }
    return (table, rows, completeBytes)
  }

  /// The whole table as CSV text.
  public func text(_ rows: [PlaneRow]) -> String {
    var s = headerLine
    for r in rows { s += line(r) }
    return s
  }
}
