import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// Ctrl-C during `ibplane analyze`: the finished rows stay, stderr names the exact command that
/// continues (the original one with `--resume`, shell-quoted), the exit status is 130, and that
/// command, run by a shell, completes the table.
@Suite struct InterruptCLITests {
  @Test func sigintPrintsTheResumeCommandAndExits130() throws {
    let fixture = AnalyzeCLITests()
    let rec = try fixture.recording()
    // A space and a quote in the output path: the printed command must quote them.
    let out = fixture.temporary().appendingPathComponent("it's out")
    let slow = ["--bootstrap", "200", "--seed", "4", "--threads", "1"] + fixture.estimatorArguments
    let p = try ChildProcess(try CLI.binary, ["analyze", rec.path, "--out", out.path] + slow)
    let csv = out.appendingPathComponent("plane.csv")
    let deadline = Date().addingTimeInterval(120)
    while p.isRunning, Date() < deadline {
      let data = (try? Data(contentsOf: csv)) ?? Data()
      if data.filter({ $0 == 10 }).count >= 4 { break }
      usleep(5_000)
    }
    #expect(p.isRunning, "the run finished before the interrupt; the test proves nothing")
    p.signal(SIGINT)
    let r = try p.wait()
    #expect(!r.signalled && r.status == 130, "\(r.status) \(r.stderr)")
    let kept = try PlaneTable.parse(String(decoding: try Data(contentsOf: csv), as: UTF8.self), file: csv.path)
    #expect(!kept.rows.isEmpty && kept.rows.count < 24, "interrupted after \(kept.rows.count) rows")
    let marker = "Continue with:\n  "
    guard let range = r.stderr.range(of: marker) else {
      Issue.record("no resume command in: \(r.stderr)")
      return
    }
    #expect(r.stderr.contains("error: interrupted; the finished rows are kept in \(csv.path)."), "\(r.stderr)")
    let command = String(r.stderr[range.upperBound...].prefix { $0 != "\n" })
    #expect(command.hasSuffix(" --resume"), "\(command)")
    #expect(command.contains("'\(out.path.replacingOccurrences(of: "'", with: "'\\''"))'"), "\(command)")
    let resumed = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", command])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.contains("resumed"), "\(resumed.stdout)")
    let table = try PlaneTable.parse(String(decoding: try Data(contentsOf: csv), as: UTF8.self), file: csv.path)
    #expect(table.rows.count == 24)
  }
}
