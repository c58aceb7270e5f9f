import Foundation
import IBPlaneTestSupport
import Testing

/// One `--json` convention on every command: snake_case keys, numbers as JSON numbers, paths
/// with unescaped slashes; and `--quiet` leaves stdout empty.
@Suite struct JSONConventionCLITests {
  /// The printed object, after checking the convention on its text and every key.
  func object(_ r: CLI.Result, _ command: String, path: String) throws -> [String: Any] {
    #expect(r.status == 0, "\(command): \(r.stderr)")
    #expect(!r.stdout.contains("\\/"), "\(command): escaped slash in \(r.stdout)")
    #expect(r.stdout.contains("\"\(path)\""), "\(command): \(path) not in \(r.stdout)")
    let o = try CLI.json(r.stdout)
    // The text is what JSONSerialization writes for the same object (the CLI renders through
    // JSONEncoder on a typed value): the same key order, number forms and escapes.
    let rewritten = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    #expect(String(decoding: rewritten, as: UTF8.self) + "\n" == r.stdout, "\(command): \(r.stdout)")
    for key in keys(o) {
      #expect(key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(command): key '\(key)' is not snake_case")
    }
    return o
  }

  func keys(_ value: Any) -> [String] {
    if let d = value as? [String: Any] { return d.keys + d.values.flatMap(keys) }
    if let a = value as? [Any] { return a.flatMap(keys) }
    return []
  }

  @Test func synthEstimateConvertInspect() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let g = dir.appendingPathComponent("g").path
    let s = try object(CLI.run(["synth", "--task", "gaussian-dense-2", "--n", "300", "--seed", "1", "--out", g, "--json"]), "synth", path: g)
    #expect(s["n"] as? Int == 300 && s["x_dim"] as? Int == 2 && s["mi_bits"] is Double)
    let list = try CLI.json(try CLI.run(["synth", "--list", "--json"]).stdout)
    #expect((list["tasks"] as? [[String: Any]])?.first?["mi_nats"] is Double)

    let x = g + "/x.npy"
    let e = try object(CLI.run(["estimate", "--estimator", "KSG", x, g + "/y.npy", "--json"]), "estimate", path: x)
    #expect(e["estimator"] as? String == "ksg")  // canonicalised
    let parameters = try #require(e["parameters"] as? [String: Any])
    #expect(parameters["k"] as? Int == 3, "\(parameters)")

    let trained = dir.appendingPathComponent("trained.bin").path
    let t = try CLI.run(["train", "--data-dir", Repository.notebooksData.path, "--arch", "3", "--epochs", "2", "--log-every", "1", "--record", trained, "--quiet"])
    #expect(t.status == 0, "\(t.stderr)")
    let bin = dir.appendingPathComponent("run.bin").path
    let c = try object(CLI.run(["convert", trained, bin, "--storage", "float16", "--json"]), "convert", path: bin)
    #expect(c["snapshots"] as? Int == 3 && c["n"] as? Int == 4096 && c["bytes"] is Int, "\(c)")
    let i = try object(CLI.run(["inspect", bin, "--json"]), "inspect", path: bin)
    #expect(i["sample_count"] as? Int == 4096)
  }

  @Test func analyzeMergeAndQuiet() throws {
    let fixture = AnalyzeCLITests()
    let rec = try fixture.recording()
    let out = fixture.temporary().appendingPathComponent("whole").path
    let args = ["--estimator", "KDE", "--estimator", "lossy:k=5", "--quiet"]
    let a = try object(CLI.run(["analyze", rec.path, "--out", out, "--json"] + args), "analyze", path: out + "/plane.csv")
    let estimators = try #require(a["estimators"] as? [[String: Any]])
    #expect(estimators.map { $0["name"] as? String } == ["kde", "lossy"])
    #expect((estimators[1]["parameters"] as? [String: Any])?["k"] as? Int == 5, "\(estimators)")
    #expect(a["rows"] as? Int == 24 && a["seconds"] is Double)

    let shards = fixture.temporary().appendingPathComponent("shards").path
    for k in 1...2 {
      #expect(try CLI.run(["analyze", rec.path, "--out", shards, "--shard", "\(k)/2"] + args).status == 0)
    }
    let m = try object(CLI.run(["merge", shards, "--json"]), "merge", path: shards + "/plane.csv")
    #expect(Set(m.keys) == Set(a.keys), "merge \(m.keys.sorted()) vs analyze \(a.keys.sorted())")
    #expect((m["estimators"] as? [[String: Any]])?.map { $0["label"] as? String } == estimators.map { $0["label"] as? String })

    // --quiet: nothing on stdout, with or without resuming.
    let q = try CLI.run(["analyze", rec.path, "--out", out, "--resume"] + args)
    #expect(q.status == 0 && q.stdout.isEmpty && q.stderr.isEmpty, "\(q.stdout)\(q.stderr)")
  }

  @Test func trainAndGeneralisation() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let base = ["train", "--data-dir", Repository.notebooksData.path, "--arch", "3", "--epochs", "20", "--log-every", "10"]
    let quiet = try CLI.run(base + ["--seeds", "1-3", "--record", path("runs"), "--quiet"])
    #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet.stdout)\(quiet.stderr)")
    let t = try object(CLI.run(base + ["--seed", "4", "--l2", "0.01", "--record", path("l2.bin"), "--json", "--quiet"]), "train", path: path("l2.bin"))
    #expect(t["seed"] as? Int == 4 && t["epochs"] as? Int == 20)
    for (files, out) in [((1...3).map { path("runs/seed-\($0).bin") }, "a"), ([path("l2.bin")], "b")] {
      #expect(try CLI.run(["analyze"] + files + ["--estimator", "binning", "--out", path(out), "--quiet"]).status == 0)
    }
    let g = try object(CLI.run(["generalisation", path("a"), path("b"), "--out", path("gen"), "--json"]), "generalisation", path: path("gen"))
    #expect(g["runs"] as? Int == 4)
  }
}
