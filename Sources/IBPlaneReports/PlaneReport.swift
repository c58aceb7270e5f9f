import Foundation
import IBPlaneAnalysis

/// Writes the reports of an analysis into a directory: `plane-<estimator>.svg` and
/// `curves-<estimator>.svg` per estimator, `planes-compared.svg`, and `index.html` showing
/// them inline with each estimator's caveat, the run's metadata and links to the tables
/// (`PlaneReport+HTML.swift`).
public enum PlaneReport {
  /// The files written, relative to `directory`.
  @discardableResult
  public static func write(_ rows: [PlaneRow], manifest: PlaneManifest, to directory: URL) throws -> [String] {
    try OutputFiles.createDirectory(directory)
    var written: [String] = []
    var figures: [Figure] = []
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
      let planeSVG = PlaneFigures.plane(drawn, manifest: manifest, estimator: e, bands: runs?.bands)
      let curvesSVG = PlaneFigures.curves(drawn, manifest: manifest, estimator: e, bands: runs?.bands)
      try OutputFiles.write(Data(planeSVG.utf8), to: directory.appendingPathComponent(plane), atomic: true)
      try OutputFiles.write(Data(curvesSVG.utf8), to: directory.appendingPathComponent(curves), atomic: true)
      written += [plane, curves]
      let notes = clipping.filter { $0.estimator == e.name && $0.params == e.params }.map(\.message)
      figures.append(Figure(estimator: e, stem: stem, plane: (plane, planeSVG), curves: (curves, curvesSVG), notes: notes))
    }
    let comparison = "planes-compared.svg"
    let comparisonSVG = PlaneFigures.comparison(drawn, manifest: manifest, bands: runs?.bands)
    try OutputFiles.write(Data(comparisonSVG.utf8), to: directory.appendingPathComponent(comparison), atomic: true)
    written.append(comparison)
    try OutputFiles.write(
      Data(html(manifest: manifest, figures: figures, comparison: (comparison, comparisonSVG), rows: rows).utf8),
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
}
