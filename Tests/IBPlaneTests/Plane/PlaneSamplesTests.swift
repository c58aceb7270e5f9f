import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// `--samples train|test` (`PlaneAnalysisOptions.samples`).
@Suite("Plane samples subset")
struct PlaneSamplesTests {
  let n = 40
  let specs = [LayerSpec(name: "h", width: 3)]
  var labels: [Int] { (0..<n).map { $0 % 3 == 0 ? 1 : 0 } }
  var inputs: Matrix<Float> { testLayer(rows: n, columns: 2, seed: 3) }
  func layer(_ s: Int) -> Matrix<Float> { testLayer(rows: n, columns: 3, seed: 40 + s) }
  var split: SampleSplit { SampleSplit(roles: (0..<n).map { $0 % 4 == 1 ? .test : ($0 == 7 ? .unused : .train) }) }

  func record(_ url: URL, split: SampleSplit?) throws {
    let rec = try Recorder(creating: url, layers: specs, inputs: inputs, labels: .classes(labels, classCount: 2), split: split)
    for s in 0..<2 { try rec.record(epoch: s, step: s, layers: [layer(s)]) }
  }

  /// A recording holding only the samples `rows`.
  func recordOnly(_ url: URL, rows: [Int]) throws {
    let rec = try Recorder(
      creating: url, layers: specs, inputs: inputs.selectingRows(rows), labels: .classes(rows.map { labels[$0] }, classCount: 2))
    for s in 0..<2 { try rec.record(epoch: s, step: s, layers: [layer(s).selectingRows(rows)]) }
  }

  func estimators() throws -> [InformationPlaneEstimator] {
    [try EstimatorRegistry.makePlane("binning"), try EstimatorRegistry.makePlane("gaussian")]
  }

  @Test("--samples test: n is the test count and the values equal those of a recording of only the test samples")
  func testSubsetEqualsOwnRecording() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try record(dir.file("all.bin"), split: split)
    let testRows = split.indices(of: .test)
    try recordOnly(dir.file("only.bin"), rows: testRows)
    var o = PlaneAnalysisOptions()
    o.samples = .test
    let subset = try PlaneAnalysis(source: try Recording(contentsOf: dir.file("all.bin")), estimators: estimators(), options: o).run()
    let only = try PlaneAnalysis(source: try Recording(contentsOf: dir.file("only.bin")), estimators: estimators()).run()
    #expect(subset.count == 4 && only.count == subset.count)
    #expect(subset.allSatisfy { $0.n == testRows.count })
    for (a, b) in zip(subset, only) {
      #expect(a.inputInformation == b.inputInformation && a.labelInformation == b.labelInformation && a.estimator == b.estimator)
      #expect(a.conditionalInputInformation == b.conditionalInputInformation)
    }
    // The binning I(X;T) ceiling is log2 of the subset's size, not of N.
    let whole = try PlaneAnalysis(source: try Recording(contentsOf: dir.file("all.bin")), estimators: estimators()).run()
    #expect(whole.allSatisfy { $0.n == n })
    let trainOptions = { var t = PlaneAnalysisOptions(); t.samples = .train; return t }()
    let train = try PlaneAnalysis(source: try Recording(contentsOf: dir.file("all.bin")), estimators: estimators(), options: trainOptions).run()
    #expect(train.allSatisfy { $0.n == split.count(of: .train) })
  }

  @Test("A recording without a split refuses train and test, naming --samples")
  func refusedWithoutSplit() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try record(dir.file("a.bin"), split: nil)
    var o = PlaneAnalysisOptions()
    o.samples = .test
    #expect {
      _ = try PlaneAnalysis(source: try Recording(contentsOf: dir.file("a.bin")), estimators: estimators(), options: o)
    } throws: { "\($0)".contains("samples") && "\($0)".contains("no train/test split") }
    o.samples = .all
    #expect(try PlaneAnalysis(source: try Recording(contentsOf: dir.file("a.bin")), estimators: estimators(), options: o).run().count == 4)
  }

  @Test("The manifest records the subset, and --resume into another subset's output is refused")
  func manifestAndResume() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try record(dir.file("a.bin"), split: split)
    let r = try Recording(contentsOf: dir.file("a.bin"))
    var o = PlaneAnalysisOptions()
    o.samples = .test
    let out = dir.file("out")
    let summary = try PlaneAnalysis(source: r, estimators: estimators(), options: o).run(directory: out, resume: false)
    let manifest = try PlaneManifest.read(summary.manifest)
    #expect(manifest.samples == "test" && manifest.sampleCount == split.count(of: .test))
    // Same subset resumes (nothing to do); another is refused naming samples.
    #expect(try PlaneAnalysis(source: r, estimators: estimators(), options: o).run(directory: out, resume: true).skipped == 4)
    o.samples = .train
    #expect {
      _ = try PlaneAnalysis(source: r, estimators: estimators(), options: o).run(directory: out, resume: true)
    } throws: { "\($0)".contains("samples") && "\($0)".contains("--samples test") }
    o.samples = .all
    #expect(throws: (any Error).self) {
      _ = try PlaneAnalysis(source: r, estimators: estimators(), options: o).run(directory: out, resume: true)
    }
    // A whole-recording manifest has no samples key (its bytes are unchanged).
    let whole = try PlaneAnalysis(source: r, estimators: estimators()).run(directory: dir.file("whole"), resume: false)
    #expect(try PlaneManifest.read(whole.manifest).samples == nil)
    #expect(!(try String(contentsOf: whole.manifest, encoding: .utf8)).contains("\"samples\""))
  }

  @Test("Subsets of different recordings must share their samples to be analysed together")
  func fingerprintsDiffer() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try record(dir.file("a.bin"), split: split)
    let r = try Recording(contentsOf: dir.file("a.bin"))
    var o = PlaneAnalysisOptions()
    o.samples = .test
    let test = try PlaneAnalysis(source: r, estimators: estimators(), options: o)
    o.samples = .train
    let train = try PlaneAnalysis(source: r, estimators: estimators(), options: o)
    let whole = try PlaneAnalysis(source: r, estimators: estimators())
    #expect(Set([test.fingerprint, train.fingerprint, whole.fingerprint]).count == 3)
  }
}
