import Foundation
import Testing

/// `ibplane synth` with sizes that used to abort on a failed multi-GB allocation (exit 134):
/// now exit 2 with the limit in one sentence, and nothing written.
@Suite struct SynthLimitsCLITests {
  @Test func hugeSizesExitWithTwoBeforeAllocating() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out").path
    let cases: [([String], String)] = [
      (["--task", "gaussian-dense-5", "--n", "10000000000"], "use N ≤ 6710886"),
      (["--task", "blob-16x16-mi2", "--n", "1000000"], "use N ≤ 131072"),
      (["--task", "gaussian-dense-100000", "--n", "10"], "1 ≤ D ≤ 2048"),
      (["--task", "gaussian-4096x4096-rho0.5", "--n", "10"], "DX + DY ≤ 4096"),
      (["--task", "noiseless-1048576", "--n", "10"], "2 ≤ K ≤ 4096"),
      (["--task", String(repeating: "asinh-", count: 5000) + "bsc-0.1", "--n", "10"], "at most 256 bytes"),
      (["--task", "bsc-0.1", "--n", "10", "--out", ""], "--out"),
    ]
    for (arguments, mention) in cases {
      let r = try CLI.run(["synth"] + arguments + (arguments.contains("--out") ? [] : ["--out", out]))
      #expect(r.status == 2, "\(arguments.prefix(4)): exit \(r.status) \(r.stderr.prefix(300))")
      #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(mention) && r.stderr.split(separator: "\n").count == 1, "\(r.stderr.prefix(300))")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
    #expect(try CLI.run(["synth", "--help"]).stdout.contains("67108864"))
  }
}
