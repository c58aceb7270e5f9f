import Foundation
import IBPlaneAnalysis

/// Writes the reports of an analysis into a directory: `plane-<estimator>.svg` and
/// `curves-<estimator>.svg` per estimator, `planes-compared.svg`, and `index.html` showing
/// them with the run's metadata and a link to `plane.csv`.
public enum PlaneReport {
  /// The files written, relative to `directory`.
  @discardableResult
  public static func write(_ rows: [PlaneRow], manifest: PlaneManifest, to directory: URL) throws -> [String] {
    try OutputFiles.createDirectory(directory)
    var written: [String] = []
    var figures: [(title: String, plane: String, curves: String, notes: [String])] = []
    let clipping = PlaneClipping.warnings(rows)
    var usedNames = Set<String>()
    // Several recordings: figures of the mean across runs with bands, and the summary tables.
    let runs = PlaneFigures.recordingCount(rows) > 1 ? PlaneFigures.acrossRuns(rows) : nil
    let drawn = runs?.mean ?? rows
    if runs != nil { written += try writeAcrossRunTables(rows, to: directory) }
    for e in manifest.estimators {
      var stem = fileStem(e.name)
      var k = 2
      while usedNames.contains(stem) {
        stem = "\(fileStem(e.name))-\(k)"
        k += 1
      }
      usedNames.insert(stem)
      let plane = "plane-\(stem).svg", curves = "curves-\(stem).svg"
      try OutputFiles.write(Data(PlaneFigures.plane(drawn, manifest: manifest, estimator: e, bands: runs?.bands).utf8), to: directory.appendingPathComponent(plane), atomic: true)
      try OutputFiles.write(Data(PlaneFigures.curves(drawn, manifest: manifest, estimator: e, bands: runs?.bands).utf8), to: directory.appendingPathComponent(curves), atomic: true)
      written += [plane, curves]
      let notes = clipping.filter { $0.estimator == e.name && $0.params == e.params }.map(\.message)
      figures.append((PlaneFigures.estimatorLabel(e), plane, curves, notes))
    }
    let comparison = "planes-compared.svg"
    try OutputFiles.write(Data(PlaneFigures.comparison(drawn, manifest: manifest).utf8), to: directory.appendingPathComponent(comparison), atomic: true)
    written.append(comparison)
    try OutputFiles.write(
      Data(html(manifest: manifest, figures: figures, comparison: comparison, rows: rows).utf8),
      to: directory.appendingPathComponent("index.html"), atomic: true)
    written.append("index.html")
    return written
  }

  /// A file-name-safe form of an estimator name (names can come from a manifest on disk).
  static func fileStem(_ name: String) -> String {
    var s = fileNameComponent(name, replacement: "-")
    while s.utf8.count > 200 { s.removeLast() }
    return s.isEmpty ? "estimator" : s
  }

  /// `name` with every Unicode scalar that is not a letter, a digit, `-`, `_` or one of
  /// `keeping` replaced by `replacement`. Scalar by scalar, not by `Character`: a grapheme
  /// can join a letter and a `/` (after a prepended letter such as U+0D4E) and would pass a
  /// letter test as a whole.
  public static func fileNameComponent(_ name: String, keeping: String = "", replacement: Character = "_") -> String {
    var out = ""
    for scalar in name.unicodeScalars {
      let v = scalar.value
      let keep =
        v > 0x7F
        ? scalar.properties.isAlphabetic || scalar.properties.numericType == .decimal
        : (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
          || "-_".unicodeScalars.contains(scalar) || keeping.unicodeScalars.contains(scalar)
      if keep { out.unicodeScalars.append(scalar) } else { out.append(replacement) }
    }
    return out
  }

  static func html(
    manifest m: PlaneManifest, figures: [(title: String, plane: String, curves: String, notes: [String])], comparison: String, rows: [PlaneRow]
  ) -> String {
    func e(_ s: String) -> String { SVGDocument.escape(s) }
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
        : bounded.joined(separator: "; ") + " — the estimator's own lower and upper bounds (columns i_*_lower, i_*_upper; grey bands), not sampling noise"),
      ("jobs", "\(m.totalJobCount)"), ("ibplane", m.ibplaneVersion),
    ]
    metadata += m.run.sorted { $0.key < $1.key }.map { ("run: \($0.key)", $0.value) }
    var s = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>Information plane — \(e(m.recording))</title>
      <style>
      body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1120px; color: #222; }
      table { border-collapse: collapse; margin-bottom: 24px; }
      td, th { border-bottom: 1px solid #ddd; padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
      th { font-weight: 600; white-space: nowrap; }
      p.warning { background: #fff3cd; border-left: 4px solid #c77c02; padding: 6px 10px; }
      img { max-width: 100%; height: auto; border: 1px solid #eee; margin: 8px 0 24px; }
      </style>
      </head>
      <body>
      <h1>Information plane — \(e(m.recording))</h1>
      <table>

      """
    for (k, v) in metadata { s += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>\n" }
    s += "<tr><th>data</th><td><a href=\"plane.csv\">plane.csv</a> (one row per snapshot × layer × estimator)</td></tr>\n</table>\n"
    if PlaneFigures.recordingCount(rows) > 1 { s += acrossRunsSection(rows) }
    s += "<h2>Estimators compared</h2>\n<img src=\"\(comparison)\" alt=\"Information planes of every estimator\">\n"
    for f in figures {
      s += "<h2>\(e(f.title))</h2>\n"
      // Clipped binning rows (clipped_fraction > 1 %): said before the figure it distorts.
      for n in f.notes { s += "<p class=\"warning\"><strong>Warning:</strong> \(e(n))</p>\n" }
      s += "<img src=\"\(e(f.plane))\" alt=\"Information plane, \(e(f.title))\">\n"
      s += "<img src=\"\(e(f.curves))\" alt=\"I(X;T) and I(T;Y) versus epoch, \(e(f.title))\">\n"
    }
    return s + "</body>\n</html>\n"
  }
}
