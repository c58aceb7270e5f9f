import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

@Suite struct PlaneAnalysisTests {
  let estimators: [InformationPlaneEstimator] = [
    try! GaussianPlaneEstimator(), try! GaussianPlaneEstimator(noiseVariance: 0.5),
  ]

  func csvText(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

  @Test func csvHasTheSchemaAndOneRowPerJob() throws {
    let source = try PlaneFixtures.source()
    let dir = PlaneFixtures.temporaryDirectory()
    let summary = try PlaneAnalysis(source: source, estimators: estimators).run(directory: dir, resume: false)
    let lines = try csvText(summary.csv).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "recording,recording_fingerprint,epoch,step,layer,layer_index,width,estimator,params,unit,i_xt,i_ty,i_xt_lower,i_xt_upper,i_ty_lower,i_ty_upper,i_xt_ci_lo,i_xt_ci_hi,i_ty_ci_lo,i_ty_ci_hi,ci_method,ci_level,ci_resamples,ci_seed,clipped_fraction,n,seconds,i_xt_given_y,i_xt_given_y_ci_lo,i_xt_given_y_ci_hi,ci_excludes_estimate,loss,test_accuracy")
    #expect(lines.last == "")
    #expect(lines.count - 2 == 5 * 2 * 2)
    #expect(summary.rows.count == 20)
    #expect(summary.rows.allSatisfy { $0.unit == .bits && $0.n == 300 && $0.inputInformation > 0 && $0.labelInformation > 0 })
    // I(T;Y) ≤ I(X;T) for a deterministic layer of X under the same Gaussian channel? Not a theorem
    // for Gaussian fits; instead check the unit conversion against a nats run.
    var options = PlaneAnalysisOptions()
    options.unit = .nats
    let nats = try PlaneAnalysis(source: source, estimators: estimators, options: options).run()
    for (b, n) in zip(summary.rows, nats) {
      #expect(abs(b.inputInformation - n.inputInformation / log(2)) < 1e-12)
    }
    let manifest = try PlaneManifest.read(summary.manifest)
    #expect(manifest.totalJobCount == 20 && manifest.jobCount == 20)
    // An independent reader: Python's csv module must see the same header and 20 rows (when
    // python3 is installed: OracleGateTests fails without it under IBPLANE_REQUIRE_ORACLES=1).
    if Oracles.isAvailable(.python3) {
      let out = try Oracles.run("""
      import csv, sys
      rows = list(csv.DictReader(open(sys.argv[1], newline="")))
      print(len(rows), len(rows[0]), rows[3]["estimator"], float(rows[3]["i_xt"]) > 0)
      """, arguments: [summary.csv.path])
      #expect(out == "20 33 gaussian:sigma2=0.5 True")
    }
  }

  @Test func resumeAfterAKillEqualsAnUninterruptedRun() throws {
    let source = try PlaneFixtures.source()
    let full = PlaneFixtures.temporaryDirectory()
    let reference = try PlaneAnalysis(source: source, estimators: estimators).run(directory: full, resume: false)
    // A kill mid-write: header, 7 complete rows and half of the 8th, no manifest.
    let text = try csvText(reference.csv)
    let lines = text.split(separator: "\n").map(String.init)
    let cut = lines[0...7].joined(separator: "\n") + "\n" + lines[8].prefix(lines[8].count / 2)
    let killed = PlaneFixtures.temporaryDirectory()
    try Data(cut.utf8).write(to: killed.appendingPathComponent("plane.csv"))
    var progressCalls = 0
    let resumed = try PlaneAnalysis(source: source, estimators: estimators)
      .run(directory: killed, resume: true, progress: { _ in progressCalls += 1 })
    #expect(resumed.skipped == 7)
    #expect(resumed.computed == 13)
    #expect(progressCalls == 13)
    #expect(PlaneFixtures.timeless(resumed.rows) == PlaneFixtures.timeless(reference.rows))
    let reread = try PlaneTable.parse(try csvText(resumed.csv), file: "resumed")
    #expect(PlaneFixtures.timeless(reread.rows) == PlaneFixtures.timeless(reference.rows))
    // Resuming a finished run computes nothing.
    let again = try PlaneAnalysis(source: source, estimators: estimators).run(directory: killed, resume: true)
    #expect(again.computed == 0 && again.skipped == 20)
  }

