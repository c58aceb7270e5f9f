import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// A process recording in a loop (python/ibplane_recorder.py's demo loop, which appends
/// 20,000 × 51 snapshots, about 4 MB each, as fast as it can) is killed with SIGKILL at a random moment.
/// Every resulting file must open, keep every snapshot the writer had finished (the writer
/// prints an epoch after its record is written, so at most the record in flight is lost), and
/// pass `ibplane inspect` with exit 0 or 1.
@Suite("Recorder kill test")
struct RecorderKillTests {
  @Test("20 SIGKILLs at random moments lose at most the snapshot in flight", .requires(.numpy))
  func killAtRandomMoments() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let rng = RandomSource(seed: 20_261_129)
    var truncatedTails = 0
    for trial in 0..<20 {
      let url = dir.file("kill\(trial).bin")
      let (python, arguments) = Oracles.command([
        Repository.file("python/ibplane_recorder.py").path, url.path, "--seed", "\(trial)",
        "--storage", trial % 2 == 0 ? "float32" : "float16",
      ])
      let p = try ChildProcess(python, arguments)
      // Wait until the first snapshot is on disk, then a random 0–150 ms more.
      let deadline = Date().addingTimeInterval(30)
      while Date() < deadline, (try? Recording(contentsOf: url))?.snapshots.isEmpty ?? true { usleep(2000) }
      usleep(UInt32(rng.integer(below: 150_000)))
      p.signal(SIGKILL)
      let killed = try p.wait()
      #expect(killed.signalled, "trial \(trial): the writer was not killed")
      let printed = killed.stdout.split(separator: "\n").count
      let r = try Recording(contentsOf: url)
      // Snapshots the writer reported finished are all there; one more may have completed
      // between its write and its print.
      #expect(r.snapshots.count >= printed && r.snapshots.count <= printed + 1, "trial \(trial): \(r.snapshots.count) vs \(printed)")
      #expect(r.snapshots.map(\.epoch) == Array(0..<r.snapshots.count))
      if r.hasTruncatedTail { truncatedTails += 1 }
      let last = try #require(r.snapshots.indices.last)
      for l in r.layers.indices { _ = try r.layer(l, snapshot: last) }
      let inspect = try CLI.run(["inspect", url.path])
      #expect([0, 1].contains(inspect.status), "trial \(trial): inspect exit \(inspect.status): \(inspect.stderr)")
      #expect(inspect.status == (r.hasTruncatedTail ? 1 : 0))
      try FileManager.default.removeItem(at: url)
    }
    print("kill test: \(truncatedTails) of 20 kills landed inside a record")
    // The kills must actually land inside records some of the time, or the test shows nothing.
    #expect(truncatedTails >= 1, "no kill landed inside a record")
  }
}
