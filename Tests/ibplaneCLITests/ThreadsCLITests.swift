import Foundation
import IBPlaneTestSupport
import Testing

/// `--threads` and `IBPLANE_THREADS`: one bound, checked once, that never changes a result.
@Suite struct ThreadsCLITests {
  private func environment(threads: String?) -> [String: String] {
    var e = ProcessInfo.processInfo.environment
    e["IBPLANE_THREADS"] = threads
    return e
  }

  @Test func unusableThreadSettingsAreRefused() throws {
    for value in ["0", "two", "5000", ""] {
      let r = try runProcess(try CLI.binary, ["synth", "--list"], environment: environment(threads: value))
      #expect(r.status == 2, "IBPLANE_THREADS=\(value)")
      #expect(r.stderr.contains("IBPLANE_THREADS must be an integer in 1…4096 (worker threads), got \"\(value)\""))
    }
    for value in ["0", "4097"] {
      let r = try CLI.run(["estimate", "--estimator", "gaussian", "--threads", value, "x.npy", "y.npy"])
      #expect(r.status == 2)
      #expect(r.stderr.contains("--threads must lie in 1…4096, got \(value)"))
    }
  }

  @Test func estimatesDoNotDependOnTheThreadCount() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let synth = try CLI.run(["synth", "--task", "gaussian-dense-5", "--n", "1000", "--seed", "1", "--out", dir.path])
    #expect(synth.status == 0, "\(synth.stderr)")
    let x = dir.appendingPathComponent("x.npy").path, y = dir.appendingPathComponent("y.npy").path
    for estimator in ["ksg", "cs"] {
      var values: [String] = []
      for threads in ["1", "2", "3"] {
        let r = try runProcess(
          try CLI.binary, ["estimate", "--estimator", estimator, "--threads", threads, "--unit", "nats", "--json", x, y],
          environment: environment(threads: nil))
        #expect(r.status == 0, "\(r.stderr)")
        values.append("\(try CLI.json(r.stdout)["mi_nats"] ?? "missing")")
      }
      #expect(Set(values).count == 1, "\(estimator): \(values)")
    }
  }
}
