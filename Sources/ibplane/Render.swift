import ArgumentParser
import Foundation
import IBPlane

/// `ibplane render`: a report's SVG figures as PDF (vector, for LaTeX) or PNG, through
/// `rsvg-convert` (librsvg + cairo) run as a child process.
///
/// Why a subprocess and not a linked library: the conversion is librsvg's job, and running its
/// own command-line tool adds no build surface (no cairo/librsvg headers, no link flags, no
/// renderer in `CNative`), keeps `ibplane` working on machines without it (only `render`
/// needs it), and lets the user point at another build with `IBPLANE_RSVG_CONVERT`. The
/// alternatives — cairosvg (a Python runtime dependency) and headless Chromium (a browser, not a
/// figure converter; it prints pages, not figures at their own size) — are argued in
/// docs/rendering.md.
struct Render: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "render",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Convert a report's SVG figures to PDF (vector, fonts embedded) or PNG, through rsvg-convert.",
    discussion: """
      Converts every .svg in each report directory (written by `analyze`, `merge` or `generalisation`; subdirectories too with --recursive) — or each .svg file named — into FIGURE.pdf / FIGURE.png next to it, or into --out (mirroring subdirectories). Existing outputs are replaced; each is written under a temporary name and renamed when complete.

      The renderer is rsvg-convert (Debian package librsvg2-bin), found on PATH or at $IBPLANE_RSVG_CONVERT. PDFs are vector with the fonts (DejaVu Sans) embedded as subsets, one page per figure, the page the figure's size (1 SVG px = 0.75 pt) times --scale; their creation date is SOURCE_DATE_EPOCH (default 0), so the same SVG gives the same bytes. PNGs are the figure's pixel size times --scale (--dpi D means --scale D/96).

      Exit codes: 0 every figure written; 2 a missing directory, no SVG, rsvg-convert absent, or a figure it cannot render (named, with its message); 1 a converted file that cannot be put in place (permissions, full disk). The renderer choice, fonts and \\includegraphics: docs/rendering.md.

      Examples:
        ibplane render reports/ib12-tanh --format pdf
        ibplane render reports/ib12-tanh --format pdf,png --dpi 300 --out paper/figures
      """)

  @Argument(help: "Report directories (or single .svg files).")
  var paths: [String]

  @Option(help: "pdf, png, or both as pdf,png.")
  var format: String

  @Option(help: "Write the files into this directory (created if needed) instead of next to each SVG.")
  var out: String?

  @Option(help: "Size factor, \(Self.scaleRange.lowerBound)…\(Self.scaleRange.upperBound) (default 1): PNG pixels and PDF page size are the SVG's times this.")
  var scale: Double?

  @Option(help: "PNG pixels per inch, \(Self.dpiRange.lowerBound)…\(Int(Self.dpiRange.upperBound)), with the SVG at 96 px per inch (same as --scale dpi/96; PDFs keep scale 1).")
  var dpi: Double?

  @Flag(help: "Also convert the SVGs in subdirectories.")
  var recursive = false

  @Option(help: "Renderer processes run at once, 1…4096 (default: IBPLANE_THREADS or the number of cores).")
  var threads: Int?

  @Flag(help: "Print a JSON summary on stdout instead of one line per file.")
  var json = false

  /// Up to 8: a 1210 × 1010 figure is then ≈ 78 M pixels (≈ 310 MB of cairo surface per process).
  static let scaleRange = 0.1...8.0
  static let dpiRange = 9.6...768.0

  enum Format: String, CaseIterable {
    case pdf, png
  }

  /// One figure to convert.
  struct Job {
    var source: URL
    var output: URL
    var format: Format
    var scale: Double
  }

  func run() throws {
    try ThreadsOption.apply(threads)
    let formats = try Self.formats(format)
    let (pdfScale, pngScale) = try scales(formats)
    let outDirectory = try out.map { o -> URL in
      guard !o.isEmpty else { throw BadInput("--out is empty; give an output directory") }
      return URL(fileURLWithPath: o)
    }
    guard !paths.isEmpty else { throw BadInput("render needs at least one report directory") }
    var jobs: [Job] = []
    for path in paths {
      for figure in try RenderInput.figures(path, recursive: recursive) {
        for f in formats {
          let name = (figure.relativePath as NSString).deletingPathExtension + "." + f.rawValue
          let output = outDirectory.map { $0.appendingPathComponent(name) } ?? figure.source.deletingPathExtension().appendingPathExtension(f.rawValue)
          jobs.append(Job(source: figure.source, output: output.standardizedFileURL, format: f, scale: f == .pdf ? pdfScale : pngScale))
        }
      }
    }
    var seen: [String: URL] = [:]
    for job in jobs {
      if let other = seen.updateValue(job.source, forKey: job.output.path), other != job.source {
        throw BadInput("\(other.path) and \(job.source.path) would both be written to \(job.output.path); render them with different --out directories")
      }
    }
    let renderer = try RSVGConvert.locate(for: formats)
    let results = try renderer.render(jobs)
    if json {
      let files: [[String: Any]] = zip(jobs, results).map { job, r in
        var entry: [String: Any] = ["source": job.source.path, "output": job.output.path, "format": job.format.rawValue, "bytes": r.bytes, "scale": job.scale]
        if let size = r.pixels { entry["width_px"] = size.width; entry["height_px"] = size.height }
        return entry
      }
      print(try RenderJSON.render(["renderer": renderer.executable.path, "renderer_version": renderer.version, "files": files]))
    } else {
      for (job, r) in zip(jobs, results) {
        let size = r.pixels.map { ", \($0.width) × \($0.height) px" } ?? ""
        print("wrote \(job.output.path): \(r.bytes) bytes\(size)")
      }
    }
  }

  static func formats(_ text: String) throws -> [Format] {
    var formats: [Format] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let name = part.trimmingCharacters(in: .whitespaces).lowercased()
      guard let f = Format(rawValue: name) else {
        throw BadInput("--format: expected pdf, png or pdf,png, got '\(text)'")
      }
      if !formats.contains(f) { formats.append(f) }
    }
    return formats
  }

  /// The size factor of PDFs and of PNGs: --dpi sets only the PNG's (a PDF has no pixels).
  func scales(_ formats: [Format]) throws -> (pdf: Double, png: Double) {
    if scale != nil, dpi != nil { throw BadInput("give --scale or --dpi, not both (--dpi D is --scale D/96 for PNGs)") }
    if let scale {
      guard Self.scaleRange.contains(scale) else {
        throw BadInput("--scale must lie in \(Self.scaleRange.lowerBound)…\(Self.scaleRange.upperBound), got \(scale)")
      }
      return (scale, scale)
    }
    if let dpi {
      guard Self.dpiRange.contains(dpi) else {
        throw BadInput("--dpi must lie in \(Self.dpiRange.lowerBound)…\(Int(Self.dpiRange.upperBound)) (pixels per inch of a PNG), got \(dpi)")
      }
      guard formats.contains(.png) else {
        throw BadInput("--dpi sets a PNG's pixels per inch, and a PDF is vector; use --scale to change its page size")
      }
      return (1, dpi / 96)
    }
    return (1, 1)
  }
}

