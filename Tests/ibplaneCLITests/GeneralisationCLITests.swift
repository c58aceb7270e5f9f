import Foundation
import IBPlaneTestSupport
import Testing

/// `ibplane generalisation` end to end: train, analyze, relate gaps to I(X;T|Y); and its errors.
@Suite("ibplane generalisation")
struct GeneralisationCLITests {
  @Test func trainAnalyzeGeneraliseAndRefuseBadInput() throws {
    let dir = try CLI.scratch()
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func train(_ extra: [String]) throws {
      let r = try CLI.run(
        ["train", "--data-dir", Repository.notebooksData.path, "--arch", "3", "--epochs", "20", "--log-every", "10", "--quiet"] + extra)
      #expect(r.status == 0, "\(r.stderr)")
    }
    func analyze(_ files: [String], _ out: String, estimator: String = "binning") throws {
      let r = try CLI.run(["analyze"] + files + ["--estimator", estimator, "--out", path(out), "--quiet"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    try train(["--seeds", "1-3", "--record", path("runs")])
    try train(["--seeds", "4", "--l2", "0.01", "--record", path("runs-l2")])
    let seeds = (1...3).map { path("runs/seed-\($0).bin") }
    try analyze(seeds, "a")
    try analyze([path("runs-l2/seed-4.bin")], "b")
    let out = path("gen")
    let r = try CLI.run(["generalisation", path("a"), path("b"), "--out", out, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try CLI.json(r.stdout)
    #expect(object["runs"] as? Int == 4 && object["settings"] as? [String] == ["l2"])
    // 2 layers (hidden1, output) × 1 estimator, each over the 4 runs.
    let correlations = try #require(object["correlations"] as? [[String: Any]])
    #expect(correlations.count == 2 && correlations.allSatisfy { $0["n"] as? Int == 4 })
    let csv = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/generalisation.csv")), as: UTF8.self)
    let lines = csv.split(separator: "\n")
    #expect(lines.count == 1 + 4 * 2)
    #expect(lines.filter { $0.contains(",l2=0.01,4,20,") }.count == 2)  // setting, seed, final epoch
    #expect(lines.filter { $0.contains(",l2=0.0,2,20,") }.count == 2)
    for f in ["generalisation-correlation.csv", "generalisation-binning.svg", "index.html"] {
      #expect(FileManager.default.fileExists(atPath: "\(out)/\(f)"), "\(f)")
    }
    let html = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/index.html")), as: UTF8.self)
    #expect(html.contains("Kawaguchi") && html.contains("generalisation-binning.svg"))

    // Bad input: exit 2, naming the file.
    try FileManager.default.createDirectory(atPath: path("empty"), withIntermediateDirectories: true)
    let missing = try CLI.run(["generalisation", path("a"), path("empty"), "--out", path("g2")])
    #expect(missing.status == 2 && missing.stderr.contains(path("empty") + "/plane.csv"), "\(missing.stderr)")
    try analyze([seeds[0]], "bins10", estimator: "binning:bins=10")
    let estimators = try CLI.run(["generalisation", path("a"), path("bins10"), "--out", path("g3")])
    #expect(estimators.status == 2 && estimators.stderr.contains("estimators") && estimators.stderr.contains(path("bins10")), "\(estimators.stderr)")
    let few = try CLI.run(["generalisation", path("b"), "--out", path("g4")])
    #expect(few.status == 2 && few.stderr.contains("at least 3 runs"), "\(few.stderr)")
    // A table without test metrics (as from a recording without a test split).
    try FileManager.default.copyItem(atPath: path("a"), toPath: path("notest"))
    let table = path("notest") + "/plane.csv"
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: table)), as: UTF8.self)
    try Data(text.replacingOccurrences(of: ",test_accuracy,", with: ",test_acc,").utf8).write(to: URL(fileURLWithPath: table))
    let noTest = try CLI.run(["generalisation", path("notest"), "--out", path("g5")])
    #expect(noTest.status == 2 && noTest.stderr.contains(table) && noTest.stderr.contains("test_accuracy"), "\(noTest.stderr)")
  }
}
