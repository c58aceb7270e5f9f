import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import Testing
import IBPlane
@testable import IBPlaneAnalysis
@testable import IBPlaneReports

/// Every text of every figure kind lies inside the figure and overlaps no other text, measured
/// with DejaVu Sans advance widths (`TextMetrics`; the fallbacks Helvetica and Arial are
/// narrower). Built from synthetic rows with long parameter strings, a saturated layer, an
/// alternating layer, bounds, intervals and three runs, so that every optional text appears.
@Suite struct FigureTextLayoutTests {
  /// One `<text>` element's box in figure pixels.
  struct TextBox: CustomStringConvertible {
    var text: String
    var x0, y0, x1, y1: Double
    var description: String { "\"\(text)\" [\(Int(x0)), \(Int(y0))]–[\(Int(x1)), \(Int(y1))]" }
    /// Whether the boxes come closer than `margin` px in both directions: lines closer than
    /// 2.5 px read as touching (the generalisation figure's subtitle once sat 2.4 px above the
    /// panel titles); diagonal neighbours such as the corner tick labels of a panel are 3 px apart.
    func overlaps(_ o: TextBox, margin: Double = 2.5) -> Bool {
      x0 < o.x1 + margin && o.x0 < x1 + margin && y0 < o.y1 + margin && o.y0 < y1 + margin
    }
  }

  /// Collects the figure's size and its texts' boxes: advance width from `TextMetrics`, from
  /// 0.75 em above the baseline (DejaVu Sans' cap height 0.73 em) to 0.24 em below (its
  /// descender), turned with the element's `rotate(-90 x y)`.
  final class TextCollector: NSObject, XMLParserDelegate {
    var width = 0.0, height = 0.0
    var boxes: [TextBox] = []
    private var current: [String: String]?
    private var content = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
      if name == "svg" {
        width = Double(attributes["width"] ?? "") ?? 0
        height = Double(attributes["height"] ?? "") ?? 0
      }
      if name == "text" {
        current = attributes
        content = ""
      }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if current != nil { content += string }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      guard name == "text", let a = current else { return }
      current = nil
      let x = Double(a["x"] ?? "") ?? .nan, y = Double(a["y"] ?? "") ?? .nan, size = Double(a["font-size"] ?? "") ?? .nan
      let w = TextMetrics.width(content, size: size, bold: a["font-weight"] == "bold")
      let start = switch a["text-anchor"] { case "middle": x - w / 2; case "end": x - w; default: x }
      let (up, down) = (0.75 * size, 0.24 * size)
      if let t = a["transform"] {
        // Only the y-axis titles are turned, by −90° about their anchor: (dx, dy) → (dy, −dx).
        #expect(t.hasPrefix("rotate(-90 "), "\(t)")
        boxes.append(TextBox(text: content, x0: x - up, y0: y - (start + w - x), x1: x + down, y1: y - (start - x)))
      } else {
        boxes.append(TextBox(text: content, x0: start, y0: y - up, x1: start + w, y1: y + down))
      }
    }

