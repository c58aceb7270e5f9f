import Foundation
import IBPlane
import Testing

extension AnalyzeCLITests {
  /// `--resamples` (and its older name `--bootstrap`) make jackknife intervals by default;
  /// `--interval bootstrap` asks for the percentile bootstrap; bad combinations exit 2.
  @Test func intervalFlags() throws {
    let rec = try recording()
    let base = ["--quiet", "--estimator", "binning", "--epochs", "0", "--seed", "3"]
    for (extra, method) in [(["--resamples", "4"], "half-sample-jackknife"), (["--bootstrap", "4", "--interval", "bootstrap"], "percentile-bootstrap")] {
      let out = temporary()
      let r = try ibplane(["analyze", rec.path, "--out", out.path] + base + extra)
      #expect(r.status == 0, "\(r.stderr)")
      let rows = try PlaneTable.parse(
        String(decoding: try Data(contentsOf: out.appendingPathComponent("plane.csv")), as: UTF8.self), file: "plane.csv").rows
      #expect(!rows.isEmpty && rows.allSatisfy { $0.interval?.settings.method.rawValue == method && $0.interval?.settings.resamples == 4 })
    }
    for (extra, message) in [
      (["--resamples", "4", "--bootstrap", "5"], "--resamples 4 and --bootstrap 5 disagree"), (["--interval", "bca", "--resamples", "4"], "--interval"),
      (["--resamples", "1"], "--resamples must be 0 or at least 2"),
    ] {
      let r = try ibplane(["analyze", rec.path, "--out", temporary().path] + base + extra)
      #expect(r.status == 2 && r.stderr.contains(message), "\(extra): \(r.status) \(r.stderr)")
    }
  }
}
