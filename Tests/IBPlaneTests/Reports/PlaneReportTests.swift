import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing
import IBPlane
@testable import IBPlaneReports
import IBPlaneTestSupport

/// Counts elements (and `<path class="trajectory">` by layer) while checking well-formedness.
final class SVGInspector: NSObject, XMLParserDelegate {
  var elements: [String: Int] = [:]
  var trajectoryLayers: [String] = []
  var texts: [String] = []
  var root: (name: String, attributes: [String: String])?
  private var inText = false

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
    if root == nil { root = (name, attributes) }
    elements[name, default: 0] += 1
    if name == "path", attributes["class"] == "trajectory" { trajectoryLayers.append(attributes["data-layer"] ?? "?") }
    inText = name == "text"
    if inText { texts.append("") }
  }
  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if inText { texts[texts.count - 1] += string }
  }
  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { inText = false }

  static func inspect(_ url: URL) throws -> SVGInspector {
    let parser = XMLParser(data: try Data(contentsOf: url))
    let inspector = SVGInspector()
    parser.delegate = inspector
    guard parser.parse() else {
      throw CSVError(file: url.path, line: parser.lineNumber, field: "xml", message: "\(parser.parserError.map { "\($0)" } ?? "parse error")")
    }
    return inspector
  }
}

@Suite struct PlaneReportTests {
  func analysed(bootstrap: Int) throws -> (PlaneAnalysis.Summary, PlaneManifest, URL) {
    let source = try PlaneFixtures.source(snapshots: 7)
    var options = PlaneAnalysisOptions()
    options.bootstrapResamples = bootstrap
    let dir = PlaneFixtures.temporaryDirectory()
    let a = try PlaneAnalysis(
      source: source, estimators: [try GaussianPlaneEstimator(), try GaussianPlaneEstimator(noiseVariance: 1)], options: options)
    let summary = try a.run(directory: dir, resume: false)
    return (summary, a.manifest, dir)
  }

  /// A diverged run records NaN or ±∞ metrics (the recording keeps them, the CSV prints them);
  /// the figures must leave a gap there, not trap (`Int(∞)`) or write "nan" coordinates.
  @Test func nonFiniteMetricsLeaveAGapInTheCurves() throws {
    let (summary, manifest, dir) = try analysed(bootstrap: 0)
    var rows = summary.rows
    for i in rows.indices where rows[i].step >= 20 {
      rows[i].metrics["test_accuracy"] = rows[i].step == 20 ? .infinity : .nan
      rows[i].metrics["loss"] = -.infinity
    }
    let files = try PlaneReport.write(rows, manifest: manifest, to: dir)
    for file in files where file.hasSuffix(".svg") {
      let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
      #expect(!text.contains(try Regex(#"(?i)\b(nan|inf|infinity)\b"#)), "\(file)")
      _ = try SVGInspector.inspect(dir.appendingPathComponent(file))
    }
    #expect(SVGDocument.number(.infinity) == "0" && SVGDocument.number(.nan) == "0")
    #expect(SVGDocument.number(1e300) == String(format: "%.2f", 1e300))
  }

