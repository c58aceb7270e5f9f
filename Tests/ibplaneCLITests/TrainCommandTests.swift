import Foundation
import Testing

/// End-to-end runs of the built `ibplane train` (the executable sits next to the test bundle).
@Suite("ibplane train")
struct TrainCommandTests {
  static let binary: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.pathComponents.count > 1, !FileManager.default.fileExists(atPath: url.appendingPathComponent("ibplane").path) {
      url.deleteLastPathComponent()
    }
    return url.appendingPathComponent("ibplane")
  }()

  static let dataDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("notebooks-data").path
  }()

  static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = binary
    process.arguments = ["train", "--data-dir", dataDirectory] + arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
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
