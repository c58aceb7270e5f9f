import Foundation
import Testing

/// One error style: every error is `error: …` on stderr (the parser's own too, usage kept), and
/// the documented exit codes (0 success, 1 runtime failure, 2 bad input or usage; 130 after
/// Ctrl-C is `InterruptCLITests`).
@Suite struct ErrorStyleCLITests {
  @Test func parserErrorsUseTheOnePrefixAndKeepTheUsage() throws {
    for arguments in [["train", "--bogus"], ["analyze"], ["synth", "--n", "ten"], ["estimate"]] {
      let r = try CLI.run(arguments)
      #expect(r.status == 2, "\(arguments): \(r.stderr)")
      #expect(r.stderr.hasPrefix("error: "), "\(arguments): \(r.stderr)")
      #expect(!r.stderr.contains("Error:"), "\(arguments): \(r.stderr)")
      #expect(r.stdout.isEmpty)
    }
    #expect(try CLI.run(["train", "--bogus"]).stderr.contains("Usage: ibplane train"))
  }

  /// A negative number is the option's value, refused in plain words (not "Missing value").
  @Test func negativeNumbersAreValuesRefusedInPlainWords() throws {
    let r = try CLI.run(["train", "--epochs", "-5"])
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("error: --epochs must be at least 1, got -5\n"), "\(r.stderr)")
    let n = try CLI.run(["synth", "--task", "bsc-0.1", "--n", "-3", "--out", "/tmp/unused"])
    #expect(n.status == 2)
    #expect(n.stderr == "error: --n must be at least 2, got -3\n", "\(n.stderr)")
  }

  @Test func aMissingFileIsNamedWithTheCause() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let x = dir.appendingPathComponent("x.npy").path
    let r = try CLI.run(["estimate", "--estimator", "gaussian", x, x])
    #expect(r.status == 2)
    #expect(r.stderr == "error: \(x): no such file\n", "\(r.stderr)")
    // A folder where a file belongs.
    let d = try CLI.run(["estimate", "--estimator", "gaussian", dir.path, dir.path])
    #expect(d.status == 2)
    #expect(d.stderr == "error: \(dir.path): is a directory\n", "\(d.stderr)")
  }

  @Test func exitCodes() throws {
    #expect(try CLI.run(["synth", "--list"]).status == 0)
    #expect(try CLI.run(["--help"]).status == 0)
    #expect(try CLI.run(["estimate", "--estimator", "nope"]).status == 2)
    // 1: a runtime failure — here an output directory that cannot be created under a file.
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("file")
    try Data("x".utf8).write(to: file)
    let r = try CLI.run(["synth", "--task", "bsc-0.1", "--n", "10", "--out", file.appendingPathComponent("sub").path])
    #expect(r.status == 1, "\(r.stderr)")
    #expect(r.stderr.hasPrefix("error: "), "\(r.stderr)")
  }

  /// Estimator names are case-insensitive and canonicalised; a near miss gets a did-you-mean.
  @Test func estimatorNames() throws {
    let near = try CLI.run(["estimate", "--estimator", "kdee", "a.npy", "b.npy"])
    #expect(near.status == 2)
    #expect(near.stderr.hasPrefix("error: ") && near.stderr.contains("did you mean kde?"), "\(near.stderr)")
    let key = try CLI.run(["analyze", "--estimator", "kde:sigma=0.1", "missing.bin"])
    #expect(key.status == 2)
    #expect(key.stderr.contains("did you mean sigma2?"), "\(key.stderr)")
  }
}
