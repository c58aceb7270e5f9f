import Foundation
import IBPlaneTestSupport
import Testing

/// End-to-end runs of the built `ibplane train` (the executable sits next to the test bundle).
@Suite("ibplane train")
struct TrainCommandTests {
  static let dataDirectory = Repository.notebooksData.path

  static func run(_ arguments: [String]) throws -> CLI.Result {
    try CLI.run(["train", "--data-dir", dataDirectory] + arguments)
  }

  @Test func shortRunPrintsSummaryAndPlainProgress() throws {
    let r = try Self.run(["--epochs", "4", "--log-every", "2", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    #expect(object?["snapshots"] as? Int == 3)
    #expect(object?["steps"] as? Int == 52)
    #expect(object?["architecture"] as? String == "12-10-7-5-4-3-2")
    #expect((object?["train_accuracy"] as? Double).map { (0...1).contains($0) } == true)
    #expect(r.stderr.contains("epoch 4/4"))  // plain lines, as stderr is a pipe
  }

  @Test func badInputExitsWithTwo() throws {
    let badArch = try Self.run(["--arch", "10,0"])
    #expect(badArch.status == 2 && badArch.stderr.contains("--arch"))
    let badData = try Self.run(["--data-dir", "/nonexistent-ibplane", "--epochs", "1"])
    #expect(badData.status == 2 && badData.stderr.contains("ib12-var_u.csv"))
    let badOptimizer = try Self.run(["--optimizer", "rmsprop"])
    #expect(badOptimizer.status == 2)
  }

  /// Sizes that used to hang or abort on a huge allocation: each is refused with exit 2 and
  /// the limit, before any data is allocated (run under a 4 GB address-space cap, so a
  /// regression fails instead of swapping the machine).
  @Test func hugeSizesAreRefusedWithTheLimit() throws {
    let cases: [([String], String)] = [
      (["--arch", "100000000"], "the limit is 67108864"),
      (["--arch", "9223372036854775807,2"], "the limit is 67108864"),
      (["--arch", "40000"], "may sum to at most 32768"),
      (["--blas-threads", "64"], "--blas-threads must lie in 1…"),
      (["--epochs", "9223372036854775807"], "--epochs must be at most 1000000000"),
      (["--epochs", "1000000", "--log-every", "1"], "the limit is 100000"),
      (["--log-epochs", "1000000000000"], "--log-epochs must be at most 100000"),
      (["--dataset", "gaussian-mixture", "--mixture-classes", "4611686018427387904"], "exceed the limits"),
      (["--dataset", "gaussian-mixture", "--mixture-samples", "100000000"], "exceed the limits"),
      (["--record", ""], "--record is empty"),
    ]
    for (arguments, mention) in cases {
      let r = try runProcess(
        URL(fileURLWithPath: "/bin/sh"),
        ["-c", "ulimit -v 4000000; exec \"$0\" \"$@\"", try CLI.binary.path, "train", "--data-dir", Self.dataDirectory, "--quiet"] + arguments)
      #expect(r.status == 2, "\(arguments): exit \(r.status) \(r.stderr.prefix(300))")
      #expect(r.stderr.contains(mention), "\(arguments): \(r.stderr.prefix(300))")
      #expect(r.stdout.isEmpty, "\(arguments)")
    }
  }

  /// --blas-threads at the core count still trains (the limit is not off by one).
  @Test func blasThreadsUpToTheCoreCountAreAccepted() throws {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let r = try Self.run(["--epochs", "1", "--log-epochs", "0", "--blas-threads", "\(cores)", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("\"blas_threads\" : \(cores)"))
  }
}
