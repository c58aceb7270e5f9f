import Foundation
import Testing
import IBPlane

/// Hostile and mistaken use of an analysis's outputs: rows of another recording, shards of
/// two recordings, duplicated snapshots, absurd shard counts, full disks, a second writer.
@Suite struct PlaneAnalysisIntegrityTests {
  let estimators: [InformationPlaneEstimator] = [try! GaussianPlaneEstimator()]

  /// The fixture with other inputs but the same name, layers and snapshots.
  func namesake(seed: UInt64 = 8) throws -> InMemorySnapshotSource {
    let a = try PlaneFixtures.source(seed: 7)
    let b = try PlaneFixtures.source(seed: seed)
    var out = try InMemorySnapshotSource(name: a.name, inputs: b.inputs, labels: b.labels, layers: a.layers, run: a.run)
    for s in a.snapshots.indices {
      try out.append(a.snapshots[s], layers: try a.layers.indices.map { try b.layer($0, snapshot: s) })
    }
    return out
  }

  func fingerprint(_ s: SnapshotSource) throws -> String {
    try RecordingFingerprint(source: s, context: s.makePlaneContext()).description
  }

  @Test func fingerprintFollowsTheContentNotTheNameOrLaterSnapshots() throws {
    let a = try PlaneFixtures.source()
    #expect(try fingerprint(a) == fingerprint(PlaneFixtures.source()))
    #expect(try fingerprint(a).count == 16 && RecordingFingerprint(parsing: fingerprint(a)) != nil)
    #expect(try fingerprint(a) != fingerprint(namesake()))
    var renamed = a
    renamed.name = "other"
    #expect(try fingerprint(renamed) == fingerprint(a))
    var otherRun = a
    otherRun.run["seed"] = "8"
    #expect(try fingerprint(otherRun) != fingerprint(a))
    // A recording that grows (training still running) keeps its fingerprint.
    #expect(try fingerprint(PlaneFixtures.source(snapshots: 2)) == fingerprint(PlaneFixtures.source(snapshots: 5)))
    // One flipped label changes it.
    guard case .classes(var y, let k) = a.labels else { Issue.record("fixture labels"); return }
    y[17] = 1 - y[17]
    let flipped = try InMemorySnapshotSource(name: a.name, inputs: a.inputs, labels: .classes(y, classCount: k), layers: a.layers, run: a.run)
    #expect(try RecordingFingerprint(source: a, context: flipped.makePlaneContext()).description != fingerprint(a))
  }

