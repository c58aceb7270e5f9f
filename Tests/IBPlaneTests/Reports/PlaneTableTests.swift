import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Metric names come from inside a recording: any string. Their CSV columns must stay unique
/// and readable back, or `--resume` refuses the analysis's own output.
@Suite struct PlaneTableTests {
  static let adversarialNames = [
    "epoch", "metric_epoch", "metric_metric_epoch", "metric_", "", " ", "recording", "recording_fingerprint",
    "seconds", "metric_seconds", "a,b", "\"", "say \"hi\"", "line\nbreak", "cr\rlf", ",\"\n", "loss", "Loss", "é",
    "i_xt_lower", "i_xt_ci_lo", "ci_method", "ci_seed", "metric_ci_level", "i_xt_lo", "i_ty_hi",
    "clipped_fraction", "metric_clipped_fraction", "n", "metric_n",
  ]

  @Test func metricColumnsAreUniqueAndReversible() {
    let columns = Self.adversarialNames.map(PlaneTable.column(forMetric:))
    #expect(Set(columns).count == Self.adversarialNames.count, "\(columns)")
    for (name, column) in zip(Self.adversarialNames, columns) {
      #expect(PlaneTable.metricName(forColumn: column) == name, "\(name.debugDescription) → \(column.debugDescription)")
      #expect(!PlaneTable.fixedColumns.contains(column), "\(name.debugDescription) took the fixed column \(column)")
    }
    #expect(PlaneTable.column(forMetric: "epoch") == "metric_epoch")
    #expect(PlaneTable.column(forMetric: "metric_epoch") == "metric_metric_epoch")
    #expect(PlaneTable.column(forMetric: "accuracy") == "accuracy")
    #expect(PlaneTable.column(forMetric: "ci_level") == "metric_ci_level")
    #expect(PlaneTable.column(forMetric: "i_xt_lo") == "i_xt_lo")  // no longer a fixed column
  }

  /// The regression: metrics `epoch` and `metric_epoch` gave two `metric_epoch` columns, and
  /// the resumed run refused the file it had written.
  @Test func adversarialMetricNamesRoundTripThroughTheCSVAndResume() throws {
    let base = try PlaneFixtures.source(snapshots: 2)
    var source = try InMemorySnapshotSource(
      name: "adversarial", inputs: base.inputs, labels: base.labels, layers: base.layers, run: base.run)
    for s in base.snapshots.indices {
      var metrics: [String: Double] = [:]
      for (k, name) in Self.adversarialNames.enumerated() { metrics[name] = Double(k) + 0.25 * Double(s) }
      try source.append(
        SnapshotInfo(epoch: base.snapshots[s].epoch, step: base.snapshots[s].step, metrics: metrics),
        layers: try base.layers.indices.map { try base.layer($0, snapshot: s) })
    }
    let dir = PlaneFixtures.temporaryDirectory()
    let estimators = [try GaussianPlaneEstimator()]
    let first = try PlaneAnalysis(source: source, estimators: estimators).run(directory: dir, resume: false)
    let text = String(decoding: try Data(contentsOf: first.csv), as: UTF8.self)
    let parsed = try PlaneTable.parse(text, file: first.csv.path)
    #expect(Set(parsed.table.metricNames) == Set(Self.adversarialNames))
    #expect(PlaneFixtures.timeless(parsed.rows) == PlaneFixtures.timeless(first.rows))
    for r in parsed.rows {
      #expect(r.metrics["metric_epoch"] == 1 + 0.25 * Double(r.step == 0 ? 0 : 1))
    }
    let resumed = try PlaneAnalysis(source: source, estimators: estimators).run(directory: dir, resume: true)
    #expect(resumed.computed == 0 && resumed.skipped == first.rows.count)
    // An independent reader sees as many distinct columns as the header promises.
    if Oracles.isAvailable(.python3) {
      let out = try Oracles.run(
        "import csv, sys; h = next(csv.reader(open(sys.argv[1], newline=''))); print(len(h), len(set(h)))",
        arguments: [first.csv.path])
      let n = PlaneTable.fixedColumns.count + Self.adversarialNames.count
      #expect(out == "\(n) \(n)")
    }
  }

  @Test func aCSVWithoutTheFingerprintColumnIsRefusedWithAdvice() throws {
    let old = "recording,epoch,step,layer,layer_index,width,estimator,params,unit,i_xt,i_ty,i_xt_lo,i_xt_hi,i_ty_lo,i_ty_hi,n,seconds\n"
    #expect {
      try PlaneTable.parse(old, file: "old.csv")
    } throws: { error in
      let text = "\(error)"
      return text.hasPrefix("old.csv:1: header:") && text.contains("older ibplane") && text.contains("without --resume")
    }
  }

  @Test func aRowWithoutAValidFingerprintIsRefused() throws {
    let table = PlaneTable(metricNames: [])
    let row = PlaneRow(
      recording: "r", recordingFingerprint: "not-hex", epoch: 0, step: 0, layer: "h", layerIndex: 0, width: 1,
      estimator: "gaussian", params: "", unit: .bits, inputInformation: 1, labelInformation: 0.5, n: 2, seconds: 0)
    #expect(throws: CSVError(file: "f.csv", line: 2, field: "recording_fingerprint", message: "expected 16 hexadecimal digits, got \"not-hex\"")) {
      try PlaneTable.parse(table.text([row]), file: "f.csv")
    }
  }
}
