import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing
import IBPlane
@testable import IBPlaneAnalysis
@testable import IBPlaneEstimators
@testable import IBPlaneReports

/// index.html inlines its figures (tooltips work only in inline SVG), shows a plane before the
/// collapsed metadata, says each estimator's caveat from the registry, and loads nothing from
/// the network.
@Suite struct ReportPageTests {
  func report(runs: Int = 1) throws -> (html: String, dir: URL, files: [String]) {
    let rows = (1...runs).flatMap(FigureTextLayoutTests.rows)
    let dir = PlaneFixtures.temporaryDirectory()
    let files = try PlaneReport.write(rows, manifest: FigureTextLayoutTests.manifest(recording: "run1"), to: dir)
    return (try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8), dir, files)
  }

  static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

  @Test func figuresAreInlineWithUniqueIdsAndLinksToTheirFiles() throws {
    let (html, dir, files) = try report()
    let svgs = files.filter { $0.hasSuffix(".svg") }
    #expect(!html.contains("<img") && !html.contains("<?xml"))
    #expect(Self.count("<svg ", in: html) == svgs.count)
    for f in svgs {
      #expect(html.contains("<a href=\"\(f)\">\(f)</a>"), "\(f)")
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(f).path))
    }
    // Every id once in the page, and every url(#…) pointing at one of them.
    let ids = html.matches(of: #/ id="([^"]+)"/#).map { String($0.1) }
    #expect(!ids.isEmpty && Set(ids).count == ids.count, "\(ids)")
    let references = html.matches(of: #/url\(#([^)]+)\)/#).map { String($0.1) }
    #expect(references.count >= svgs.count - Self.count("curves-", in: svgs.joined()) && references.allSatisfy(Set(ids).contains))
    // The SVG files on disk keep their own, unprefixed ids.
    let plane = try String(contentsOf: dir.appendingPathComponent("plane-binning.svg"), encoding: .utf8)
    #expect(plane.hasPrefix("<?xml") && plane.contains("id=\"epoch-viridis\""))
  }

  @Test func aPlaneComesBeforeTheCollapsedMetadataAndEachEstimatorHasItsCaveat() throws {
    let (html, _, _) = try report()
    let firstFigure = try #require(html.range(of: "<svg "))
    let details = try #require(html.range(of: "<details>"))
    #expect(firstFigure.lowerBound < details.lowerBound)
    #expect(html.contains("<summary>") && html.contains("<th>recording</th>"))
    #expect(try #require(html.range(of: "<th>recording</th>")).lowerBound > details.lowerBound)
    #expect(html.contains("<a href=\"plane.csv\">plane.csv</a>"))
    // One caveat per estimator section, from the registry's table, in the registry's words.
    #expect(Self.count("<p class=\"caveat\">", in: html) == FigureTextLayoutTests.longParameters.count)
    for name in ["binning", "kde", "cs", "renyi"] {
      let caveat = try #require(EstimatorRegistry.caveats[name])
      #expect(html.contains(SVGDocument.escape(caveat)), "\(name)")
    }
    #expect(html.contains("not Shannon MI") && html.contains("depend on σ²") && html.contains("log₂ N"))
    // Rows with intervals: what they cover, from the registry too.
    #expect(html.contains(SVGDocument.escape(EstimatorRegistry.intervalCoverage(family: "kde"))))
  }

  @Test func everyPointHasATooltipWithItsSnapshotEpochValuesAndBars() throws {
    let (html, dir, _) = try report()
    let plane = try String(contentsOf: dir.appendingPathComponent("plane-kde.svg"), encoding: .utf8)
    let markers = plane.matches(of: #/<(circle|polygon) [^>]*>(<title>[^<]*</title>)?/#).filter { !$0.output.0.contains("#ffffff") && !$0.output.0.contains("class=") }
    // 5 layers × 12 snapshots, every one with a title (the legend's white markers have none).
    #expect(markers.count == 60 && markers.allSatisfy { $0.output.2 != nil })
    // hidden3 at t = 4/11: I(X;T) = 2 + 2t + 0.05, I(T;Y) = 0.2 + 0.7t + 0.05; KDE's lower bound 0.8·I(X;T).
    #expect(plane.contains("<title>hidden3, snapshot 5 of 12, epoch 8 (step 160)\nI(X;T) = 2.777 bits, I(T;Y) = 0.5045 bits\n"))
    #expect(plane.contains("estimator bounds: I(X;T) in [2.222, 2.777]\n95% interval: I(X;T) in [2.677, 2.877], I(T;Y) in [0.4845, 0.5245]</title>"))
    // The same titles reach the page, and the small multiples and curves have them as well.
    #expect(html.contains("hidden3, snapshot 5 of 12, epoch 8 (step 160)"))
    let compared = try String(contentsOf: dir.appendingPathComponent("planes-compared.svg"), encoding: .utf8)
    let curves = try String(contentsOf: dir.appendingPathComponent("curves-kde.svg"), encoding: .utf8)
    #expect(compared.contains("<title>output, snapshot 12 of 12, epoch 1000") && curves.contains("<title>output, snapshot 1 of 12, epoch 0"))
    // Several runs: the tooltip gives the band across runs.
    let (_, several, _) = try report(runs: 3)
    let mean = try String(contentsOf: several.appendingPathComponent("plane-cs.svg"), encoding: .utf8)
    #expect(mean.contains("mean of 3 runs; 5–95 %: I(X;T) in ["))
  }

  @Test func thePagesLoadNothingFromTheNetwork() throws {
    let (html, _, _) = try report(runs: 3)
    let external = try Regex(#"(?i)\b(src|href)\s*=\s*"\s*(https?:)?//"#)
    #expect(!html.contains(external))
    #expect(!html.lowercased().contains("<script") && !html.contains("@import") && !html.contains("<link"))
    #expect(html.contains("plane-summary.csv") && html.contains("compression.csv"))
    let study = try Generalisation.study(
      (1...3).map { k in
        Generalisation.Input(
          directory: "D\(k)", manifest: GeneralisationLayoutFixture.manifest(["seed": "\(k)"], .init(name: "binning", params: "bins=30")),
          rows: GeneralisationLayoutFixture.rows("seed-\(k)", .init(name: "binning", params: "bins=30"), gap: Double(k) / 10, cond: [Double(k), 1]))
      })
    let dir = PlaneFixtures.temporaryDirectory()
    try GeneralisationReport.write(study, to: dir)
    let g = try String(contentsOf: dir.appendingPathComponent("index.html"), encoding: .utf8)
    #expect(!g.contains(external) && !g.contains("<img") && g.contains("<svg ") && g.contains("<details>"))
    #expect(g.contains(SVGDocument.escape(try #require(EstimatorRegistry.caveats["binning"]))))
    #expect(g.range(of: "<svg ")!.lowerBound < g.range(of: "<h2>Runs</h2>")!.lowerBound)
    // The checker recognises what it must refuse.
    #expect("<img src=\"https://example.org/a.png\">".contains(external) && "<a href='//cdn'>".contains(external) == false)
  }

  @Test func everyRegisteredFamilyHasACaveat() {
    for f in EstimatorRegistry.families {
      let c = EstimatorRegistry.caveats[f.name] ?? ""
      #expect(c.count > 40 && !c.contains("  "), "\(f.name)")
    }
    #expect(Set(EstimatorRegistry.caveats.keys) == Set(EstimatorRegistry.families.map(\.name)))
    #expect(EstimatorRegistry.caveat(forSpecification: "KDE:sigma2=1") == EstimatorRegistry.caveats["kde"])
    #expect(EstimatorRegistry.caveat(forSpecification: "no-such-family") == nil)
  }
}
