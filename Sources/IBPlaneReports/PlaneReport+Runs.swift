import Foundation
import IBPlaneAnalysis

/// The across-run part of a report of several recordings: `plane-summary.csv`,
/// `compression.csv` and the compression table of `index.html`.
extension PlaneReport {
  /// Writes `plane-summary.csv` (`PlaneSummary`) and `compression.csv` (`PlaneCompression`).
  static func writeAcrossRunTables(_ rows: [PlaneRow], to directory: URL) throws -> [String] {
    try OutputFiles.write(Data(PlaneSummary.csv(rows).utf8), to: directory.appendingPathComponent("plane-summary.csv"), atomic: true)
    try OutputFiles.write(Data(PlaneCompression.csv(rows).utf8), to: directory.appendingPathComponent("compression.csv"), atomic: true)
    return ["plane-summary.csv", "compression.csv"]
  }

  /// The HTML section: what the figures show, links to the CSVs, and the compression table
  /// (mean ± sd [min, max] across runs).
  static func acrossRunsSection(_ rows: [PlaneRow]) -> String {
    func e(_ s: String) -> String { SVGDocument.escape(s) }
    func f(_ t: AcrossRunStatistics?, _ format: String = "%.3g") -> String {
      guard let t else { return "—" }
      let sd = t.sd.map { " ± " + String(format: format, $0) } ?? ""
      return String(format: format, t.mean) + sd + " [" + String(format: format, t.min) + ", " + String(format: format, t.max) + "]"
    }
    let runs = Set(rows.map { "\($0.recordingFingerprint)|\($0.recording)" }).count
    let names = Array(Set(rows.map(\.recording))).sorted()
    var s = "<h2>Across \(runs) runs</h2>\n"
    s += "<p>Recordings: \(e(names.joined(separator: ", "))). Figures show the mean across runs at each epoch; "
    s += "the bands span the 5 % to 95 % quantiles of the runs (linear interpolation, numpy's default). "
    s += "Per-epoch statistics: <a href=\"plane-summary.csv\">plane-summary.csv</a>; "
    s += "compression: <a href=\"compression.csv\">compression.csv</a>.</p>\n"
    s += "<p>Compression of I(X;T) per estimator and layer: mean ± sd [min, max] across runs. Peak: the largest I(X;T) "
    s += "over the epochs; final: at the last epoch; drop = 100·(peak − final)/peak.</p>\n"
    s += "<table>\n<tr><th>estimator</th><th>layer</th><th>runs</th><th>peak I(X;T)</th><th>epoch of peak</th><th>final I(X;T)</th><th>drop %</th></tr>\n"
    for r in PlaneCompression.rows(rows) {
      s += "<tr><td>\(e(r.estimator))</td><td>\(e(r.layer))</td><td>\(r.runs)</td><td>\(f(r.peak))</td><td>\(f(r.peakEpoch, "%.0f"))</td>"
      s += "<td>\(f(r.final))</td><td>\(f(r.dropPercent, "%.1f"))</td></tr>\n"
    }
    return s + "</table>\n"
  }
}
