import Foundation
import IBPlaneTestSupport
import Testing

/// `ibplane render`: a real report (train 3 epochs, analyze with binning) converted to PDF and
/// PNG by rsvg-convert, and every refusal.
///
/// The tests that convert need rsvg-convert (`make deps` installs librsvg2-bin). Like the
/// oracles (Tests/Support/Oracles.swift) they are skipped, with a note, on a machine without
/// it, and run anyway — failing on the first `#require` with the install hint — when
/// `IBPLANE_REQUIRE_ORACLES=1` (as `make test` sets), so CI cannot pass without converting.
@Suite("ibplane render")
struct RenderCLITests {
  static let installHint = "rsvg-convert is not on PATH: `make deps` installs it (Debian package librsvg2-bin)"

  /// rsvg-convert on the test process's PATH.
  static let renderer: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("rsvg-convert") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// The report every converting test reads (built once; tests write their outputs elsewhere).
  static let report: Result<URL, Error> = Result {
    let dir = try CLI.scratch()
    let recording = dir.appendingPathComponent("run.bin").path
    let train = try CLI.run([
      "train", "--data-dir", Repository.notebooksData.path, "--arch", "3", "--epochs", "3", "--log-every", "1", "--quiet",
      "--record", recording,
    ])
    guard train.status == 0 else { throw ReportFailure(description: "train failed: \(train.stderr)") }
    let out = dir.appendingPathComponent("report")
    let analyze = try ibplane(["analyze", recording, "--estimator", "binning", "--out", out.path, "--quiet"])
    guard analyze.status == 0 else { throw ReportFailure(description: "analyze failed: \(analyze.stderr)") }
    return out
  }

  struct ReportFailure: Error, CustomStringConvertible { var description: String }

  static func ibplane(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CLI.Result {
    var environment = ProcessInfo.processInfo.environment
    environment["IBPLANE_THREADS"] = "2"
    environment.merge(extra) { $1 }
    return try runProcess(try CLI.binary, arguments, environment: environment)
  }

  /// The report's SVGs, sorted by name.
  func figures(_ report: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: report.path).filter { $0.hasSuffix(".svg") }.sorted()
  }

  /// The root element's width and height (our SVGs give them in px).
  func svgSize(_ url: URL) throws -> (width: Double, height: Double) {
    let text = String(decoding: try Data(contentsOf: url).prefix(2000), as: UTF8.self)
    let root = try #require(text.range(of: "<svg[^>]*>", options: .regularExpression).map { String(text[$0]) })
    func attribute(_ name: String) throws -> Double {
      let match = try #require(root.range(of: " \(name)=\"[0-9.]+\"", options: .regularExpression))
      return try #require(Double(root[match].split(separator: "\"")[1]))
    }
    return (try attribute("width"), try attribute("height"))
  }

