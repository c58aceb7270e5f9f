import Foundation
import Testing
import IBPlane

/// The estimator's own bounds (`i_*_lower`/`_upper`) and the bootstrap interval
/// (`i_*_ci_lo`/`_hi`, `ci_*`) are separate columns: a bootstrapped KDE row keeps its bounds,
/// and no column's meaning depends on `params`.
@Suite struct PlaneIntervalColumnsTests {
  /// The CSV as records of field by column name (the header's names).
  func fields(_ csv: URL) throws -> [[String: String]] {
    let (records, _) = try CSVTable.records(String(decoding: try Data(contentsOf: csv), as: UTF8.self), file: csv.path)
    let header = records[0]
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
  }

  func bootstrapOptions(_ b: Int = 12, level: Double = 0.9, seed: UInt64 = 4) -> PlaneAnalysisOptions {
    var o = PlaneAnalysisOptions()
    o.bootstrapResamples = b
    o.confidenceLevel = level
    o.seed = seed
    return o
  }

  @Test func aBootstrappedKDEPlaneHasBothBoundsAndAnInterval() throws {
    let source = try PlaneFixtures.source(snapshots: 3)
    let kde = try EstimatorRegistry.makePlane("kde")
    let dir = PlaneFixtures.temporaryDirectory()
    let summary = try PlaneAnalysis(source: source, estimators: [kde], options: bootstrapOptions()).run(directory: dir, resume: false)
    // The bounds are the estimator's, exactly as without a bootstrap.
    let plain = try PlaneAnalysis(source: source, estimators: [kde]).run()
    #expect(summary.rows.count == 6 && plain.count == 6)
    for (r, p) in zip(summary.rows, plain) {
      #expect(r.inputInformation == p.inputInformation && r.labelInformation == p.labelInformation)
      #expect(r.inputInformationLowerBound == p.inputInformationLowerBound && r.inputInformationUpperBound == p.inputInformationUpperBound)
      #expect(r.labelInformationLowerBound == p.labelInformationLowerBound && r.labelInformationUpperBound == p.labelInformationUpperBound)
      #expect(p.interval == nil)
      guard let lower = r.inputInformationLowerBound, let upper = r.inputInformationUpperBound, let ci = r.interval else {
        Issue.record("\(r.key): bounds \(String(describing: r.inputInformationLowerBound)) interval \(String(describing: r.interval))")
        continue
      }
      // KDE (upper bound by default): the point is the upper bound, the lower one is below it.
      #expect(lower < upper && upper == r.inputInformation, "\(r.key)")
      #expect(ci.settings == PlaneIntervalSettings(method: .halfSampleJackknife, level: 0.9, resamples: 12, seed: 4))
      #expect(ci.input.upperBound > ci.input.lowerBound && ci.label.upperBound > ci.label.lowerBound)
      #expect(ci.input != lower...upper, "the interval is not the bracket")
    }
    for (f, r) in zip(try fields(summary.csv), summary.rows) {
      #expect(f["i_xt_lower"] == "\(r.inputInformationLowerBound!)" && f["i_xt_upper"] == "\(r.inputInformationUpperBound!)")
      #expect(f["i_xt_ci_lo"] == "\(r.interval!.input.lowerBound)" && f["i_ty_ci_hi"] == "\(r.interval!.label.upperBound)")
      #expect(f["ci_method"] == "half-sample-jackknife" && f["ci_level"] == "0.9" && f["ci_resamples"] == "12" && f["ci_seed"] == "4")
      #expect(f["i_ty_lower"] == "" && f["i_ty_upper"] == "", "KDE bounds only I(X;T)")
    }
  }