/// The SVG figures a path names.
enum RenderInput {
  struct Figure {
    var source: URL
    /// The output's path below --out: the file name, or the path below a recursive DIR.
    var relativePath: String
  }

  static func figures(_ path: String, recursive: Bool) throws -> [Figure] {
    guard !path.isEmpty else { throw BadInput("a report directory is an empty path") }
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw BadInput("\(path): no such directory") }
    let root = URL(fileURLWithPath: path).standardizedFileURL
    guard isDirectory.boolValue else {
      guard root.pathExtension.lowercased() == "svg" else {
        throw BadInput("\(path): is neither a report directory nor an .svg file")
      }
      return [Figure(source: root, relativePath: root.lastPathComponent)]
    }
    var relative: [String]
    do {
      relative = recursive ? try fm.subpathsOfDirectory(atPath: root.path) : try fm.contentsOfDirectory(atPath: root.path)
    } catch {
      throw BadInput("\(path): cannot be listed (\((error as NSError).localizedDescription))")
    }
    relative = relative.filter { name in
      name.lowercased().hasSuffix(".svg") && !name.split(separator: "/").contains { $0.hasPrefix(".") }
    }.sorted()
    let figures = relative.compactMap { name -> Figure? in
      var isDir: ObjCBool = false
      let source = root.appendingPathComponent(name)
      guard fm.fileExists(atPath: source.path, isDirectory: &isDir), !isDir.boolValue else { return nil }
      return Figure(source: source, relativePath: name)
    }
    guard !figures.isEmpty else {
      let hint = recursive ? "" : " (--recursive also looks in subdirectories)"
      throw BadInput("\(path): holds no .svg figure\(hint); give a directory written by `ibplane analyze --out`")
    }
    return figures
  }
}

/// JSON with the CLI's conventions (sorted keys, pretty, numbers as numbers) and paths as
/// written (`/` unescaped).
enum RenderJSON {
  static func render(_ object: [String: Any]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }
}
