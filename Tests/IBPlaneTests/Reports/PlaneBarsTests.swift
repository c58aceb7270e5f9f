import Foundation
import Testing
import IBPlane
@testable import IBPlaneAnalysis
@testable import IBPlaneReports

/// The figures draw the estimator's bounds and the bootstrap interval each from its own
/// columns, in two styles (`class="bound"`, `class="interval"`), and say which is which.
@Suite struct PlaneBarsTests {
  func report(_ specifications: [String], bootstrap: Int) throws -> (rows: [PlaneRow], dir: URL) {
    var options = PlaneAnalysisOptions()
    options.bootstrapResamples = bootstrap
    options.seed = 2
    let dir = PlaneFixtures.temporaryDirectory()
    let a = try PlaneAnalysis(
      source: try PlaneFixtures.source(snapshots: 3), estimators: try specifications.map { try EstimatorRegistry.makePlane($0) }, options: options)
    let summary = try a.run(directory: dir, resume: false)
    try PlaneReport.write(summary.rows, manifest: a.manifest, to: dir)
    return (summary.rows, dir)
  }

  func count(_ cls: String, in text: String) -> Int { text.components(separatedBy: "class=\"\(cls)\"").count - 1 }

  @Test func aBootstrappedKDEPlaneShowsBothKindsOfBars() throws {
    let (rows, dir) = try report(["kde", "binning"], bootstrap: 8)
    let kde = try String(contentsOf: dir.appendingPathComponent("plane-kde.svg"), encoding: .utf8)
    let texts = try SVGInspector.inspect(dir.appendingPathComponent("plane-kde.svg")).texts
    // 3 snapshots × 2 layers: one I(X;T) bound band per layer along its trajectory (KDE bounds
    // only I(X;T)) + 1 in the key; two interval bars per point + 1 in the key, each with two caps.
    #expect(rows.filter { $0.estimator == "kde" }.allSatisfy { $0.hasBounds && $0.interval != nil })
    #expect(count("bound", in: kde) == 2 + 1)
    #expect(kde.components(separatedBy: "<polygon class=\"bound\"").count - 1 == 2)
    #expect(count("interval", in: kde) == 12 + 1 && count("interval-cap", in: kde) == 2 * (12 + 1))
    #expect(texts.contains("bars") && texts.contains("estimator bounds (band)") && texts.contains("95% jackknife CI"))
    #expect(texts.contains("B = 8, seed 2;") && texts.contains("sampling noise only"))
    // The key's texts fit the figure with short layer names too (the layout test's figures
    // have a long layer name, which widened them enough to hide a cut key).
    let problems = try FigureTextLayoutTests.problems(kde)
    #expect(problems.isEmpty, "\(problems)")
    // Binning has an interval and no bounds: no band, and no band in its key.
    let binning = try String(contentsOf: dir.appendingPathComponent("plane-binning.svg"), encoding: .utf8)
    #expect(count("bound", in: binning) == 0 && count("interval", in: binning) == 12 + 1)
    #expect(!(try SVGInspector.inspect(dir.appendingPathComponent("plane-binning.svg")).texts.contains("estimator bounds (band)")))
    let compared = try String(contentsOf: dir.appendingPathComponent("planes-compared.svg"), encoding: .utf8)
    #expect(count("bound", in: compared) == 2 + 1 && count("interval", in: compared) == 24 + 1)
    let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(html.contains("<th>estimator bounds</th><td>kde (") && html.contains("columns i_*_lower, i_*_upper"))
    #expect(html.contains("columns i_*_ci_lo, i_*_ci_hi"))
  }

  /// The axes include every bar, so no bound or interval is drawn outside the panel.
  @Test func barsStayInsideThePanel() throws {
    let (rows, _) = try report(["kde"], bootstrap: 8)
    var row = rows[0]
    row.inputInformationLowerBound = -0.5
    row.interval?.label = 0...9
    let drawn = PlaneFigures.drawnValues(row)
    #expect(drawn.x.contains(-0.5) && drawn.y.contains(9))
    let svg = PlaneFigures.plane([row], manifest: try manifest(), estimator: .init(name: row.estimator, params: row.params))
    let line = try Regex(
      #"<line x1="(-?[0-9.]+)" y1="(-?[0-9.]+)" x2="(-?[0-9.]+)" y2="(-?[0-9.]+)"[^>]*class="(bound|interval)""#,
      as: (Substring, Substring, Substring, Substring, Substring, Substring).self)
    let matches = svg.matches(of: line)
    #expect(matches.count == 1 + 2 + 1)  // one band, two interval bars, the key's interval sample (its bounds sample is a swatch)
    for match in matches {
      let (x1, y1, x2, y2) = (Double(match.1)!, Double(match.2)!, Double(match.3)!, Double(match.4)!)
      // The key's samples sit right of the panel (x ≥ 630); the panel spans 86…586 × 84…482.
      if x1 >= 630 { continue }
      #expect([x1, x2].allSatisfy { (86...586).contains($0) } && [y1, y2].allSatisfy { (84...482).contains($0) }, "\(match.0)")
    }
  }

  @Test func aBinningPlaneWithoutBootstrapHasNoBarsAndNoKey() throws {
    let (rows, dir) = try report(["binning"], bootstrap: 0)
    #expect(rows.allSatisfy { !$0.hasBounds && $0.interval == nil })
    let svg = try String(contentsOf: dir.appendingPathComponent("plane-binning.svg"), encoding: .utf8)
    #expect(count("bound", in: svg) == 0 && count("interval", in: svg) == 0)
    #expect(!(try SVGInspector.inspect(dir.appendingPathComponent("plane-binning.svg")).texts.contains("bars")))
    let html = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(html.contains("none of these estimators reports bounds") && html.contains("none (run with --resamples B)"))
  }

  func manifest() throws -> PlaneManifest {
    var options = PlaneAnalysisOptions()
    options.bootstrapResamples = 8
    return try PlaneAnalysis(source: try PlaneFixtures.source(snapshots: 3), estimators: [try EstimatorRegistry.makePlane("kde")], options: options).manifest
  }
}