  @Test func resumeRefusesAnotherAnalysisCSV() throws {
    let source = try PlaneFixtures.source()
    let dir = PlaneFixtures.temporaryDirectory()
    _ = try PlaneAnalysis(source: source, estimators: estimators).run(directory: dir, resume: false)
    var options = PlaneAnalysisOptions()
    options.unit = .nats
    #expect(throws: CSVError.self) {
      try PlaneAnalysis(source: source, estimators: estimators, options: options).run(directory: dir, resume: true)
    }
  }

  @Test func mergedShardsEqualTheUnshardedRun() throws {
    let source = try PlaneFixtures.source()
    let whole = try PlaneAnalysis(source: source, estimators: estimators).run()
    let dir = PlaneFixtures.temporaryDirectory()
    var sizes: [Int] = []
    for i in 1...3 {
      var options = PlaneAnalysisOptions()
      options.shard = try PlaneShard(index: i, count: 3)
      let s = try PlaneAnalysis(source: source, estimators: estimators, options: options).run(directory: dir, resume: false)
      sizes.append(s.rows.count)
      #expect(s.csv.lastPathComponent == "plane-shard-\(i)-of-3.csv")
    }
    #expect(sizes == [7, 7, 6])
    let out = PlaneFixtures.temporaryDirectory()
    let merged = try PlaneMerge.write([dir], to: out)
    #expect(PlaneFixtures.timeless(merged.rows) == PlaneFixtures.timeless(whole))
    #expect(merged.manifest.shardCount == 1 && merged.manifest.jobCount == 20)

    // A missing shard and a duplicated one are both refused.
    let partial = PlaneFixtures.temporaryDirectory()
    for name in ["plane-shard-1-of-3", "plane-shard-2-of-3"] {
      for ext in ["csv", "json"] {
        try FileManager.default.copyItem(
          at: dir.appendingPathComponent("\(name).\(ext)"), to: partial.appendingPathComponent("\(name).\(ext)"))
      }
    }
    #expect(throws: CSVError.self) { try PlaneMerge.merge([partial]) }
    #expect(throws: CSVError.self) { try PlaneMerge.merge([dir, partial]) }
    // An unfinished shard (no manifest) is refused.
    try FileManager.default.removeItem(at: dir.appendingPathComponent("plane-shard-3-of-3.json"))
    #expect(throws: CSVError.self) { try PlaneMerge.merge([dir]) }
  }

  @Test func bootstrapIntervalsContainThePointAndAreDeterministic() throws {
    let source = try PlaneFixtures.source(snapshots: 3)
    var options = PlaneAnalysisOptions()
    options.bootstrapResamples = 40
    options.seed = 5
    let a = try PlaneAnalysis(source: source, estimators: [try GaussianPlaneEstimator()], options: options).run()
    let b = try PlaneAnalysis(source: source, estimators: [try GaussianPlaneEstimator()], options: options).run()
    #expect(PlaneFixtures.timeless(a) == PlaneFixtures.timeless(b))
    for r in a {
      guard let ci = r.interval else { Issue.record("\(r.key) has no interval"); continue }
      let (xl, xh, yl, yh) = (ci.input.lowerBound, ci.input.upperBound, ci.label.lowerBound, ci.label.upperBound)
      #expect(xl <= r.inputInformation && r.inputInformation <= xh, "\(r.key): \(xl) \(r.inputInformation) \(xh)")
      #expect(yl <= r.labelInformation && r.labelInformation <= yh, "\(r.key): \(yl) \(r.labelInformation) \(yh)")
      #expect(xh - xl > 0 && yh - yl > 0)
      // The bootstrap settings are in the manifest, not in the estimator's params.
      #expect(r.params == "sigma2=0.1" && r.estimator == "gaussian")
    }
    options.seed = 6
    let c = try PlaneAnalysis(source: source, estimators: [try GaussianPlaneEstimator()], options: options).run()
    #expect(c[0].interval?.input != nil && c[0].interval?.input != a[0].interval?.input)
  }

  @Test func percentileMatchesNumpyLinearInterpolation() {
    // numpy.percentile([3, 1, 4, 1, 5], [2.5, 50, 97.5]) = [1.0, 3.0, 4.9]
    let v = [3.0, 1, 4, 1, 5]
    #expect(abs(PlaneBootstrap.percentile(v, 0.025) - 1.0) < 1e-12)
    #expect(abs(PlaneBootstrap.percentile(v, 0.5) - 3.0) < 1e-12)
    #expect(abs(PlaneBootstrap.percentile(v, 0.975) - 4.9) < 1e-12)
  }

  @Test func selectionOfLayersEpochsAndShards() throws {
    let source = try PlaneFixtures.source()
    var options = PlaneAnalysisOptions()
    options.layers = [1]
    options.epochs = try EpochSelection(parsing: "0,10-100")
    let a = try PlaneAnalysis(source: source, estimators: estimators, options: options)
    #expect(a.jobs.count == 3 * 1 * 2)
    #expect(Set(a.jobs.map(\.epoch)) == [0, 10, 100])
    #expect(throws: EstimatorError.self) { try EpochSelection(parsing: "5-1") }
    #expect(throws: EstimatorError.self) { try PlaneShard(parsing: "4/3") }
    #expect(throws: EstimatorError.self) { try PlaneShard(parsing: "x") }
    options.layers = [7]
    #expect(throws: EstimatorError.self) { try PlaneAnalysis(source: source, estimators: estimators, options: options) }
  }
}

/// How training code computes plane points on the fly, without writing a recording:
/// append each snapshot's activations to an in-memory source and analyse every few epochs.
@Suite struct InMemoryTrainingLoopTests {
  @Test func planePointsDuringTraining() throws {
    let recorded = try PlaneFixtures.source(snapshots: 4)
    var live = try InMemorySnapshotSource(
      name: "live", inputs: recorded.inputs, labels: recorded.labels, layers: recorded.layers)
    let context = try live.makePlaneContext()    // built once, reused every time
    var points: [PlaneRow] = []
    for s in recorded.snapshots.indices {        // stands for the training loop
      let layers = try recorded.layers.indices.map { try recorded.layer($0, snapshot: s) }
      try live.append(recorded.snapshots[s], layers: layers)
      if s % 2 == 1 {                            // every other "epoch"
        let analysis = try PlaneAnalysis(source: live, estimators: [try GaussianPlaneEstimator()], context: context)
        points += try analysis.run()
        live.removeAllSnapshots()
      }
    }
    let offline = try PlaneAnalysis(source: recorded, estimators: [try GaussianPlaneEstimator()]).run()
    #expect(points.count == offline.count)
    for (a, b) in zip(points, offline) {
      #expect(a.key == b.key && a.inputInformation == b.inputInformation && a.labelInformation == b.labelInformation)
    }
  }
}
