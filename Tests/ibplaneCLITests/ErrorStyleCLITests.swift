import Foundation
import IBPlane
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

  /// NaN or ±∞ in an input file: the message names the file, its role, the row and column and
  /// the value — for every estimator (cs and renyi once called their inputs "A" and "B").
  @Test func aNonFiniteValueIsNamedByFileRowAndColumn() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var good = Matrix<Double>(rows: 40, columns: 3)
    for i in 0..<40 { for j in 0..<3 { good[i, j] = Double((i * 7 + j * 3) % 11) } }
    var bad = good
    bad[5, 1] = .nan
    var inf = good
    inf[39, 2] = -.infinity
    let g = dir.appendingPathComponent("good.npy").path
    let b = dir.appendingPathComponent("bad.npy").path
    let f = dir.appendingPathComponent("inf.npy").path
    try NumPyFile.write(NumPyArray(good), to: URL(fileURLWithPath: g))
    try NumPyFile.write(NumPyArray(bad), to: URL(fileURLWithPath: b))
    try NumPyFile.write(NumPyArray(inf), to: URL(fileURLWithPath: f))
    for estimator in ["cs", "renyi", "ksg", "binning"] {
      let x = try CLI.run(["estimate", "--estimator", estimator, b, g])
      #expect(x.status == 2)
      #expect(x.stderr.hasPrefix("error: \(b) (X) holds nan at row 5, column 1 (0-based)"), "\(estimator): \(x.stderr)")
      let y = try CLI.run(["estimate", "--estimator", estimator, g, f])
      #expect(y.status == 2)
      #expect(y.stderr.hasPrefix("error: \(f) (Y) holds -inf at row 39, column 2 (0-based)"), "\(estimator): \(y.stderr)")
    }
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