  @Test func svgsAreWellFormedWithOnePathPerLayer() throws {
    let (summary, manifest, dir) = try analysed(bootstrap: 10)
    let files = try PlaneReport.write(summary.rows, manifest: manifest, to: dir)
    #expect(files.sorted() == ["curves-gaussian-sigma2-1.svg", "curves-gaussian.svg", "index.html", "plane-gaussian-sigma2-1.svg", "plane-gaussian.svg", "planes-compared.svg"])
    let plane = try SVGInspector.inspect(dir.appendingPathComponent("plane-gaussian.svg"))
    #expect(plane.root?.name == "svg")
    #expect(plane.root?.attributes["version"] == "1.1")
    #expect(plane.root?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
    #expect(plane.trajectoryLayers == ["h1", "h2"])
    #expect(plane.elements["path"] == 2)
    // 7 snapshots × 2 layers markers (+ 2 legend markers); error bars: 2 per point.
    #expect(plane.elements["line", default: 0] >= 28)
    #expect(plane.texts.contains("I(X;T)  [bits]") && plane.texts.contains("I(T;Y)  [bits]"))
    #expect(plane.texts.contains("epoch (log scale)"))
    #expect(plane.texts.contains { $0.contains("fixture") && $0.contains("gaussian") })
    #expect(plane.elements["linearGradient"] == 1)

    let compared = try SVGInspector.inspect(dir.appendingPathComponent("planes-compared.svg"))
    #expect(compared.trajectoryLayers == ["h1", "h2", "h1", "h2"])
    let curves = try SVGInspector.inspect(dir.appendingPathComponent("curves-gaussian.svg"))
    #expect(curves.elements["path", default: 0] == 0)
    #expect(curves.texts.contains("accuracy") && curves.texts.contains("test_accuracy"))
    let html = String(decoding: try Data(contentsOf: dir.appendingPathComponent("index.html")), as: UTF8.self)
    for f in files where f.hasSuffix(".svg") { #expect(html.contains("<a href=\"\(f)\">")) }
    #expect(html.contains("activation") && html.contains("tanh"))
  }

  /// Titles name the estimator in full and the parameters get a line of their own, so a long
  /// parameter list (cs, renyi) never cuts the estimator's name.
  @Test func titlesKeepTheEstimatorNameAndParameters() throws {
    let (summary, manifest, dir) = try analysed(bootstrap: 0)
    try PlaneReport.write(summary.rows, manifest: manifest, to: dir)
    // Distinct parameterisations have distinct labels, and the files are named after them.
    let plane = try SVGInspector.inspect(dir.appendingPathComponent("plane-gaussian-sigma2-1.svg"))
    #expect(plane.texts.contains("Information plane — fixture — gaussian:sigma2=1"))
    #expect(plane.texts.contains("sigma2=1"))
    let curves = try SVGInspector.inspect(dir.appendingPathComponent("curves-gaussian-sigma2-1.svg"))
    #expect(curves.texts.contains("Information versus epoch — fixture — gaussian:sigma2=1"))
    #expect(curves.texts.contains { $0.hasPrefix("sigma2=1; epoch on a log scale") })
    // Plane axes start at 0 even when every value is far from it (saturated binning on MNIST).
    #expect(PlaneFigures.informationScale([13.2877, 13.2878, 13.2879]).ticks.first == 0)
    #expect(PlaneFigures.informationScale([-0.2, 0.5]).ticks.first! <= -0.2)
    let compared = try SVGInspector.inspect(dir.appendingPathComponent("planes-compared.svg"))
    #expect(compared.texts.contains("gaussian") && compared.texts.contains("gaussian:sigma2=1"))
    #expect(compared.texts.contains("sigma2=0.1") && compared.texts.contains("sigma2=1"))
  }

  /// Long runs (274 snapshots) keep every point on the trajectory but mark at most 60 per layer,
  /// evenly in snapshot order, first and last included.
  @Test func markersAreThinnedOnLongRuns() {
    #expect(PlaneFigures.markedIndices(36) == Array(0..<36))
    let m = PlaneFigures.markedIndices(274)
    #expect(m.count <= 61 && m.first == 0 && m.last == 273)
    #expect(zip(m, m.dropFirst()).allSatisfy { $1 - $0 >= 1 && $1 - $0 <= 5 })
    #expect(PlaneFigures.markedIndices(0).isEmpty && PlaneFigures.markedIndices(1) == [0])
    #expect(PlaneFigures.markedIndices(274, maximum: 30).count <= 31)
  }

  /// Colour-bar tick labels keep a full line of clearance: on a 0…4,000 log-epoch bar the
  /// "1" tick (16 px above "0" on a 190 px bar) is drawn without a label instead of touching "0".
  @Test func colourBarLabelsDoNotTouch() {
    var svg = SVGDocument(width: 200, height: 300)
    let scale = PlotScale.epochs([0, 1, 40, 4000])
    #expect(scale.kind == .logEpoch && scale.tickLabels == ["0", "1", "10", "100", "1000"])
    PlaneFigures.drawColourBar(&svg, scale, x: 10, y: 20, height: 190, size: 12)
    let labels = scale.tickLabels.filter { svg.text.contains(">\($0)</text>") }
    #expect(labels == ["0", "10", "100", "1000"])
  }

  /// An independent XML parser (Python's xml.etree) must accept every SVG too.
  @Test func pythonXMLParserAcceptsTheSVGs() throws {
    let (summary, manifest, dir) = try analysed(bootstrap: 0)
    let files = try PlaneReport.write(summary.rows, manifest: manifest, to: dir).filter { $0.hasSuffix(".svg") }
    let script = """
      import sys, xml.etree.ElementTree as ET
      ns = "{http://www.w3.org/2000/svg}"
      print(" ".join(str(len([p for p in ET.parse(f).getroot().iter(ns + "path") if p.get("class") == "trajectory"])) for f in sys.argv[1:]))
      """
    if Oracles.isAvailable(.python3) {
      let out = try Oracles.run(script, arguments: files.map { dir.appendingPathComponent($0).path })
      let expected = files.map { $0.hasPrefix("curves") ? "0" : $0.hasPrefix("planes") ? "4" : "2" }.joined(separator: " ")
      #expect(out == expected)
    }
  }

  @Test func niceTicksAndEscaping() {
    let s = PlotScale.linear([0.13, 2.71])
    #expect(s.ticks == [0, 0.5, 1, 1.5, 2, 2.5, 3])
    #expect(s.tickLabels.first == "0.0" && s.tickLabels.last == "3.0")
    // Tight (information axes): ends near the data, ticks only inside; 0 stays the start.
    let bits = PlotScale.linear([0, 3.7, 12], tight: true)
    #expect(bits.lower == 0 && abs(bits.upper - 12.48) < 1e-9)
    #expect(bits.ticks == [0, 2, 4, 6, 8, 10, 12])
    let shifted = PlotScale.linear([0.4, 0.9], tight: true)
    #expect(abs(shifted.lower - 0.38) < 1e-9 && abs(shifted.upper - 0.92) < 1e-9)
    #expect(shifted.ticks.allSatisfy { $0 >= shifted.lower && $0 <= shifted.upper } && shifted.ticks.count >= 4)
    let e = PlotScale.epochs([0, 3, 40, 8000])
    #expect(e.kind == .logEpoch && e.tickLabels == ["0", "1", "10", "100", "1000"])
    #expect(abs(e.fraction(8000) - 1) < 1e-12 && e.fraction(0) == 0)
    #expect(SVGDocument.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    // Control characters are not allowed in XML 1.0, even escaped.
    #expect(SVGDocument.escape("a\u{1}b\tc\u{1B}") == "a\u{FFFD}b\tc\u{FFFD}")
    #expect(ColourMap.viridis(0) == "#440154" && ColourMap.viridis(1) == "#fde725")
  }

  /// Names become file names only through `fileNameComponent`: never a `/`, even inside a
  /// grapheme that starts with a letter (U+0D4E is a prepended letter: "\u{0D4E}/" is one
  /// `Character` whose `isLetter` is true).
  @Test func fileNamesNeverHoldASeparator() {
    for name in ["../../x", "\u{0D4E}/..", "a\u{0}b", "/", "..", "x/\u{301}y"] {
      let stem = PlaneReport.fileStem(name)
      #expect(!stem.contains("/") && !stem.contains("\u{0}") && stem != ".." && !stem.isEmpty, "\(name.debugDescription) → \(stem.debugDescription)")
    }
    #expect(PlaneReport.fileStem("adaptive-kde") == "adaptive-kde")
    #expect(PlaneReport.fileNameComponent("../run 1", keeping: ".") == ".._run_1")
    #expect(PlaneReport.fileStem(String(repeating: "é", count: 300)).utf8.count <= 200)
  }
}