  @Test func aBinningPlaneWithoutBootstrapHasEmptyBoundAndIntervalColumns() throws {
    let source = try PlaneFixtures.source(snapshots: 2)
    let summary = try PlaneAnalysis(source: source, estimators: [try EstimatorRegistry.makePlane("binning")])
      .run(directory: PlaneFixtures.temporaryDirectory(), resume: false)
    #expect(summary.rows.allSatisfy { !$0.hasBounds && $0.interval == nil })
    let values = ["i_xt", "i_ty", "i_xt_given_y"]
    let columns = PlaneTable.fixedColumns.filter { $0.hasPrefix("i_") && !values.contains($0) || $0.hasPrefix("ci_") }
    #expect(columns.count == 15)
    for f in try fields(summary.csv) {
      for c in columns { #expect(f[c] == "", "\(c) = \(f[c] ?? "absent")") }
      #expect(!(f["i_xt"] ?? "").isEmpty)
    }
  }

  @Test func rowsRoundTripThroughTheTable() throws {
    let settings = PlaneIntervalSettings(method: .percentileBootstrap, level: 0.995, resamples: 1000, seed: .max)
    var a = PlaneRow(
      recording: "r", recordingFingerprint: "0123456789abcdef", epoch: 1, step: 2, layer: "h", layerIndex: 0, width: 3,
      estimator: "kde", params: "sigma2=0.1", unit: .nats, inputInformation: 1.25, labelInformation: 0.5,
      inputInformationLowerBound: 0.75, inputInformationUpperBound: 1.25, labelInformationLowerBound: nil,
      labelInformationUpperBound: 0.6, interval: PlaneInterval(settings: settings, input: 1.0...1.5, label: 0.1...0.3),
      n: 10, seconds: 0.5, metrics: ["acc": 0.1])
    var b = a
    b.step = 3
    b.interval = PlaneInterval(settings: settings, input: 0.2...0.2, label: -1e-300...0)
    var c = a
    c.step = 4
    (c.inputInformationLowerBound, c.inputInformationUpperBound, c.labelInformationUpperBound, c.interval) = (nil, nil, nil, nil)
    let table = PlaneTable(metricNames: ["acc"])
    let parsed = try PlaneTable.parse(table.text([a, b, c]), file: "t.csv")
    #expect(parsed.rows == [a, b, c] && parsed.table == table)
    a.unit = .bits
    #expect(try PlaneTable.parse(table.text([a]), file: "t.csv").rows == [a])
  }

  /// Half an interval, a method nobody wrote or lo > hi is refused, naming the column.
  @Test func inconsistentIntervalFieldsAreRefused() throws {
    let table = PlaneTable(metricNames: [])
    let row = PlaneRow(
      recording: "r", recordingFingerprint: "0123456789abcdef", epoch: 0, step: 0, layer: "h", layerIndex: 0, width: 1,
      estimator: "kde", params: "", unit: .bits, inputInformation: 1, labelInformation: 0.5,
      interval: PlaneInterval(
        settings: PlaneIntervalSettings(method: .percentileBootstrap, level: 0.95, resamples: 5, seed: 1), input: 0.5...1.5, label: 0.25...0.75),
      n: 2, seconds: 0)
    let good = table.text([row])
    let header = table.header
    for (column, value, expected) in [
      ("ci_method", "", "expected half-sample-jackknife or percentile-bootstrap"), ("ci_method", "jackknife", "expected half-sample-jackknife or percentile-bootstrap"),
      ("i_xt_ci_lo", "", "expected a number"), ("i_ty_ci_hi", "nan", "expected a number"),
      ("ci_level", "1", "open interval (0, 1)"), ("ci_resamples", "1", "≥ 2"), ("ci_seed", "-1", "an integer"),
      ("i_xt_ci_hi", "0.25", "a number ≥ i_xt_ci_lo = 0.5"),
    ] {
      var f = try CSVTable.records(good, file: "").records[1]
      f[header.firstIndex(of: column)!] = value
      let text = table.headerLine + CSVTable.line(f)
      #expect { try PlaneTable.parse(text, file: "f.csv") } throws: { e in
        (e as? CSVError)?.field == column && "\(e)".hasPrefix("f.csv:2: \(column): ") && "\(e)".contains(expected)
      }
    }
  }

