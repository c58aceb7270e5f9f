import Foundation
import IBPlaneAnalysis
import IBPlaneEstimators

/// index.html of an analysis. Order, so that the first screen shows a plane: the title and a
/// one-line summary with links to the tables, the estimators-compared figure, the run's
/// metadata collapsed in `<details>`, the across-run section (several recordings), then one
/// section per estimator: its caveat (from `EstimatorRegistry.caveats`) and, with intervals,
/// what they cover (`EstimatorRegistry.intervalCoverage`), clipping warnings, the plane and the
/// curves. Figures are inline SVG (`ReportPage.figure`), so their point tooltips work.
extension PlaneReport {
  /// One estimator's figures: file names and SVG texts.
  struct Figure {
    var estimator: PlaneManifest.EstimatorSpec
    var stem: String
    var plane: (file: String, svg: String)
    var curves: (file: String, svg: String)
    var notes: [String]
    var title: String { PlaneFigures.estimatorLabel(estimator) }
  }

  /// The caveat paragraph(s) of one estimator: the family's caveat, and what an interval
  /// covers when its rows have intervals. Empty for a name no family has.
  static func caveatHTML(_ spec: PlaneManifest.EstimatorSpec, rows: [PlaneRow]) -> String {
    func e(_ s: String) -> String { SVGDocument.escape(s) }
    guard let caveat = EstimatorRegistry.caveat(forSpecification: spec.name) else { return "" }
    var s = "<p class=\"caveat\"><strong>Reading these values:</strong> \(e(caveat))"
    let mine = rows.filter { $0.estimator == spec.name && $0.params == spec.params }
    if mine.contains(where: { $0.interval != nil }), let family = try? EstimatorRegistry.parse(spec.name).name.lowercased() {
      s += " <strong>Intervals</strong> cover \(e(EstimatorRegistry.intervalCoverage(family: family)))."
    }
    return s + "</p>\n"
  }

  static func metadata(_ m: PlaneManifest, rows: [PlaneRow]) -> [(String, String)] {
    // Estimators some of whose rows carry bounds (KDE), by the bound columns, not by name.
    let bounded = m.estimators.filter { spec in
      rows.contains { $0.estimator == spec.name && $0.params == spec.params && $0.hasBounds }
    }.map(PlaneFigures.estimatorLabel)
    var metadata: [(String, String)] = [
      ("recording", m.recording), ("samples", "\(m.sampleCount)" + (m.samples.map { " (the \($0) samples of the recording's split, --samples \($0))" } ?? "")),
      ("layers", m.analysedLayers.map { m.layers.indices.contains($0) ? "\(m.layers[$0].name) (\(m.layers[$0].width))" : "layer \($0)" }.joined(separator: ", ")),
      ("snapshots", "\(Set(rows.map(\.step)).count) (epochs \(m.epochs))"),
      ("estimators", m.estimators.map { PlaneFigures.estimatorLabel($0) }.joined(separator: "; ")),
      ("unit", m.unit.rawValue),
      ("confidence intervals", m.bootstrapResamples > 0
        ? "\(Int((m.confidenceLevel * 100).rounded()))% \((m.intervalMethod ?? .percentileBootstrap).rawValue), B = \(m.bootstrapResamples), seed \(m.seed) — sampling spread at N only; estimator bias is not included (columns i_*_ci_lo, i_*_ci_hi, ci_excludes_estimate; dark capped bars)"
        : "none (run with --resamples B)"),
      ("estimator bounds", bounded.isEmpty
        ? "none of these estimators reports bounds"
        : bounded.joined(separator: "; ") + " — the estimator's own lower and upper bounds (columns i_*_lower, i_*_upper; a pale band in the layer's colour along its trajectory), not sampling noise"),
      ("jobs", "\(m.totalJobCount)"), ("ibplane", m.ibplaneVersion),
    ]
    metadata += m.run.sorted { $0.key < $1.key }.map { ("run: \($0.key)", $0.value) }
    return metadata
  }

  static func html(manifest m: PlaneManifest, figures: [Figure], comparison: (file: String, svg: String), rows: [PlaneRow]) -> String {
    func e(_ s: String) -> String { SVGDocument.escape(s) }
    let severalRuns = PlaneFigures.recordingCount(rows) > 1
    var s = ReportPage.head(title: "Information plane — \(m.recording)")
    s += "<p>\(m.sampleCount) samples; \(m.analysedLayers.count) layers; \(Set(rows.map(\.step)).count) snapshots; "
    s += "I(X;T) on x, I(T;Y) on y, in \(e(m.unit.rawValue)); markers coloured by epoch. Hover a point for its values. "
    s += "Data: <a href=\"plane.csv\">plane.csv</a> (one row per snapshot × layer × estimator)"
    if severalRuns {
      s += ", <a href=\"plane-summary.csv\">plane-summary.csv</a> (per-epoch statistics across runs), "
      s += "<a href=\"compression.csv\">compression.csv</a> (compression per run)"
    }
    s += ".</p>\n"
    s += "<h2>Estimators compared</h2>\n"
    s += ReportPage.figure(comparison.svg, prefix: "f-compared", label: "Information planes of every estimator", file: comparison.file)
    let metadata = metadata(m, rows: rows)
    s += "<details>\n<summary>Run and analysis settings (\(metadata.count + 1) entries)</summary>\n<table>\n"
    for (k, v) in metadata { s += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>\n" }
    s += "<tr><th>data</th><td><a href=\"plane.csv\">plane.csv</a> (one row per snapshot × layer × estimator)</td></tr>\n</table>\n</details>\n"
    if severalRuns { s += acrossRunsSection(rows) }
    for f in figures {
      s += "<section id=\"\(e(ReportPage.idPrefix(f.stem)))\">\n<h2>\(e(f.title))</h2>\n"
      s += caveatHTML(f.estimator, rows: rows)
      // Clipped binning rows (clipped_fraction > 1 %): said before the figure it distorts.
      for n in f.notes { s += "<p class=\"warning\"><strong>Warning:</strong> \(e(n))</p>\n" }
      s += ReportPage.figure(
        f.plane.svg, prefix: ReportPage.idPrefix("plane-" + f.stem), label: "Information plane, \(f.title)", file: f.plane.file)
      s += ReportPage.figure(
        f.curves.svg, prefix: ReportPage.idPrefix("curves-" + f.stem), label: "I(X;T) and I(T;Y) versus epoch, \(f.title)", file: f.curves.file)
      s += "</section>\n"
    }
    return s + "</body>\n</html>\n"
  }
}
