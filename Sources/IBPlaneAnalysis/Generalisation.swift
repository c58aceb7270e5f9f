import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Information and generalisation across runs: each run's final generalisation gap against
/// I(X;T|Y) of each layer (Kawaguchi et al. 2023 bound the gap in terms of I(X;T|Y)/n).
///
/// Input: the outputs of `ibplane analyze` (`plane.csv` + `plane.json`), one directory per
/// setting, each holding one or several recordings (the `recording` column; the rows of one
/// recording are one run). Per run the final snapshot (largest epoch, then largest step) gives
/// the gaps from the trainer's metrics — accuracy gap = `train_accuracy − test_accuracy`,
/// loss gap = `test_loss − loss` (nats) — and, per layer × estimator, I(X;T|Y), I(X;T), I(T;Y).
///
/// Settings come from each directory's manifest (`plane.json` `run`, the trainer's metadata
/// of the first recording analysed there): a run is labelled by the keys whose values differ
/// across the directories, `seed` and `trainer` excluded. The seed of a run is read from its
/// recording name `seed-<s>` (what `train --seeds --record` writes), else from the manifest when
/// the directory holds one recording. Recordings analysed together in one directory are
/// assumed to share the directory's settings (`analyze` checks schedule, layers and samples,
/// not hyper-parameters): put each setting in its own directory.
public enum Generalisation {
  /// One run's final snapshot.
  public struct Run: Sendable, Equatable {
    /// The analysis directory (as given) and the recording's name in its `plane.csv`.
    public var directory: String
    public var recording: String
    /// The setting label ("l2=0.001", several keys joined by ", "; "" when only seeds differ).
    public var setting: String
    public var seed: String
    public var epoch: Int
    public var trainAccuracy: Double
    public var testAccuracy: Double
    /// Training-set and test-set loss (nats); NaN when the recording has no loss metrics.
    public var trainLoss: Double
    public var testLoss: Double
    public var accuracyGap: Double { trainAccuracy - testAccuracy }
    public var lossGap: Double { testLoss - trainLoss }
  }

  /// One line of `generalisation.csv`: a run × layer × estimator.
  public struct Row: Sendable, Equatable {
    public var run: Run
    public var layer: String
    public var layerIndex: Int
    public var estimator: String
    public var params: String
    public var unit: InformationUnit
    /// `nil` for an empty `i_xt_given_y` cell (regression targets).
    public var conditionalInputInformation: Double?
    public var inputInformation: Double
    public var labelInformation: Double
  }

  /// One line of `generalisation-correlation.csv`: ρ over runs for a layer × estimator.
  public struct Correlation: Sendable, Equatable {
    public var layer: String
    public var layerIndex: Int
    public var estimator: String
    public var params: String
    public var accuracyGap: SpearmanCorrelation.Result
    public var lossGap: SpearmanCorrelation.Result
  }

  public struct Study: Sendable, Equatable {
    public var settingKeys: [String]
    public var runs: [Run]
    public var rows: [Row]
    public var correlations: [Correlation]
    public var estimators: [PlaneManifest.EstimatorSpec]
    public var unit: InformationUnit
    /// The sample count n of the analysed recordings (of the first directory).
    public var sampleCount: Int
  }

  /// One analysis directory's contents.
  public struct Input: Sendable {
    public var directory: String
    public var manifest: PlaneManifest
    public var rows: [PlaneRow]
    public init(directory: String, manifest: PlaneManifest, rows: [PlaneRow]) {
      self.directory = directory
      self.manifest = manifest
      self.rows = rows
    }
  }

  static let excludedSettingKeys: Set<String> = ["seed", "trainer"]

  /// Reads `plane.json` and `plane.csv` of each directory. Throws `CSVError` naming the file.
  public static func read(_ directories: [URL]) throws -> [Input] {
    try directories.map { d in
      let json = d.appendingPathComponent("plane.json"), csv = d.appendingPathComponent("plane.csv")
      for f in [csv, json] where !FileManager.default.fileExists(atPath: f.path) {
        throw CSVError(
          file: f.path, line: 0, field: "file",
          message: "missing; give directories written by `ibplane analyze` (or `ibplane merge`)")
      }
      let manifest = try PlaneManifest.read(json)
      let data: Data
      do { data = try Data(contentsOf: csv) } catch {
        throw CSVError(file: csv.path, line: 0, field: "plane.csv", message: "cannot be read: \(FileErrorCause.text(error))")
      }
      let rows = try PlaneTable.parse(String(decoding: data, as: UTF8.self), file: csv.path).rows
      return Input(directory: d.path, manifest: manifest, rows: rows)
    }
  }

