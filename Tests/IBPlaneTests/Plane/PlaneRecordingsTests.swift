import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Several recordings of one design analysed into one plane.csv.
@Suite struct PlaneRecordingsTests {
  /// Runs of one design: the same X and Y (data seed 7), weights drawn from `run`.
  static func source(
    run: UInt64, samples n: Int = 120, epochs: [Int] = [0, 1, 10], layers: [LayerSpec] = [LayerSpec(name: "h1", width: 3)],
    dataSeed: UInt64 = 7
  ) throws -> InMemorySnapshotSource {
    let data = RandomSource(seed: dataSeed)
    let x = data.normalMatrix(rows: n, columns: 3).converted(to: Float.self)
    let y = (0..<n).map { x[$0, 0] > 0 ? 1 : 0 }
    var source = try InMemorySnapshotSource(
      name: "run\(run)", inputs: x, labels: .classes(y, classCount: 2), layers: layers, run: ["seed": "\(run)"])
    let random = RandomSource(seed: 100 + run)
    for (s, epoch) in epochs.enumerated() {
      let matrices = try layers.map { l -> Matrix<Float> in
        var h = try x.multiplied(by: random.normalMatrix(rows: 3, columns: l.width).converted(to: Float.self))
        h.elements = h.elements.map { tanhf(Float(0.5 + Double(s)) * $0) }
        return h
      }
      try source.append(SnapshotInfo(epoch: epoch, step: epoch * 4, metrics: ["loss": 1 / Double(s + 1)]), layers: matrices)
    }
    return source
  }

  static func analyses(_ sources: [InMemorySnapshotSource]) throws -> [PlaneAnalysis] {
    try sources.map { s in
      var o = PlaneAnalysisOptions()
      o.sourceDescription = "\(s.name).bin"
      return try PlaneAnalysis(source: s, estimators: [GaussianPlaneEstimator()], options: o)
    }
  }

  @Test func threeRecordingsGiveRowsForEachAndASummaryOfThem() throws {
    let analyses = try Self.analyses([Self.source(run: 1), Self.source(run: 2), Self.source(run: 3)])
    let dir = PlaneFixtures.temporaryDirectory()
    let summary = try PlaneAnalysis.run(analyses, directory: dir, resume: false)
    #expect(summary.rows.count == 9 && summary.computed == 9)
    #expect(summary.rows.map(\.recording) == ["run1", "run1", "run1", "run2", "run2", "run2", "run3", "run3", "run3"])
    let (_, parsed, _) = try PlaneTable.parse(String(decoding: try Data(contentsOf: summary.csv), as: UTF8.self), file: "x")
    #expect(PlaneFixtures.timeless(parsed) == PlaneFixtures.timeless(summary.rows))
    // Each recording's rows equal a single-recording analysis of it.
    let alone = try analyses[1].run()
    #expect(PlaneFixtures.timeless(alone) == PlaneFixtures.timeless(summary.rows.filter { $0.recording == "run2" }))
    // The summary of epoch 10 by hand: mean and sample sd of the three I(X;T).
    let values = summary.rows.filter { $0.epoch == 10 }.map(\.inputInformation)
    #expect(Set(values).count == 3)  // different runs, different values
    let mean = values.reduce(0, +) / 3
    let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
    let s = try #require(PlaneSummary.rows(summary.rows).first { $0.epoch == 10 && $0.quantity == "i_xt" })
    #expect(s.statistics.count == 3 && abs(s.statistics.mean - mean) < 1e-12 && abs(s.statistics.sd! - sd) < 1e-12)
    #expect(s.statistics.q50 == values.sorted()[1])
    let manifest = try PlaneManifest.read(summary.manifest)
    #expect(manifest.recording == "run1, run2, run3" && manifest.totalJobCount == 9)
    // The report of several runs writes the summary tables and draws bands.
    let files = try PlaneReport.write(summary.rows, manifest: manifest, to: dir)
    #expect(files.contains("plane-summary.csv") && files.contains("compression.csv"))
    let plane = String(decoding: try Data(contentsOf: dir.appendingPathComponent("plane-gaussian.svg")), as: UTF8.self)
    #expect(plane.contains("class=\"run-band\"") && plane.contains("mean of 3 runs, band: 5–95 % of runs"))
    let html = String(decoding: try Data(contentsOf: dir.appendingPathComponent("index.html")), as: UTF8.self)
    #expect(html.contains("Across 3 runs") && html.contains("compression.csv"))
    // One recording: no bands, no summary files.
    let single = PlaneFixtures.temporaryDirectory()
    let one = try analyses[0].run(directory: single, resume: false)
    #expect(!(try PlaneReport.write(one.rows, manifest: analyses[0].manifest, to: single)).contains("plane-summary.csv"))
    let singlePlane = String(decoding: try Data(contentsOf: single.appendingPathComponent("plane-gaussian.svg")), as: UTF8.self)
    #expect(!singlePlane.contains("run-band"))
  }