  /// Width and height from the IHDR chunk (bytes 16…23, big-endian).
  func pngSize(_ data: Data) -> (width: Int, height: Int) {
    let b = [UInt8](data.prefix(24))
    let word = { (at: Int) in b[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
  }

  /// `/Type /Page` objects (not `/Pages`): cairo writes the page dictionaries uncompressed.
  func pdfPages(_ data: Data) -> Int {
    let text = String(decoding: data, as: Unicode.ASCII.self)
    return text.components(separatedBy: "/Type /Page").dropFirst().filter { !$0.hasPrefix("s") }.count
  }

  static let converts = ConditionTrait.enabled(if: renderer != nil || Oracles.required, Comment(rawValue: installHint))

  @Test(converts) func pdfAndPNGOfEveryFigure() throws {
    try #require(Self.renderer != nil, Comment(rawValue: Self.installHint))
    let report = try Self.report.get()
    let out = try CLI.scratch()
    let r = try Self.ibplane(["render", report.path, "--format", "pdf,png", "--scale", "1.5", "--out", out.path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.isEmpty)
    let names = try figures(report)
    #expect(names == ["curves-binning.svg", "plane-binning.svg", "planes-compared.svg"])
    #expect(r.stdout.split(separator: "\n").count == 2 * names.count)
    for name in names {
      let stem = (name as NSString).deletingPathExtension
      let pdf = try Data(contentsOf: out.appendingPathComponent(stem + ".pdf"))
      #expect(pdf.starts(with: Array("%PDF-".utf8)), "\(stem).pdf")
      #expect(pdfPages(pdf) == 1, "\(stem).pdf")
      // Text is drawn with an embedded font, not as images.
      let ascii = String(decoding: pdf, as: Unicode.ASCII.self)
      #expect(ascii.contains("/FontFile"), "\(stem).pdf embeds no font")
      #expect(!ascii.contains("/Subtype /Image"), "\(stem).pdf holds a raster image")
      let png = try Data(contentsOf: out.appendingPathComponent(stem + ".png"))
      #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(stem).png")
      let svg = try svgSize(report.appendingPathComponent(name))
      let size = pngSize(png)
      #expect(size.width == Int((svg.width * 1.5).rounded(.up)) && size.height == Int((svg.height * 1.5).rounded(.up)), "\(stem).png: \(size), SVG \(svg)")
      #expect(!FileManager.default.fileExists(atPath: report.appendingPathComponent(stem + ".pdf").path), "--out writes nothing next to the SVG")
    }
  }

  @Test(converts) func sameSVGGivesTheSameBytesAndDPIIsAScale() throws {
    try #require(Self.renderer != nil, Comment(rawValue: Self.installHint))
    let report = try Self.report.get()
    let (a, b) = (try CLI.scratch(), try CLI.scratch())
    // Two renders a second apart: a creation date from the clock would differ.
    #expect(try Self.ibplane(["render", report.path, "--format", "pdf,png", "--out", a.path]).status == 0)
    Thread.sleep(forTimeInterval: 1.1)
    let again = try Self.ibplane(["render", report.path, "--format", "pdf,png", "--out", b.path, "--threads", "1"])
    #expect(again.status == 0, "\(again.stderr)")
    for name in try FileManager.default.contentsOfDirectory(atPath: a.path).sorted() {
      #expect(try Data(contentsOf: a.appendingPathComponent(name)) == Data(contentsOf: b.appendingPathComponent(name)), "\(name)")
    }
    let dpi = try Self.ibplane(["render", report.appendingPathComponent("plane-binning.svg").path, "--format", "png", "--dpi", "192", "--out", b.path, "--json"])
    #expect(dpi.status == 0, "\(dpi.stderr)")
    #expect(!dpi.stdout.contains("\\/"), "paths are written unescaped")
    let json = try CLI.json(dpi.stdout)
    let files = try #require(json["files"] as? [[String: Any]])
    #expect(files.count == 1)
    #expect(files.first?["scale"] as? Double == 2)
    #expect(files.first?["format"] as? String == "png")
    #expect(files.first?["output"] as? String == b.appendingPathComponent("plane-binning.png").path)
    let svg = try svgSize(report.appendingPathComponent("plane-binning.svg"))
    #expect(files.first?["width_px"] as? Int == Int((svg.width * 2).rounded(.up)))
    #expect(files.first?["height_px"] as? Int == Int((svg.height * 2).rounded(.up)))
    #expect(pngSize(try Data(contentsOf: b.appendingPathComponent("plane-binning.png"))).width == Int((svg.width * 2).rounded(.up)))
    #expect((json["renderer_version"] as? String)?.isEmpty == false)
  }

  @Test(converts) func aCorruptSVGIsNamedWithTheRenderersMessage() throws {
    try #require(Self.renderer != nil, Comment(rawValue: Self.installHint))
    let dir = try CLI.scratch()
    let good = try Self.report.get().appendingPathComponent("plane-binning.svg")
    try FileManager.default.copyItem(at: good, to: dir.appendingPathComponent("a-good.svg"))
    let broken = dir.appendingPathComponent("broken.svg")
    try Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect".utf8).write(to: broken)
    let r = try Self.ibplane(["render", dir.path, "--format", "pdf"])
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("error: rsvg-convert could not render \(broken.path) (exit status "), "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
    // The good figure is converted; nothing half-written is left behind.
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(left == ["a-good.pdf", "a-good.svg", "broken.svg"])
  }

  @Test func anAbsentRendererIsAClearError() throws {
    let dir = try CLI.scratch()
    try Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>".utf8).write(to: dir.appendingPathComponent("f.svg"))
    let empty = try CLI.scratch()
    let onPath = try Self.ibplane(["render", dir.path, "--format", "pdf"], environment: ["PATH": empty.path, "IBPLANE_RSVG_CONVERT": ""])
    #expect(onPath.status == 2)
    #expect(onPath.stderr == "error: rendering to pdf needs rsvg-convert (Debian package librsvg2-bin): sudo apt-get install librsvg2-bin\n")
    let chosen = try Self.ibplane(["render", dir.path, "--format", "png"], environment: ["IBPLANE_RSVG_CONVERT": "/nonexistent/rsvg-convert"])
    #expect(chosen.status == 2)
    #expect(chosen.stderr.hasPrefix("error: rendering to png needs rsvg-convert (Debian package librsvg2-bin): IBPLANE_RSVG_CONVERT=/nonexistent/rsvg-convert is not an executable"), "\(chosen.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.svg"])
  }

  @Test func badPathsAndSizesAreRefused() throws {
    let empty = try CLI.scratch()
    let cases: [([String], String)] = [
      (["render", empty.path, "--format", "pdf"], "error: \(empty.path): holds no .svg figure"),
      (["render", empty.appendingPathComponent("missing").path, "--format", "pdf"], "error: \(empty.appendingPathComponent("missing").path): no such directory"),
      (["render", empty.path, "--format", "jpg"], "error: --format: expected pdf, png or pdf,png, got 'jpg'"),
      (["render", empty.path, "--format", "png", "--scale", "0"], "error: --scale must lie in 0.1…8.0, got 0.0"),
      (["render", empty.path, "--format", "png", "--scale", "1e6"], "error: --scale must lie in 0.1…8.0"),
      (["render", empty.path, "--format", "png", "--dpi", "100000"], "error: --dpi must lie in"),
      (["render", empty.path, "--format", "pdf", "--dpi", "300"], "error: --dpi sets a PNG's pixels per inch"),
      (["render", empty.path, "--format", "png", "--dpi", "300", "--scale", "2"], "error: give --scale or --dpi, not both"),
    ]
    for (arguments, expected) in cases {
      let r = try Self.ibplane(arguments)
      #expect(r.status == 2, "\(arguments)")
      #expect(r.stderr.hasPrefix(expected), "\(arguments): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
    }
  }
}
