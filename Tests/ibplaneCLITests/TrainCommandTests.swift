import Foundation
import Testing

/// End-to-end runs of the built `ibplane train` (the executable sits next to the test bundle).
@Suite("ibplane train")
struct TrainCommandTests {
  static let dataDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("notebooks-data").path
  }()

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
}