  @Test func mismatchedRecordingsAreRefusedNamingBoth() throws {
    let a = try Self.source(run: 1)
    func refusal(_ b: InMemorySnapshotSource) throws -> String {
      let analyses = try Self.analyses([a, b])
      let error = #expect(throws: RecordingMismatchError.self) { try PlaneAnalysis.checkOneDesign(analyses) }
      return error.map(\.description) ?? ""
    }
    let layers = try refusal(Self.source(run: 2, layers: [LayerSpec(name: "h1", width: 2)]))
    #expect(layers.contains("run2.bin") && layers.contains("run1.bin") && layers.contains("layers differ"))
    let epochs = try refusal(Self.source(run: 2, epochs: [0, 1, 20]))
    #expect(epochs.contains("epochs differ") && epochs.contains("10") && epochs.contains("20"))
    #expect(try refusal(Self.source(run: 2, dataSeed: 8)).contains("samples differ"))
    #expect(try refusal(Self.source(run: 2, samples: 100)).contains("sample counts differ"))
    #expect(try refusal(Self.source(run: 1)).contains("same recording"))
    // run() checks too, before writing anything.
    let dir = PlaneFixtures.temporaryDirectory()
    #expect(throws: RecordingMismatchError.self) {
      try PlaneAnalysis.run(Self.analyses([a, Self.source(run: 2, epochs: [0, 1])]), directory: dir, resume: false)
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("plane.csv").path))
  }

  @Test func resumeSkipsExactlyTheFinishedRowsOfEachRecording() throws {
    let analyses = try Self.analyses([Self.source(run: 1), Self.source(run: 2), Self.source(run: 3)])
    let dir = PlaneFixtures.temporaryDirectory()
    let full = try PlaneAnalysis.run(analyses, directory: dir, resume: false)
    let csv = dir.appendingPathComponent("plane.csv")
    let lines = String(decoding: try Data(contentsOf: csv), as: UTF8.self).split(separator: "\n").map(String.init)
    // Keep the header, run1's rows and run3's first row (out of order), drop run2, and cut a row short.
    let kept = [lines[0]] + lines[1...3] + [lines[7]]
    try Data((kept.joined(separator: "\n") + "\n" + lines[4].prefix(20)).utf8).write(to: csv)
    let resumed = try PlaneAnalysis.run(analyses, directory: dir, resume: true)
    #expect(resumed.skipped == 4 && resumed.computed == 5)
    #expect(PlaneFixtures.timeless(resumed.rows) == PlaneFixtures.timeless(full.rows))
    let again = String(decoding: try Data(contentsOf: csv), as: UTF8.self).split(separator: "\n")
    #expect(again.count == 10)
    // Rows of a recording not given are refused.
    let other = try Self.analyses([Self.source(run: 1), Self.source(run: 4)])
    #expect(throws: CSVError.self) { try PlaneAnalysis.run(other, directory: dir, resume: true) }
  }
}
