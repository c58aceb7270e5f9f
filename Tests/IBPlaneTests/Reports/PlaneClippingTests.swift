import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// `clipped_fraction`: computed by binning rows, written to and read back from `plane.csv`,
/// warned about in the HTML report above 1 %.
@Suite struct PlaneClippingTests {
  /// 40 samples; layer `relu` (2 units): unit 0 in [0, 0.95], unit 1 at 0.5 for half the samples
  /// and 3…6.9 for the other half, so exactly 20 of 80 values (25 %) exceed 1. Layer `tanh` stays
  /// inside (−1, 1). Two snapshots.
  static func source() throws -> InMemorySnapshotSource {
    let n = 40
    let x = Matrix<Float>(column: (0..<n).map { Float($0) })
    var source = try InMemorySnapshotSource(
      name: "clipping", inputs: x, labels: .classes((0..<n).map { $0 % 2 }, classCount: 2),
      layers: [LayerSpec(name: "relu", width: 2), LayerSpec(name: "tanh", width: 1)], run: [:])
    for s in 0..<2 {
      var relu = Matrix<Float>(rows: n, columns: 2)
      var tanh = Matrix<Float>(rows: n, columns: 1)
      for i in 0..<n {
        relu[i, 0] = Float(i % 20) * 0.05
        relu[i, 1] = i < 20 ? 0.5 : 3 + Float(i - 20) / 5 + Float(s)
        tanh[i, 0] = tanhf(Float(i - 20) / Float(8 + s))
      }
      try source.append(SnapshotInfo(epoch: s, step: s, metrics: ["loss": 1]), layers: [relu, tanh])
    }
    return source
  }

  /// The analysis in a fresh directory, with its reports.
  func analysed(_ specifications: [String]) throws -> (PlaneAnalysis.Summary, PlaneManifest, URL) {
    let dir = PlaneFixtures.temporaryDirectory()
    let a = try PlaneAnalysis(source: try Self.source(), estimators: try specifications.map(EstimatorRegistry.makePlane))
    let summary = try a.run(directory: dir, resume: false)
    try PlaneReport.write(summary.rows, manifest: a.manifest, to: dir)
    return (summary, a.manifest, dir)
  }

  @Test func binningRowsCarryTheirClippedFractionThroughTheCSV() throws {
    let (summary, _, dir) = try analysed(["binning", "binning:convention=idnns", "gaussian"])
    func rows(_ estimator: String, _ layer: String) -> [PlaneRow] {
      summary.rows.filter { $0.estimator == estimator && $0.layer == layer }
    }
    #expect(rows("binning", "relu").map(\.clippedFraction) == [0, 0])
    #expect(rows("binning:convention=idnns", "relu").map(\.clippedFraction) == [0.25, 0.25])
    #expect(rows("binning:convention=idnns", "tanh").map(\.clippedFraction) == [0, 0])
    #expect(summary.rows.filter { $0.estimator == "gaussian" }.allSatisfy { $0.clippedFraction == nil })
    // The default differs from idnns where idnns clips (here its widened grid is coarser inside
    // [0, 1] but no longer merges unit 1's large values), and equals it bit for bit where it does not.
    for (auto, idnns) in zip(rows("binning", "relu"), rows("binning:convention=idnns", "relu")) {
      #expect(auto.inputInformation != idnns.inputInformation)
    }
    for (auto, idnns) in zip(rows("binning", "tanh"), rows("binning:convention=idnns", "tanh")) {
      #expect(auto.inputInformation.bitPattern == idnns.inputInformation.bitPattern)
      #expect(auto.labelInformation.bitPattern == idnns.labelInformation.bitPattern)
    }
    // The column, as written and as read back.
    let csv = dir.appendingPathComponent("plane.csv")
    let text = String(decoding: try Data(contentsOf: csv), as: UTF8.self)
    let records = try CSVTable.records(text, file: csv.path).records.filter { $0 != [""] }
    let column = try #require(records[0].firstIndex(of: "clipped_fraction"))
    #expect(records[0][column - 1] == "ci_seed" && records[0][column + 1] == "n")
    #expect(Set(records.dropFirst().map { $0[column] }) == ["0.25", "0.0", ""])
    let parsed = try PlaneTable.parse(text, file: csv.path)
    #expect(PlaneFixtures.timeless(parsed.rows) == PlaneFixtures.timeless(summary.rows))
  }

  @Test func olderTablesAndBadFractionsAreRefused() throws {
    // The previous version's header: ci_seed, then n.
    let old = PlaneTable.fixedColumns.filter { $0 != "clipped_fraction" }.joined(separator: ",") + ",loss\n"
    #expect {
      try PlaneTable.parse(old, file: "old.csv")
    } throws: { error in
      let text = "\(error)"
      return text.hasPrefix("old.csv:1: header:") && text.contains("no clipped_fraction column") && text.contains("without --resume")
    }
    let table = PlaneTable(metricNames: [])
    var row = PlaneRow(
      recording: "r", recordingFingerprint: "0123456789abcdef", epoch: 0, step: 0, layer: "h", layerIndex: 0, width: 1,
      estimator: "binning", params: "", unit: .bits, inputInformation: 1, labelInformation: 0.5, n: 2, seconds: 0, clippedFraction: 0.5)
    #expect(try PlaneTable.parse(table.text([row]), file: "f.csv").rows.map(\.clippedFraction) == [0.5])
    row.clippedFraction = 1.5
    #expect(throws: CSVError(file: "f.csv", line: 2, field: "clipped_fraction", message: "expected a fraction in [0, 1] or nothing, got \"1.5\"")) {
      try PlaneTable.parse(table.text([row]), file: "f.csv")
    }
  }

  @Test func clippingAboveOnePercentIsWarnedInTheReport() throws {
    let (summary, _, dir) = try analysed(["binning", "binning:convention=idnns"])
    let warnings = PlaneClipping.warnings(summary.rows)
    #expect(warnings.count == 1)
    let w = try #require(warnings.first)
    #expect(w.estimator == "binning:convention=idnns" && w.layer == "relu" && w.maximum == 0.25 && w.snapshots == 2 && w.total == 2)
    #expect(w.message.contains("25.0 %") && w.message.contains("layer relu"))
    let html = String(decoding: try Data(contentsOf: dir.appendingPathComponent("index.html")), as: UTF8.self)
    #expect(html.components(separatedBy: "<p class=\"warning\">").count == 2)
    // The note sits in the idnns section, not in the default's.
    let idnnsSection = try #require(html.range(of: "<h2>binning:convention=idnns"))
    let note = try #require(html.range(of: "<p class=\"warning\">"))
    #expect(note.lowerBound > idnnsSection.lowerBound)
    #expect(html.contains("binning:convention=idnns clipped 25.0 % of layer relu"))
    // Under the threshold: nothing.
    let (quiet, _, quietDir) = try analysed(["binning"])
    #expect(PlaneClipping.warnings(quiet.rows).isEmpty)
    let quietHTML = String(decoding: try Data(contentsOf: quietDir.appendingPathComponent("index.html")), as: UTF8.self)
    #expect(!quietHTML.contains("class=\"warning\""))
  }
}
