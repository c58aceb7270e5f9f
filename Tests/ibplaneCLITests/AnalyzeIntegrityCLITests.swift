import Foundation
import IBPlane
import Testing

/// `ibplane analyze` and `merge` under hostile or mistaken use: each test reproduces a
/// finding of the hardening issue and checks the clear error (and that nothing was lost).
extension AnalyzeCLITests {
  /// Same name, other content: --resume used to keep the first recording's rows.
  @Test func resumeRefusesAnotherRecordingOfTheSameName() throws {
    let a = try recording(seed: 3), b = try recording(seed: 5)
    let out = temporary()
    #expect(try ibplane(["analyze", a.path, "--out", out.path, "--quiet"] + estimatorArguments).status == 0)
    let r = try ibplane(["analyze", b.path, "--out", out.path, "--quiet", "--resume"] + estimatorArguments)
    #expect(r.status == 2, "\(r.stderr)")
    #expect(r.stderr.contains("recording_fingerprint") && r.stderr.contains(b.path) && r.stderr.contains("different recordings"), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
  }
}