    static func collect(_ svg: String) throws -> TextCollector {
      let parser = XMLParser(data: Data(svg.utf8))
      let c = TextCollector()
      parser.delegate = c
      #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
      return c
    }
  }

  /// Problems of one figure: texts outside it, and pairs of overlapping texts.
  static func problems(_ svg: String) throws -> [String] {
    let c = try TextCollector.collect(svg)
    var out: [String] = []
    for b in c.boxes where b.x0 < 0 || b.y0 < 0 || b.x1 > c.width || b.y1 > c.height {
      out.append("outside \(Int(c.width))×\(Int(c.height)): \(b)")
    }
    for i in c.boxes.indices {
      for j in c.boxes.indices where j > i && c.boxes[i].overlaps(c.boxes[j]) {
        out.append("overlap: \(c.boxes[i]) and \(c.boxes[j])")
      }
    }
    return out
  }

  /// Comma-separated, as the `params` column writes them (no space to wrap at).
  static let longParameters = [
    ("binning", "bins=30,convention=auto,binsize=0.0666666667,clip=true,labels=discrete"),
    ("kde", "sigma2=0.1,bounds=pairwise-kl-and-bhattacharyya,subsample=none,labels=discrete,bootstrap=8,level=0.95,seed=2"),
    ("cs", "sigma_x=silverman,sigma_t=silverman,sigma_y=label-kernel,subsample=1000,tile=4096,rule=silverman-per-snapshot,alpha=2"),
    ("renyi:alpha=2", "alpha=2,sigma_x=median-on-1000-samples,sigma_t=median-on-1000-samples,engine=tiled,normalise=trace"),
  ]

  static func manifest(recording: String) -> PlaneManifest {
    var m = PlaneManifest(
      recording: recording, recordingFingerprint: "0", run: ["seed": "1"], sampleCount: 4096, layers: [], analysedLayers: [0, 1, 2, 3, 4],
      epochs: "all", estimators: longParameters.map { .init(name: $0.0, params: $0.1) }, unit: .bits, bootstrapResamples: 8,
      confidenceLevel: 0.95, seed: 2, shardIndex: 1, shardCount: 1, jobCount: 0, totalJobCount: 0,
      metricNames: ["train_accuracy", "test_accuracy", "loss"], ibplaneVersion: "test")
    m.labelEntropy = 1
    return m
  }

  /// 12 snapshots × 5 layers × 4 estimators of one run: hidden1 saturated at log₂ 4096 = 12
  /// bits, the output layer alternating between two levels, KDE with bounds, every row with an
  /// interval.
  static func rows(run: Int) -> [PlaneRow] {
    let epochs = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000]
    let names = ["hidden1-with-a-long-name", "hidden2", "hidden3", "hidden4", "output"]
    let settings = PlaneIntervalSettings(method: .halfSampleJackknife, level: 0.95, resamples: 8, seed: 2)
    var rows: [PlaneRow] = []
    for (e, (estimator, params)) in longParameters.enumerated() {
      for (k, epoch) in epochs.enumerated() {
        for (l, name) in names.enumerated() {
          let t = Double(k) / 11, shift = 0.05 * Double(run)
          let ixt = l == 0 ? 12 : l == 4 ? (k % 2 == 0 ? 0.26 : 0.6) : 2 + Double(l) * t + shift
          let ity = min(1, 0.2 + 0.7 * t + 0.02 * Double(l) + shift / 5)
          rows.append(
            PlaneRow(
              recording: "run\(run)", recordingFingerprint: String(repeating: "\(run)", count: 16), epoch: epoch, step: k * 40,
              layer: name, layerIndex: l, width: 10 + l, estimator: estimator, params: params, unit: .bits, inputInformation: ixt,
              labelInformation: ity, inputInformationLowerBound: e == 1 ? ixt * 0.8 : nil, inputInformationUpperBound: e == 1 ? ixt : nil,
              interval: PlaneInterval(settings: settings, input: (ixt - 0.1)...(ixt + 0.1), label: (ity - 0.02)...(ity + 0.02)),
              n: 4096, seconds: 0.1, metrics: ["train_accuracy": 0.5 + 0.4 * t, "test_accuracy": 0.5 + 0.35 * t, "loss": 0.7 - 0.5 * t]))
        }
      }
    }
    return rows
  }

  func check(_ svg: String, _ name: String) throws {
    let p = try Self.problems(svg)
    #expect(p.isEmpty, "\(name): \(p.joined(separator: "\n"))")
    // Well-formed attributes: a closing quote directly followed by the next attribute's name
    // (`stroke="none"fill-opacity=…`) is an XML error that browsers refuse to render but that
    // Foundation's parser on Linux lets through, so it is checked on the text.
    let glued = svg.firstMatch(of: /"[A-Za-z_:][-A-Za-z0-9_:.]*="/).map { String($0.output) }
    #expect(glued == nil, "\(name): attribute without a space before it: \(glued ?? "")")
  }

  @Test(arguments: [1, 3]) func everyPlaneFigureKeepsItsTextsInsideAndApart(runs: Int) throws {
    let rows = (1...runs).flatMap(Self.rows)
    let dir = PlaneFixtures.temporaryDirectory()
    let files = try PlaneReport.write(rows, manifest: Self.manifest(recording: runs == 1 ? "run1" : "run1, run2, run3"), to: dir)
    let svgs = files.filter { $0.hasSuffix(".svg") }
    #expect(svgs.count == 2 * Self.longParameters.count + 1)
    for f in svgs { try check(String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8), f) }
    // The optional texts this test exists for are there: saturation, alternation, bands, bars.
    let plane = try String(contentsOf: dir.appendingPathComponent("plane-binning.svg"), encoding: .utf8)
    #expect(plane.contains("Saturated: hidden1-with-a-long-name") && plane.contains("faint line: output alternates"))
    #expect(plane.contains("log₂ N = 12") && plane.contains("H(Y) = 1"))
    // One run: the rows' intervals; several: the mean rows and the bands.
    #expect(plane.contains("sampling noise only") == (runs == 1) && plane.contains("class=\"run-band\"") == (runs > 1))
    if runs > 1 {
      let compared = try String(contentsOf: dir.appendingPathComponent("planes-compared.svg"), encoding: .utf8)
      #expect(compared.contains("class=\"run-band\"") && compared.contains("mean of 3 runs"))
    }
  }

  @Test func theGeneralisationFigureKeepsItsTextsInsideAndApart() throws {
    let spec = PlaneManifest.EstimatorSpec(name: "cs", params: Self.longParameters[2].1)
    let inputs = (1...4).map { k in
      Generalisation.Input(
        directory: "D\(k)", manifest: GeneralisationLayoutFixture.manifest(["seed": "\(k)", "l2": k < 3 ? "0.0" : "0.001"], spec),
        rows: GeneralisationLayoutFixture.rows("seed-\(k)", spec, gap: Double(k) / 20, cond: [Double(k), 2, 5 - Double(k), 1]))
    }
    let study = try Generalisation.study(inputs)
    try check(GeneralisationReport.figure(study, estimator: spec), "generalisation-cs.svg")
  }

  /// The checker itself finds what it is for: a text past the edge and two texts on one spot.
  @Test func theCheckerFindsCutAndOverlappingTexts() throws {
    var svg = SVGDocument(width: 200, height: 100)
    svg.text("a label far too long for this figure", x: 20, y: 30, size: 12)
    svg.text("one", x: 20, y: 60, size: 12)
    svg.text("two", x: 26, y: 64, size: 12)
    let p = try Self.problems(svg.text)
    #expect(p.count == 2 && p[0].hasPrefix("outside") && p[1].hasPrefix("overlap") && p[1].contains("\"one\""), "\(p)")
    // Rotated text: an axis title centred at y = 50 on a 100 px-high figure, 120 px long.
    var turned = SVGDocument(width: 100, height: 100)
    turned.text(String(repeating: "m", count: 12), x: 20, y: 50, size: 10, anchor: .middle, rotate: -90)
    #expect(try Self.problems(turned.text).first?.hasPrefix("outside") == true)
    // DejaVu Sans' advance widths (hmtx / 2048): digits 1303, 'm' 1995, space 651.
    #expect(TextMetrics.width("0m ", size: 2048) == 1302.528 + 1994.752 + 651.264)
  }
}

