import Foundation
import Testing
import IBPlane

/// The default interval of an analysis (half-sample jackknife) in rows, CSV, resume and
/// manifest, and the `ci_excludes_estimate` flag of the demoted percentile bootstrap.
@Suite struct PlaneJackknifeIntervalTests {
  func options(_ method: PlaneIntervalSettings.Method = .halfSampleJackknife, b: Int = 10, seed: UInt64 = 2) -> PlaneAnalysisOptions {
    var o = PlaneAnalysisOptions()
    o.bootstrapResamples = b
    o.intervalMethod = method
    o.confidenceLevel = 0.9
    o.seed = seed
    return o
  }

  @Test func theDefaultIsTheJackknifeAndItsIntervalsContainTheEstimate() throws {
    #expect(PlaneAnalysisOptions().intervalMethod == .halfSampleJackknife)
    let source = try PlaneFixtures.source(snapshots: 2)
    let estimators = try ["binning", "kde", "cs"].map { try EstimatorRegistry.makePlane($0) }
    let rows = try PlaneAnalysis(source: source, estimators: estimators, options: options()).run()
    #expect(!rows.isEmpty)
    for r in rows {
      let ci = try #require(r.interval)
      #expect(ci.settings.method == .halfSampleJackknife)
      #expect(ci.input.contains(r.inputInformation) && ci.label.contains(r.labelInformation), "\(r.key)")
      let z = try #require(r.conditionalInputInformation)
      #expect(try #require(ci.conditional).contains(z), "\(r.key)")
      #expect(r.intervalExclusionsCell == "none")
      // Centred: the estimate is the midpoint (up to rounding).
      #expect(abs((ci.input.lowerBound + ci.input.upperBound) / 2 - r.inputInformation) < 1e-9)
    }
    // Same seed, same intervals; another seed, other ones.
    let again = try PlaneAnalysis(source: source, estimators: estimators, options: options()).run()
    #expect(again.map(\.interval) == rows.map(\.interval))
    let other = try PlaneAnalysis(source: source, estimators: estimators, options: options(seed: 3)).run()
    #expect(other.map(\.interval) != rows.map(\.interval))
  }

  /// Every sample in its own bin: I(X;T) = log N on the full sample, and every with-replacement
  /// resample has fewer distinct rows, so the bootstrap interval lies below the estimate; the
  /// row says so, and the jackknife interval of the same row contains it.
  @Test func aBootstrapIntervalThatExcludesItsEstimateIsFlagged() throws {
    let source = try PlaneFixtures.source(snapshots: 1)
    let binning = try EstimatorRegistry.makePlane("binning:bins=100000,convention=range")
    let dir = PlaneFixtures.temporaryDirectory()
    let summary = try PlaneAnalysis(source: source, estimators: [binning], options: options(.percentileBootstrap))
      .run(directory: dir, resume: false)
    let flagged = summary.rows.filter { $0.intervalExclusions?.contains("i_xt") == true }
    #expect(!flagged.isEmpty)
    for r in flagged { #expect(r.interval!.input.upperBound < r.inputInformation) }
    let text = String(decoding: try Data(contentsOf: summary.csv), as: UTF8.self)
    let records = try CSVTable.records(text, file: "").records
    let column = try #require(records[0].firstIndex(of: "ci_excludes_estimate"))
    #expect(zip(records.dropFirst(), summary.rows).allSatisfy { $0[column] == $1.intervalExclusionsCell })
    #expect(records.dropFirst().contains { $0[column].hasPrefix("i_xt") })
    let jackknife = try PlaneAnalysis(source: source, estimators: [binning], options: options()).run()
    #expect(jackknife.allSatisfy { $0.intervalExclusionsCell == "none" })
  }

  @Test func theFlagIsCheckedWhenRead() throws {
    let table = PlaneTable(metricNames: [])
    var row = PlaneRow(
      recording: "r", recordingFingerprint: "0123456789abcdef", epoch: 0, step: 0, layer: "h", layerIndex: 0, width: 1,
      estimator: "binning", params: "", unit: .bits, inputInformation: 2, labelInformation: 0.5,
      interval: PlaneInterval(
        settings: PlaneIntervalSettings(method: .percentileBootstrap, level: 0.95, resamples: 5, seed: 1), input: 0.5...1.5,
        label: 0.25...0.75, conditional: 0...0.1),
      n: 2, seconds: 0, conditionalInputInformation: 0.2)
    #expect(row.intervalExclusionsCell == "i_xt;i_xt_given_y")
    let parsed = try PlaneTable.parse(table.text([row]), file: "f.csv").rows
    #expect(parsed == [row])
    let lying = table.text([row]).replacingOccurrences(of: ",i_xt;i_xt_given_y\n", with: ",none\n")
    #expect { try PlaneTable.parse(lying, file: "f.csv") } throws: { e in
      (e as? CSVError)?.field == "ci_excludes_estimate" && "\(e)".contains("expected \"i_xt;i_xt_given_y\"")
    }
    row.interval = nil
    #expect(row.intervalExclusionsCell == "")
    #expect(try PlaneTable.parse(table.text([row]), file: "f.csv").rows == [row])
  }

