import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// `ibplane analyze` and `merge` under hostile or mistaken use: each test reproduces a
/// finding of the hardening issue and checks the clear error (and that nothing was lost).
extension AnalyzeCLITests {
  /// Two processes analysing into one --out at once: one succeeds, the other is refused
  /// naming the first one's PID, and the CSV stays intact and resumable.
  @Test func concurrentWritersToOneOutputAreRefused() throws {
    let rec = try recording()
    let out = temporary()
    let slow = ["--bootstrap", "150", "--seed", "4", "--threads", "1", "--quiet"] + estimatorArguments
    let first = try ChildProcess(try CLI.binary, ["analyze", rec.path, "--out", out.path] + slow)
    // The CSV header is written after the lock is taken: from then on the output is held.
    let csv = out.appendingPathComponent("plane.csv")
    let deadline = Date().addingTimeInterval(60)
    while first.isRunning, Date() < deadline, !FileManager.default.fileExists(atPath: csv.path) { usleep(1_000) }
    // Paused while the second one runs, so a fast release build cannot finish in between.
    let stillRunning = first.isRunning && first.signal(SIGSTOP)
    let second = try ibplane(["analyze", rec.path, "--out", out.path] + slow)
    if stillRunning { first.signal(SIGCONT) }
    #expect(try first.wait().status == 0)
    if stillRunning {
      #expect(second.status == 1, "\(second.stderr)")
      #expect(second.stderr.hasPrefix("error: \(out.appendingPathComponent(".plane.lock").path): the output is in use by another ibplane process (pid \(first.pid): "), "\(second.stderr)")
    } else {
      Issue.record("the first run finished before the second started; the test proves nothing")
    }
    let bytes = try Data(contentsOf: csv)
    let kept = try PlaneTable.parse(String(decoding: bytes, as: UTF8.self), file: csv.path)
    #expect(kept.rows.count == 24 && kept.completeBytes == bytes.count)
    let resumed = try ibplane(["analyze", rec.path, "--out", out.path, "--resume", "--json"] + slow)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let summary = try CLI.json(resumed.stdout)
    #expect(summary["computed"] as? Int == 0 && summary["skipped"] as? Int == 24, "\(resumed.stdout)")
  }

  /// Same name, other content: --resume used to keep the first recording's rows.
  @Test func resumeRefusesAnotherRecordingOfTheSameName() throws {
    let a = try recording(seed: 3), b = try recording(seed: 5)
    let out = temporary()
    #expect(try ibplane(["analyze", a.path, "--out", out.path, "--quiet"] + estimatorArguments).status == 0)
    let r = try ibplane(["analyze", b.path, "--out", out.path, "--quiet", "--resume"] + estimatorArguments)
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.contains("recording_fingerprint") && r.stderr.contains(b.path) && r.stderr.contains("different recordings"), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
  }

  /// A recording named `../../x` analysed without --out wrote outside reports/.
  @Test func aRecordingNameNeverLeavesTheReportsDirectory() throws {
    let base = temporary()
    let cwd = base.appendingPathComponent("a/b")
    try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
    let rec = try recording(name: "../../x")
    let r = try ibplane(["analyze", rec.path, "--quiet", "--estimator", "gaussian"], in: cwd)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: base.appendingPathComponent("a/x").path))
    let made = try FileManager.default.contentsOfDirectory(atPath: cwd.appendingPathComponent("reports").path)
    #expect(made == ["_._.._x"])
    #expect(FileManager.default.fileExists(atPath: cwd.appendingPathComponent("reports/_._.._x/plane.csv").path))
  }

  @Test func outputFailuresNameThePathAndExitWithOne() throws {
    let rec = try recording()
    let out = temporary()
    if FileManager.default.isWritableFile(atPath: "/dev/full") {
      let csv = out.appendingPathComponent("plane.csv")
      try FileManager.default.createSymbolicLink(atPath: csv.path, withDestinationPath: "/dev/full")
      let full = try ibplane(["analyze", rec.path, "--out", out.path, "--quiet", "--estimator", "gaussian"])
      #expect(full.status == 1)
      #expect(full.stderr == "error: cannot write \(csv.path): no space left on device\n")
    }
    let file = out.appendingPathComponent("a-file")
    try Data().write(to: file)
    let notDirectory = try ibplane(["analyze", rec.path, "--out", file.appendingPathComponent("sub").path, "--quiet"])
    #expect(notDirectory.status == 1)
    #expect(notDirectory.stderr == "error: cannot create the output directory \(file.appendingPathComponent("sub").path): not a directory\n")
    let empty = try ibplane(["analyze", rec.path, "--out", "", "--quiet"])
    #expect(empty.status == 2 && empty.stderr.hasPrefix("error: --out is empty"), "\(empty.stderr)")
    let emptyMerge = try ibplane(["merge", out.path, "--out", ""])
    #expect(emptyMerge.status == 2 && emptyMerge.stderr.hasPrefix("error: --out is empty"), "\(emptyMerge.stderr)")
  }

  @Test func absurdShardCountsAndDuplicateSnapshotsAreBadInput() throws {
    let rec = try recording()
    let out = temporary()
    let shard = try ibplane(["analyze", rec.path, "--out", out.path, "--quiet", "--shard", "1/9223372036854775807"] + estimatorArguments)
    #expect(shard.status == 2 && shard.stderr.contains("n ≤ 24, the number of jobs"), "\(shard.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("plane-shard-1-of-9223372036854775807.csv").path))
    // Two snapshots with the same (epoch, step): the error names the recording and both.
    let json = rec.appendingPathComponent("recording.json")
    var header = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
    var snapshots = header["snapshots"] as! [[String: Any]]
    snapshots[4]["epoch"] = 10
    snapshots[4]["step"] = 50
    header["snapshots"] = snapshots
    try JSONSerialization.data(withJSONObject: header).write(to: json)
    let dup = try ibplane(["analyze", rec.path, "--out", out.path, "--quiet"] + estimatorArguments)
    #expect(dup.status == 2)
    #expect(dup.stderr == "error: \(rec.path): snapshots 3 and 4 (0-based, in recording order) both have epoch 10, step 50; each (epoch, step) must be recorded once\n")
  }
}