/// Rows and manifests of a generalisation study for the layout test (four layers, one estimator).
enum GeneralisationLayoutFixture {
  static func manifest(_ run: [String: String], _ spec: PlaneManifest.EstimatorSpec) -> PlaneManifest {
    PlaneManifest(
      recording: "r", recordingFingerprint: "0", run: run, sampleCount: 100, layers: [], analysedLayers: [0, 1, 2, 3], epochs: "all",
      estimators: [spec], unit: .bits, bootstrapResamples: 0, confidenceLevel: 0.95, seed: 0, shardIndex: 1, shardCount: 1,
      jobCount: 0, totalJobCount: 0, metricNames: [], ibplaneVersion: "test")
  }

  static func rows(_ recording: String, _ spec: PlaneManifest.EstimatorSpec, gap: Double, cond: [Double]) -> [PlaneRow] {
    [0, 10].flatMap { epoch in
      cond.indices.map { layer in
        PlaneRow(
          recording: recording, epoch: epoch, step: epoch * 4, layer: "hidden\(layer + 1)", layerIndex: layer, width: 3,
          estimator: spec.name, params: spec.params, unit: .bits, inputInformation: cond[layer] + 1, labelInformation: 1, n: 100, seconds: 0,
          metrics: epoch == 10
            ? ["train_accuracy": 0.9, "test_accuracy": 0.9 - gap, "loss": 0.2, "test_loss": 0.2 + 2 * gap]
            : ["train_accuracy": 0.5, "test_accuracy": 0.5, "loss": 0.7, "test_loss": 0.7],
          conditionalInputInformation: cond[layer])
      }
    }
  }
}