  @Test func aTableWithoutTheFlagColumnIsRefused() throws {
    let old = PlaneTable.fixedColumns.filter { $0 != "ci_excludes_estimate" }.joined(separator: ",") + ",loss\n"
    #expect { try PlaneTable.parse(old, file: "old.csv") } throws: { e in
      "\(e)".hasPrefix("old.csv:1: header: has no ci_excludes_estimate column") && "\(e)".contains("without --resume")
    }
  }

  @Test func resumeKeepsJackknifeRowsAndRefusesAnotherMethod() throws {
    let source = try PlaneFixtures.source(snapshots: 2)
    let binning = try EstimatorRegistry.makePlane("binning")
    let dir = PlaneFixtures.temporaryDirectory()
    let first = try PlaneAnalysis(source: source, estimators: [binning], options: options()).run(directory: dir, resume: false)
    let text = String(decoding: try Data(contentsOf: first.csv), as: UTF8.self)
    #expect(try PlaneTable.parse(text, file: "").rows == first.rows)
    let manifest = try PlaneManifest.read(first.manifest)
    #expect(manifest.intervalMethod == .halfSampleJackknife)
    #expect(PlaneIntervalSettings(manifest: manifest)?.method == .halfSampleJackknife)
    let resumed = try PlaneAnalysis(source: source, estimators: [binning], options: options()).run(directory: dir, resume: true)
    #expect(resumed.computed == 0 && resumed.skipped == first.rows.count)
    #expect { try PlaneAnalysis(source: source, estimators: [binning], options: options(.percentileBootstrap)).run(directory: dir, resume: true) }
      throws: { e in (e as? CSVError)?.field == "ci_method" }
    // A manifest from before the method was recorded meant the percentile bootstrap.
    var legacy = manifest
    legacy.intervalMethod = nil
    let json = try #require(String(data: try legacy.encoded(), encoding: .utf8))
    #expect(!json.contains("interval_method") && !json.contains("intervalMethod"))
    let url = dir.appendingPathComponent("legacy.json")
    try Data(json.utf8).write(to: url)
    #expect(PlaneIntervalSettings(manifest: try PlaneManifest.read(url))?.method == .percentileBootstrap)
  }

  @Test func methodNamesParse() throws {
    #expect(try PlaneIntervalSettings.Method(parsing: "Jackknife") == .halfSampleJackknife)
    #expect(try PlaneIntervalSettings.Method(parsing: "percentile-bootstrap") == .percentileBootstrap)
    #expect(throws: EstimatorError.self) { try PlaneIntervalSettings.Method(parsing: "bca") }
  }

  /// Every plane family says what its interval covers, in `analyze --help`.
  @Test func everyPlaneFamilyStatesItsIntervalCoverage() {
    let help = EstimatorRegistry.help(form: .plane, flags: false)
    let planeFamilies = EstimatorRegistry.families.filter(\.hasPlaneForm)
    #expect(help.components(separatedBy: "interval (--resamples): ").count == planeFamilies.count + 1)
    for f in planeFamilies { #expect(EstimatorRegistry.intervalCoverage(family: f.name).contains("sampling spread")) }
  }
}