  /// The regression: A then B (same name) into one directory with --resume reported
  /// "0 computed, 20 resumed" and kept A's numbers.
  @Test func resumeRefusesRowsOfAnotherRecordingWithTheSameName() throws {
    let dir = PlaneFixtures.temporaryDirectory()
    let a = try PlaneFixtures.source()
    let b = try namesake()
    _ = try PlaneAnalysis(source: a, estimators: estimators).run(directory: dir, resume: false)
    var options = PlaneAnalysisOptions()
    options.sourceDescription = "/data/b/run.npz"
    let (fa, fb) = (try fingerprint(a), try fingerprint(b))
    #expect {
      try PlaneAnalysis(source: b, estimators: estimators, options: options).run(directory: dir, resume: true)
    } throws: { error in
      let text = "\(error)"
      return (error as? CSVError)?.field == "recording_fingerprint" && text.contains(dir.appendingPathComponent("plane.csv").path)
        && text.contains("/data/b/run.npz") && text.contains(fa) && text.contains(fb)
    }
    // The CSV of A is untouched by the refused run.
    let rows = try PlaneTable.parse(String(decoding: try Data(contentsOf: dir.appendingPathComponent("plane.csv")), as: UTF8.self), file: "").rows
    #expect(rows.count == 10 && rows.allSatisfy { $0.recordingFingerprint == fa })
  }

  @Test func mergeRefusesShardsOfTwoRecordingsWithTheSameName() throws {
    let dir = PlaneFixtures.temporaryDirectory()
    for (i, source) in [try PlaneFixtures.source(), try namesake()].enumerated() {
      var options = PlaneAnalysisOptions()
      options.shard = try PlaneShard(index: i + 1, count: 2)
      _ = try PlaneAnalysis(source: source, estimators: estimators, options: options).run(directory: dir, resume: false)
    }
    #expect {
      try PlaneMerge.merge([dir])
    } throws: { error in
      let text = "\(error)"
      return text.contains("plane-shard-2-of-2.json") && text.contains("plane-shard-1-of-2.json") && text.contains("different recordings")
    }
  }

  @Test func mergeRefusesAManifestWithoutFingerprintOrWithAnAbsurdShardCount() throws {
    let dir = PlaneFixtures.temporaryDirectory()
    var options = PlaneAnalysisOptions()
    options.shard = try PlaneShard(index: 1, count: 2)
    _ = try PlaneAnalysis(source: try PlaneFixtures.source(), estimators: estimators, options: options).run(directory: dir, resume: false)
    let manifestURL = dir.appendingPathComponent("plane-shard-1-of-2.json")
    let good = try PlaneManifest.read(manifestURL)
    var old = good
    old.recordingFingerprint = nil
    try old.encoded().write(to: manifestURL)
    #expect { try PlaneMerge.merge([dir]) } throws: { "\($0)".contains("older ibplane") }
    // n = Int.max used to make merge list every missing shard: gigabytes, then an abort.
    var huge = good
    huge.shardCount = Int.max
    try huge.encoded().write(to: manifestURL)
    #expect { try PlaneMerge.merge([dir]) } throws: { "\($0)".contains("1/\(Int.max) is not a shard i/n") }
    huge.totalJobCount = Int.max
    try huge.encoded().write(to: manifestURL)
    #expect { try PlaneMerge.merge([dir]) } throws: { "\($0)".contains("missing shard(s) 2/\(Int.max), 3/\(Int.max)") && "\($0)".contains("more") }
  }

  /// A manifest is a file anyone can edit: a layer index it names but the recording lacks
  /// must not crash the reports.
  @Test func reportsSurviveAManifestNamingAnAbsentLayer() throws {
    let dir = PlaneFixtures.temporaryDirectory()
    let summary = try PlaneAnalysis(source: try PlaneFixtures.source(snapshots: 2), estimators: estimators).run(directory: dir, resume: false)
    var manifest = try PlaneManifest.read(summary.manifest)
    manifest.analysedLayers.append(99)
    try manifest.encoded().write(to: summary.manifest)
    let merged = try PlaneMerge.merge([dir])
    let written = try PlaneReport.write(merged.rows, manifest: merged.manifest, to: PlaneFixtures.temporaryDirectory())
    #expect(written.contains("index.html"))
    // A row of a layer the manifest does not promise is refused.
    manifest.analysedLayers = [0]
    try manifest.encoded().write(to: summary.manifest)
    #expect { try PlaneMerge.merge([dir]) } throws: { "\($0)".contains("is not a job its manifest plane.json promises") }
  }

  @Test func duplicateSnapshotsAreNamed() throws {
    let a = try PlaneFixtures.source(snapshots: 3)
    var dup = try InMemorySnapshotSource(name: a.name, inputs: a.inputs, labels: a.labels, layers: a.layers, run: a.run)
    for s in [0, 1, 2, 1] {
      try dup.append(a.snapshots[s], layers: try a.layers.indices.map { try a.layer($0, snapshot: s) })
    }
    var options = PlaneAnalysisOptions()
    options.sourceDescription = "runs/dup.bin"
    #expect(throws: PlaneAnalysisError(
      "runs/dup.bin: snapshots 1 and 3 (0-based, in recording order) both have epoch 1, step 10; each (epoch, step) must be recorded once"))
    {
      try PlaneAnalysis(source: dup, estimators: estimators, options: options)
    }
  }

  @Test func shardCountAndBootstrapAreBounded() throws {
    let source = try PlaneFixtures.source()
    var options = PlaneAnalysisOptions()
    options.shard = try PlaneShard(index: 10, count: 10)
    _ = try PlaneAnalysis(source: source, estimators: estimators, options: options)  // 10 jobs, one each
    for n in [11, Int.max] {
      options.shard = try PlaneShard(index: 1, count: n)
      #expect { try PlaneAnalysis(source: source, estimators: estimators, options: options) } throws: {
        "\($0)".contains("n ≤ 10, the number of jobs")
      }
    }
    options.shard = .whole
    for b in [PlaneBootstrap.maximumResamples + 1, Int.max] {
      options.bootstrapResamples = b
      #expect(throws: EstimatorError.self) { try PlaneAnalysis(source: source, estimators: estimators, options: options) }
    }
    // The level is checked even without a bootstrap (it is written into the manifest).
    options.bootstrapResamples = 0
    for level in [Double.nan, 0, 1, -0.5, .infinity] {
      options.confidenceLevel = level
      #expect { try PlaneAnalysis(source: source, estimators: estimators, options: options) } throws: {
        "\($0)".contains("confidence level")
      }
    }
  }

  @Test func aFullDiskNamesTheFile() throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
    let dir = PlaneFixtures.temporaryDirectory()
    let csv = dir.appendingPathComponent("plane.csv")
    try FileManager.default.createSymbolicLink(atPath: csv.path, withDestinationPath: "/dev/full")
    #expect(throws: OutputError(path: csv.path, action: "write", cause: "no space left on device")) {
      try PlaneAnalysis(source: try PlaneFixtures.source(), estimators: estimators).run(directory: dir, resume: false)
    }
    let notADirectory = dir.appendingPathComponent("file")
    try Data().write(to: notADirectory)
    #expect(throws: OutputError.self) {
      try PlaneAnalysis(source: try PlaneFixtures.source(), estimators: estimators)
        .run(directory: notADirectory.appendingPathComponent("sub"), resume: false)
    }
  }

  @Test func theOutputLockIsReentrantInAProcessAndReleased() throws {
    let dir = PlaneFixtures.temporaryDirectory()
    let outer = try OutputLock.acquire("plane.csv", in: dir)
    // The run takes the same lock again (as the CLI holds it across run and reports).
    _ = try PlaneAnalysis(source: try PlaneFixtures.source(snapshots: 1), estimators: estimators).run(directory: dir, resume: false)
    let holder = String(decoding: try Data(contentsOf: outer.lockFile), as: UTF8.self)
    #expect(holder.hasPrefix("pid \(ProcessInfo.processInfo.processIdentifier): "))
    outer.release()
    #expect(try Data(contentsOf: outer.lockFile).isEmpty)
    // Shards have their own locks: all shards of one analysis may run into one directory.
    let shard1 = try OutputLock.acquire(PlaneShard(index: 1, count: 2).csvFileName, in: dir)
    let shard2 = try OutputLock.acquire(PlaneShard(index: 2, count: 2).csvFileName, in: dir)
    #expect(shard1.lockFile != shard2.lockFile)
  }
}
