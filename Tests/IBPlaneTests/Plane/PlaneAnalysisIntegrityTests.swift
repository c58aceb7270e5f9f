import Foundation
import Testing
@testable import IBPlane

/// Hostile and mistaken use of an analysis's outputs: rows of another recording, shards of
/// two recordings, full disks, a second writer.
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

  @Test func mergeRefusesAManifestWithoutFingerprint() throws {
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
