import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// `ibplane train --split`, `inspect` of the split and `analyze --samples`, end to end.
@Suite("ibplane train --split, analyze --samples")
struct SplitCLITests {
  func train(_ extra: [String]) throws -> CLI.Result {
    try CLI.run(
      ["train", "--data-dir", Repository.notebooksData.path, "--arch", "3", "--epochs", "2", "--log-every", "2", "--quiet"] + extra)
  }

  func csvColumn(_ path: String, _ name: String) throws -> [String] {
    let lines = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\n")
    let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
    let k = try #require(header.firstIndex(of: Substring(name)))
    // Quoted fields (params) hold commas: collapse them before splitting.
    return lines.dropFirst().map { line in
      let fields = line.replacingOccurrences(of: "\"[^\"]*\"", with: "P", options: .regularExpression)
        .split(separator: ",", omittingEmptySubsequences: false)
      return String(fields[k])
    }
  }

  @Test func splitIsRecordedInspectedAndAnalysed() throws {
    let dir = try CLI.scratch()
    let idnns = dir.appendingPathComponent("idnns.bin").path
    let shuffled = dir.appendingPathComponent("shuffled.bin").path
    #expect(try train(["--record", idnns]).status == 0)
    let s = try train(["--record", shuffled, "--split", "shuffled", "--split-seed", "11", "--json"])
    #expect(s.status == 0, "\(s.stderr)")
    let inspectIDNNs = try CLI.run(["inspect", idnns, "--json"])
    #expect(try CLI.json(inspectIDNNs.stdout)["split"] as? [String: Int] == ["train": 3277, "test": 819, "unused": 0])
    let inspectShuffled = try CLI.json(try CLI.run(["inspect", shuffled, "--json"]).stdout)
    #expect(inspectShuffled["split"] as? [String: Int] == ["train": 3276, "test": 820, "unused": 0])
    #expect((inspectShuffled["run"] as? [String: String])?["split_seed"] == "11")
    // --split-seed without --split shuffled is a usage error.
    #expect(try train(["--split-seed", "3"]).status != 0)

    let out = dir.appendingPathComponent("test").path
    let a = try CLI.run(["analyze", shuffled, "--samples", "test", "--estimator", "binning", "--out", out, "--quiet"])
    #expect(a.status == 0, "\(a.stderr)")
    #expect(Set(try csvColumn("\(out)/plane.csv", "n")) == ["820"])
    let html = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/index.html")), as: UTF8.self)
    #expect(html.contains("the test samples of the recording"))
    let resumed = try CLI.run(["analyze", shuffled, "--samples", "train", "--estimator", "binning", "--out", out, "--quiet", "--resume"])
    #expect(resumed.status == 2 && resumed.stderr.contains("--samples test"), "\(resumed.stderr)")
  }

  @Test func refusalsExitTwo() throws {
    let dir = try CLI.scratch()
    // A recording without a split refuses --samples test (and analyses with --samples all).
    let recording = dir.appendingPathComponent("nosplit.bin")
    let n = 8
    let rec = try Recorder(
      creating: recording, layers: [LayerSpec(name: "h", width: 2)], inputs: nil,
      labels: .classes((0..<n).map { $0 % 2 }, classCount: 2))
    try rec.record(epoch: 0, step: 0, layers: [Matrix<Float>(rows: n, columns: 2, elements: (0..<(2 * n)).map { Float($0 % 5) })])
    let r = try CLI.run(["analyze", recording.path, "--samples", "test", "--estimator", "binning", "--out", dir.appendingPathComponent("o").path, "--quiet"])
    #expect(r.status == 2 && r.stderr.contains("no train/test split"), "\(r.stderr)")
    let all = try CLI.run(["analyze", recording.path, "--estimator", "binning", "--out", dir.appendingPathComponent("o").path, "--quiet"])
    #expect(all.status == 0, "\(all.stderr)")
    // Shuffled splits drawn from each run's seed differ, so their test sets cannot be summarised together.
    let runs = dir.appendingPathComponent("runs").path
    #expect(try train(["--seeds", "1-2", "--record", runs, "--split", "shuffled"]).status == 0)
    let files = ["\(runs)/seed-1.bin", "\(runs)/seed-2.bin"]
    let refused = try CLI.run(["analyze"] + files + ["--samples", "test", "--estimator", "binning", "--out", dir.appendingPathComponent("r").path, "--quiet"])
    #expect(refused.status == 2, "\(refused.stderr)")
    // With one --split-seed they share the test set.
    let shared = dir.appendingPathComponent("shared").path
    #expect(try train(["--seeds", "1-2", "--record", shared, "--split", "shuffled", "--split-seed", "4"]).status == 0)
    let ok = try CLI.run(
      ["analyze", "\(shared)/seed-1.bin", "\(shared)/seed-2.bin", "--samples", "test", "--estimator", "binning", "--out", dir.appendingPathComponent("s").path, "--quiet"])
    #expect(ok.status == 0, "\(ok.stderr)")
  }
}
