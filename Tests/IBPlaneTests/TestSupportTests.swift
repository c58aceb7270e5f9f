import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// The shared test-support library (Tests/Support): a broken runner or probe would make other
/// tests pass or skip for the wrong reason, so its own promises are checked here.
@Suite struct TestSupportTests {
  let sh = URL(fileURLWithPath: "/bin/sh")

  @Test func repositoryRootHoldsThePackage() {
    #expect(FileManager.default.fileExists(atPath: Repository.file("Package.swift").path))
    #expect(FileManager.default.fileExists(atPath: Repository.file("Tests/Support/Repository.swift").path))
    #expect(FileManager.default.fileExists(atPath: Repository.notebooksData.appendingPathComponent("ib12-var_u.csv").path))
  }

  @Test func runnerPassesArgumentsEnvironmentAndStandardInput() throws {
    var environment = ProcessInfo.processInfo.environment
    environment["IBPLANE_SUPPORT_PROBE"] = "x y"
    let r = try runProcess(
      sh, ["-c", "printf '%s|' \"$0\" \"$IBPLANE_SUPPORT_PROBE\"; cat; echo oops >&2; exit 3", "arg 0"],
      environment: environment, stdin: Data("from stdin".utf8))
    #expect(r.status == 3 && !r.signalled)
    #expect(r.stdout == "arg 0|x y|from stdin")
    #expect(r.stderr == "oops\n")
    // Without `stdin`, the child reads end-of-file at once instead of waiting on the test's input.
    #expect(try runProcess(sh, ["-c", "cat; echo done"], timeout: 60).stdout == "done\n")
  }

  /// More than a pipe buffer (64 KiB) on both streams: reading one after the other would deadlock.
  @Test func largeOutputOnBothStreamsDoesNotBlock() throws {
    let r = try runProcess(sh, ["-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"], timeout: 60)
    #expect(r.status == 0 && r.stdout.utf8.count == 300_000 && r.stderr.utf8.count == 300_000)
  }

  @Test func aHangIsKilledAtTheTimeout() throws {
    let start = Date()
    #expect(throws: ProcessTimeout.self) { try runProcess(sh, ["-c", "exec sleep 30"], timeout: 0.5) }
    #expect(Date().timeIntervalSince(start) < 20)
  }

  @Test func aSignalledChildIsReportedAsSuch() throws {
    let p = try ChildProcess(sh, ["-c", "exec sleep 30"])
    #expect(p.isRunning && p.pid > 0)
    #expect(p.signal(SIGKILL))
    let r = try p.wait(timeout: 60)
    #expect(r.signalled && r.status == SIGKILL)
  }

  @Test func scratchDirectoriesAreFreshAndUnderOneRoot() throws {
    let a = try TemporaryDirectory(), b = try TemporaryDirectory()
    #expect(a.url != b.url)
    #expect(a.url.deletingLastPathComponent().path == Scratch.root.path && b.url.deletingLastPathComponent().path == Scratch.root.path)
    #expect(try FileManager.default.contentsOfDirectory(atPath: a.url.path).isEmpty)
    _ = try a.write([1, 2], "f")
    a.remove()
    #expect(!FileManager.default.fileExists(atPath: a.url.path))
    #expect(FileManager.default.fileExists(atPath: b.url.path))
  }

  @Test func scaledMultipliesEveryElement() throws {
    let m = try Matrix<Double>([[1, -2], [0.5, 3]])
    #expect(scaled(m, 4).elements == [4, -8, 2, 12])
  }

  /// The probe must tell a missing module from an installed one, or `.requires` would be
  /// meaningless in both directions.
  @Test(.requires()) func oracleLauncherRunsPythonAndReportsFailures() throws {
    #expect(try Oracles.run("import sys; print(sys.argv[1:])", arguments: ["a", "b c"]) == "['a', 'b c']")
    #expect(throws: PythonFailure.self) { try Oracles.run("import ibplane_no_such_module_") }
    #expect(Oracles.installed.contains(.python3))
  }
}
