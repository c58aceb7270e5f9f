import Foundation
import IBPlaneTestSupport
import Testing

/// `ibplane train --seeds` and `ibplane analyze` of several recordings, end to end.
@Suite("ibplane train --seeds, analyze of several runs")
struct SeedsCLITests {
  @Test func seedsWriteOneRecordingEachAndAnalyzeSummarisesThem() throws {
    let dir = try CLI.scratch()
    let runs = dir.appendingPathComponent("runs").path
    let train = try CLI.run([
      "train", "--data-dir", Repository.notebooksData.path, "--seeds", "1-3", "--record", runs, "--arch", "3",
      "--epochs", "4", "--log-every", "2", "--quiet", "--json",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let object = try CLI.json(train.stdout)
    #expect((object["runs"] as? [[String: Any]])?.compactMap { $0["seed"] as? Int } == [1, 2, 3])
    let files = (1...3).map { "\(runs)/seed-\($0).bin" }
    let bytes = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    #expect(bytes[0] != bytes[1] && bytes[1] != bytes[2])  // different seeds, different runs
    let out = dir.appendingPathComponent("report").path
    let analyze = try CLI.run(["analyze"] + files + ["--estimator", "binning", "--out", out, "--quiet", "--json"])
    #expect(analyze.status == 0, "\(analyze.stderr)")
    #expect(try CLI.json(analyze.stdout)["rows"] as? Int == 3 * 3 * 2)  // 3 runs × 3 snapshots × 2 layers
    let summary = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/plane-summary.csv")), as: UTF8.self)
    let ixt = summary.split(separator: "\n").filter { $0.contains(",i_xt,") }
    #expect(ixt.count == 3 * 2 && ixt.allSatisfy { $0.contains(",i_xt,3,") })  // same schedule: 3 runs everywhere
    #expect(FileManager.default.fileExists(atPath: "\(out)/compression.csv"))
    // Resume keeps every row; a recording of another schedule is refused with exit 2 naming both files.
    let resumed = try CLI.run(["analyze"] + files + ["--estimator", "binning", "--out", out, "--quiet", "--json", "--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let skipped = try CLI.json(resumed.stdout)["skipped"] as? Int
    #expect(skipped == 18)
    let other = dir.appendingPathComponent("other.bin").path
    let shorter = try CLI.run([
      "train", "--data-dir", Repository.notebooksData.path, "--seed", "4", "--record", other, "--arch", "3",
      "--epochs", "2", "--log-every", "2", "--quiet",
    ])
    #expect(shorter.status == 0, "\(shorter.stderr)")
    let refused = try CLI.run(["analyze", files[0], other, "--estimator", "binning", "--out", out + "2", "--quiet"])
    #expect(refused.status == 2 && refused.stderr.contains(files[0]) && refused.stderr.contains(other) && refused.stderr.contains("epochs differ"))
    let bad = try CLI.run(["train", "--data-dir", Repository.notebooksData.path, "--seeds", "3-1"])
    #expect(bad.status == 2 && bad.stderr.contains("--seeds"))
  }
}
