import Foundation
import IBPlane
import Testing

/// End-to-end tests of `ibplane synth` and `ibplane estimate` through the built binary.
@Suite struct SynthEstimateCLITests {
  @Test func synthWritesSamplesAndTruth() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("g5")
    let r = try CLI.run(["synth", "--task", "gaussian-dense-5", "--n", "20000", "--seed", "3", "--out", out.path])
    #expect(r.status == 0, "\(r.stderr)")
    let x = try NumPyFile.read(out.appendingPathComponent("x.npy"))
    let y = try NumPyFile.read(out.appendingPathComponent("y.npy"))
    #expect(x.dtype == .float64 && x.shape == [20000, 5])
    #expect(y.dtype == .float64 && y.shape == [20000, 5])
    let truth = try CLI.json(String(decoding: try Data(contentsOf: out.appendingPathComponent("truth.json")), as: UTF8.self))
    #expect(truth["task"] as? String == "gaussian-dense-5")
    #expect(truth["n"] as? Int == 20000)
    #expect(truth["seed"] as? Int == 3)
    #expect(abs((truth["mi_nats"] as? Double ?? 0) - 0.592811832829) < 1e-9)
    #expect(abs((truth["mi_bits"] as? Double ?? 0) - 0.592811832829 / Foundation.log(2)) < 1e-9)
    #expect(truth["x_dim"] as? Int == 5 && truth["y_dim"] as? Int == 5)

    // The same seed writes the same bytes.
    let again = dir.appendingPathComponent("g5-again")
    _ = try CLI.run(["synth", "--task", "gaussian-dense-5", "--n", "20000", "--seed", "3", "--out", again.path])
    #expect(try Data(contentsOf: again.appendingPathComponent("x.npy")) == Data(contentsOf: out.appendingPathComponent("x.npy")))
  }

  @Test func estimateJSONInBitsAndNats() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let truthNats = try SyntheticTasks.task(named: "gaussian-channel-3").mutualInformationNats
    let r0 = try CLI.run(["synth", "--task", "gaussian-channel-3", "--n", "100000", "--seed", "1", "--out", dir.path])
    #expect(r0.status == 0, "\(r0.stderr)")
    let (x, y) = (dir.appendingPathComponent("x.npy").path, dir.appendingPathComponent("y.npy").path)

    let bits = try CLI.run(["estimate", "--estimator", "gaussian", x, y, "--json"])
    #expect(bits.status == 0, "\(bits.stderr)")
    let b = try CLI.json(bits.stdout)
    #expect(b["estimator"] as? String == "gaussian")
    #expect(b["unit"] as? String == "bits")
    #expect(b["n"] as? Int == 100_000)
    #expect((b["parameters"] as? [String: Any])?["bias_correction"] as? Bool == false)
    let miBits = try #require(b["mi"] as? Double)
    #expect(abs(miBits / (truthNats / Foundation.log(2)) - 1) < 0.02)

    let nats = try CLI.run(["estimate", "--estimator", "gaussian", "--unit", "nats", "--json", x, y])
    let n = try CLI.json(nats.stdout)
    #expect(n["unit"] as? String == "nats")
    #expect(abs((n["mi"] as? Double ?? 0) - miBits * Foundation.log(2)) < 1e-12)

    let text = try CLI.run(["estimate", "--estimator", "gaussian", x, y])
    #expect(text.status == 0 && text.stdout.contains("bits"))
  }

  @Test func listShowsEveryTaskWithBitsAndNats() throws {
    let r = try CLI.run(["synth", "--list"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("MI (bits)") && r.stdout.contains("MI (nats)"))
    for name in SyntheticTasks.catalog { #expect(r.stdout.contains(name)) }
    #expect(r.stdout.contains("0.59281"))
  }

  /// Each bad input exits 2 with one sentence on stderr naming what was wrong.
  @Test func badInputExitsTwo() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a")
    let b = dir.appendingPathComponent("b")
    #expect(try CLI.run(["synth", "--task", "bsc-0.1", "--n", "100", "--seed", "1", "--out", a.path]).status == 0)
    #expect(try CLI.run(["synth", "--task", "bsc-0.1", "--n", "50", "--seed", "1", "--out", b.path]).status == 0)
    let notNpy = dir.appendingPathComponent("a/truth.json").path
    let ax = a.appendingPathComponent("x.npy").path
    let ay = a.appendingPathComponent("y.npy").path
    let cases: [([String], String)] = [
      (["synth", "--task", "no-such-task", "--n", "10", "--out", dir.path], "no-such-task"),
      (["synth", "--task", "bsc-1.5", "--n", "10", "--out", dir.path], "flip probability"),
      (["synth", "--task", "bsc-0.1", "--n", "1", "--out", dir.path], "--n"),
      (["synth", "--task", "bsc-0.1", "--n", "0", "--out", dir.path], "--n"),
      (["synth", "--task", "bsc-0.1", "--n", "10", "--out", notNpy], notNpy),
      (["estimate", "--estimator", "gaussian", dir.appendingPathComponent("missing.npy").path, ay], "missing.npy"),
      (["estimate", "--estimator", "gaussian", notNpy, ay], "truth.json"),
      (["estimate", "--estimator", "gaussian", ax, b.appendingPathComponent("y.npy").path], "rows"),
      (["estimate", "--estimator", "no-such-estimator", ax, ay], "no-such-estimator"),
    ]
    for (arguments, mention) in cases {
      let r = try CLI.run(arguments)
      #expect(r.status == 2, "\(arguments): exit \(r.status)")
      let lines = r.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(arguments): stderr \(r.stderr)")
      #expect(r.stderr.contains(mention), "\(arguments): stderr \(r.stderr)")
      #expect(r.stdout.isEmpty)
    }
  }

  @Test func singleSampleEstimateExitsTwo() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let one = try Matrix<Double>([[1.0]])
    try NumPyFile.write(NumPyArray(one), to: dir.appendingPathComponent("x.npy"))
    try NumPyFile.write(NumPyArray(one), to: dir.appendingPathComponent("y.npy"))
    let r = try CLI.run([
      "estimate", "--estimator", "gaussian", dir.appendingPathComponent("x.npy").path, dir.appendingPathComponent("y.npy").path,
    ])
    #expect(r.status == 2)
    #expect(r.stderr.contains("samples"))
  }
}