  /// Decision: a plane.csv from before this split (columns i_*_lo/_hi, whose meaning depended on
  /// params) is refused, by `--resume` and by `merge`, with advice; it is not reinterpreted.
  @Test func aCSVWithTheOldMixedColumnsIsRefusedWithAdvice() throws {
    let old = "recording,recording_fingerprint,epoch,step,layer,layer_index,width,estimator,params,unit,i_xt,i_ty,i_xt_lo,i_xt_hi,i_ty_lo,i_ty_hi,n,seconds,loss\n"
      + "fixture,0123456789abcdef,0,0,h1,0,4,kde,sigma2=0.1;bootstrap=5;level=0.95;seed=0,bits,1,0.5,0.9,1.1,0.4,0.6,300,0.1,0.5\n"
    #expect { try PlaneTable.parse(old, file: "old.csv") } throws: { e in
      let s = "\(e)"
      return s.hasPrefix("old.csv:1: header: has the column i_xt_lo") && s.contains("older ibplane") && s.contains("without --resume")
    }
    // Through --resume: the file is refused and left as it was.
    let dir = PlaneFixtures.temporaryDirectory()
    let csv = dir.appendingPathComponent("plane.csv")
    try Data(old.utf8).write(to: csv)
    #expect(throws: CSVError.self) {
      try PlaneAnalysis(source: try PlaneFixtures.source(), estimators: [try GaussianPlaneEstimator()]).run(directory: dir, resume: true)
    }
    #expect(try Data(contentsOf: csv) == Data(old.utf8))
    // A metric that happens to be called i_xt_lo is not mistaken for the old layout.
    let table = PlaneTable(metricNames: ["i_xt_lo"])
    #expect(table.header.last == "i_xt_lo")
    #expect(try PlaneTable.parse(table.headerLine, file: "new.csv").table == table)
  }

  @Test func resumeRefusesRowsWithOtherIntervalSettings() throws {
    let source = try PlaneFixtures.source(snapshots: 2)
    let estimators: [InformationPlaneEstimator] = [try GaussianPlaneEstimator()]
    let dir = PlaneFixtures.temporaryDirectory()
    _ = try PlaneAnalysis(source: source, estimators: estimators, options: bootstrapOptions(5)).run(directory: dir, resume: false)
    for (options, column) in [
      (PlaneAnalysisOptions(), "ci_method"), (bootstrapOptions(5, level: 0.8), "ci_level"), (bootstrapOptions(6), "ci_resamples"),
      (bootstrapOptions(5, seed: 9), "ci_seed"),
    ] {
      #expect {
        try PlaneAnalysis(source: source, estimators: estimators, options: options).run(directory: dir, resume: true)
      } throws: { e in
        (e as? CSVError)?.field == column && "\(e)".contains("90% half-sample-jackknife interval, B = 5, seed 4") && "\(e)".contains("without --resume")
      }
    }
    let again = try PlaneAnalysis(source: source, estimators: estimators, options: bootstrapOptions(5)).run(directory: dir, resume: true)
    #expect(again.computed == 0 && again.skipped == 4)
  }

  @Test func mergeKeepsBoundsAndIntervals() throws {
    let source = try PlaneFixtures.source(snapshots: 3)
    let estimators = [try EstimatorRegistry.makePlane("kde"), try GaussianPlaneEstimator()]
    let whole = try PlaneAnalysis(source: source, estimators: estimators, options: bootstrapOptions(6)).run()
    let dir = PlaneFixtures.temporaryDirectory()
    for i in 1...2 {
      var options = bootstrapOptions(6)
      options.shard = try PlaneShard(index: i, count: 2)
      _ = try PlaneAnalysis(source: source, estimators: estimators, options: options).run(directory: dir, resume: false)
    }
    let out = PlaneFixtures.temporaryDirectory()
    let merged = try PlaneMerge.write([dir], to: out)
    #expect(PlaneFixtures.timeless(merged.rows) == PlaneFixtures.timeless(whole))
    #expect(merged.rows.contains { $0.hasBounds && $0.interval != nil } && merged.rows.allSatisfy { $0.interval != nil })
    let reread = try PlaneTable.parse(String(decoding: try Data(contentsOf: out.appendingPathComponent("plane.csv")), as: UTF8.self), file: "m")
    #expect(PlaneFixtures.timeless(reread.rows) == PlaneFixtures.timeless(whole))

    // A shard whose rows' interval settings are not its manifest's is refused, naming the column.
    let shard = dir.appendingPathComponent("plane-shard-2-of-2.csv")
    let text = String(decoding: try Data(contentsOf: shard), as: UTF8.self)
    let parsed = try PlaneTable.parse(text, file: "")
    let edited = parsed.rows.map { r -> PlaneRow in
      var r = r
      r.interval?.settings.seed = 5
      return r
    }
    try Data(parsed.table.text(edited).utf8).write(to: shard)
    #expect { try PlaneMerge.merge([dir]) } throws: { e in
      (e as? CSVError)?.field == "ci_seed" && "\(e)".contains("plane-shard-2-of-2.json promises a 90% half-sample-jackknife interval, B = 6, seed 4")
    }
  }
}