  /// The study of `inputs`. Throws `CSVError` naming the file when a directory has no rows,
  /// a run's final snapshot has no test metrics, or estimators or units differ between
  /// directories. Fewer than three runs is not an error here: ρ is then undefined, with its reason.
  public static func study(_ inputs: [Input]) throws -> Study {
    guard let first = inputs.first else {
      throw CSVError(file: "", line: 0, field: "directories", message: "none given; give at least one analysis directory")
    }
    let estimators = first.manifest.estimators
    for input in inputs {
      let file = input.directory + "/plane.json"
      if input.manifest.unit != first.manifest.unit {
        throw CSVError(
          file: file, line: 0, field: "unit",
          message: "is \(input.manifest.unit.rawValue), but \(first.directory) is in \(first.manifest.unit.rawValue); analyse every setting with the same --unit")
      }
      if Set(input.manifest.estimators) != Set(estimators) {
        throw CSVError(
          file: file, line: 0, field: "estimators",
          message: "are \(describe(input.manifest.estimators)), but \(first.directory) has \(describe(estimators)); analyse every setting with the same estimators")
      }
      if input.rows.isEmpty {
        throw CSVError(file: input.directory + "/plane.csv", line: 0, field: "rows", message: "none; the analysis is empty")
      }
    }
    let settings = inputs.map { i in i.manifest.run.filter { !excludedSettingKeys.contains($0.key) } }
    let allKeys = Set(settings.flatMap(\.keys)).sorted()
    let settingKeys = allKeys.filter { k in Set(settings.map { $0[k] ?? "" }).count > 1 }
    var runs: [Run] = []
    var rows: [Row] = []
    for (k, input) in inputs.enumerated() {
      let label = settingKeys.map { "\($0)=\(settings[k][$0] ?? "")" }.joined(separator: ", ")
      let recordings = orderedUnique(input.rows.map(\.recording))
      for recording in recordings {
        let (run, finals) = try finalSnapshot(
          input.rows.filter { $0.recording == recording }, recording: recording, input: input, setting: label,
          single: recordings.count == 1)
        runs.append(run)
        rows += finals.sorted { ($0.layerIndex, $0.estimator, $0.params) < ($1.layerIndex, $1.estimator, $1.params) }.map {
          Row(
            run: run, layer: $0.layer, layerIndex: $0.layerIndex, estimator: $0.estimator, params: $0.params, unit: $0.unit,
            conditionalInputInformation: $0.conditionalInputInformation, inputInformation: $0.inputInformation,
            labelInformation: $0.labelInformation)
        }
      }
    }
    return Study(
      settingKeys: settingKeys, runs: runs, rows: rows, correlations: correlations(rows), estimators: estimators,
      unit: first.manifest.unit, sampleCount: first.manifest.sampleCount)
  }

  /// The run of one recording's rows and the rows of its final snapshot.
  static func finalSnapshot(
    _ rows: [PlaneRow], recording: String, input: Input, setting: String, single: Bool
  ) throws -> (Run, [PlaneRow]) {
    let file = input.directory + "/plane.csv"
    let last = rows.max { ($0.epoch, $0.step) < ($1.epoch, $1.step) }!
    let finals = rows.filter { $0.epoch == last.epoch && $0.step == last.step }
    func metric(_ name: String, required: Bool) throws -> Double {
      guard let v = last.metrics[name], v.isFinite else {
        if !required { return .nan }
        throw CSVError(
          file: file, line: 0, field: name,
          message: "missing for recording \"\(recording)\" at its final epoch \(last.epoch); the generalisation gap needs the trainer's train_accuracy and test_accuracy (a recording made without a test split has none)")
      }
      return v
    }
    let seed = seedOf(recording) ?? (single ? input.manifest.run["seed"] : nil) ?? ""
    let run = Run(
      directory: input.directory, recording: recording, setting: setting, seed: seed, epoch: last.epoch,
      trainAccuracy: try metric("train_accuracy", required: true), testAccuracy: try metric("test_accuracy", required: true),
      trainLoss: try metric("loss", required: false), testLoss: try metric("test_loss", required: false))
    return (run, finals)
  }

  /// `s` of a recording named `seed-<s>`.
  static func seedOf(_ recording: String) -> String? {
    guard recording.hasPrefix("seed-") else { return nil }
    let s = recording.dropFirst(5)
    return !s.isEmpty && s.allSatisfy(\.isNumber) ? String(s) : nil
  }

  /// ρ per layer × estimator, in layer then estimator order. Layers are matched by name, not
  /// index: runs of different architectures share `hidden1`, `hidden2`, … and `output`, whose
  /// indices differ.
  static func correlations(_ rows: [Row]) -> [Correlation] {
    struct Key: Hashable { var layer: String, estimator: String, params: String }
    var order: [(key: Key, layerIndex: Int)] = []
    var groups: [Key: [Row]] = [:]
    for r in rows {
      let k = Key(layer: r.layer, estimator: r.estimator, params: r.params)
      if groups[k] == nil { order.append((k, r.layerIndex)) }
      groups[k, default: []].append(r)
    }
    let sorted = order.enumerated().sorted { ($0.element.layerIndex, $0.offset) < ($1.element.layerIndex, $1.offset) }.map(\.element)
    return sorted.map { k, layerIndex in
      let g = groups[k]!
      let x = g.map { $0.conditionalInputInformation ?? .nan }
      return Correlation(
        layer: k.layer, layerIndex: layerIndex, estimator: k.estimator, params: k.params,
        accuracyGap: SpearmanCorrelation.correlation(x, g.map(\.run.accuracyGap), xName: "I(X;T|Y)", yName: "the accuracy gap"),
        lossGap: SpearmanCorrelation.correlation(x, g.map(\.run.lossGap), xName: "I(X;T|Y)", yName: "the loss gap"))
    }
  }

  package static func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
  }

  static func describe(_ e: [PlaneManifest.EstimatorSpec]) -> String {
    e.map { "\($0.name)(\($0.params))" }.sorted().joined(separator: ", ")
  }
}
