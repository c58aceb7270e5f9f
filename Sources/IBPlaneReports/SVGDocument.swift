import Foundation

/// A minimal SVG 1.1 writer: shapes and text appended in paint order, every attribute
/// value and text escaped, numbers rounded to 0.01 px. Produces a standalone document
/// (`<?xml …?>`, the SVG namespace, `version="1.1"`) that any XML parser accepts.
struct SVGDocument {
  let width: Double
  let height: Double
  private var definitions: [String] = []
  private var body: [String] = []

  init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      // XML 1.0 has no control characters but tab and line ends, not even escaped: a name
      // holding one would make the whole document unreadable.
      case _ where c.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r" }:
        out += "\u{FFFD}"
      default: out.append(c)
      }
    }
    return out
  }

  static func number(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    // Int(r) traps outside ±2⁶³ and on NaN/∞; such a coordinate is a bug upstream, but a
    // report must never take the process down: it is written as 0.
    guard r.isFinite else { return "0" }
    if r == r.rounded(), abs(r) < 1e15 { return String(Int(r)) }
    return String(format: "%.2f", r)
  }

  private static func attributes(_ a: KeyValuePairs<String, String>) -> String {
    a.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
  }

  mutating func raw(_ element: String) { body.append(element) }

  mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000", width: Double = 1, extra: String = "") {
    body.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(extra)/>")
  }

  mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "none", extra: String = "") {
    body.append("<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(w))\" height=\"\(Self.number(h))\" fill=\"\(fill)\" stroke=\"\(stroke)\"\(extra)/>")
  }

  enum Anchor: String { case start, middle, end }

  mutating func text(
    _ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, weight: String = "normal",
    rotate: Double? = nil, fill: String = "#222"
  ) {
    let transform = rotate.map { " transform=\"rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))\"" } ?? ""
    body.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" text-anchor=\"\(anchor.rawValue)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(transform)>\(Self.escape(s))</text>")
  }

  /// A polyline through `points` as a `<path>`; `attributes` adds e.g. `class` and `data-layer`.
  mutating func path(_ points: [(Double, Double)], stroke: String, width: Double, opacity: Double = 1, attributes: KeyValuePairs<String, String> = [:]) {
    guard let first = points.first else { return }
    var d = "M\(Self.number(first.0)),\(Self.number(first.1))"
    for p in points.dropFirst() { d += " L\(Self.number(p.0)),\(Self.number(p.1))" }
    body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\" stroke-opacity=\"\(Self.number(opacity))\" stroke-linejoin=\"round\"\(Self.attributes(attributes))/>")
  }

  /// A polyline that is not a data trajectory (curves, guides).
  mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String? = nil, attributes: KeyValuePairs<String, String> = [:]) {
    let p = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
    let dashing = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    body.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\" stroke-linejoin=\"round\"\(dashing)\(Self.attributes(attributes))/>")
  }

  /// A data marker of one of several shapes (by `shape` index), centred on (x, y).
  mutating func marker(
    shape: Int, x: Double, y: Double, size r: Double, fill: String, stroke: String = "#222", strokeWidth: Double = 0.6, opacity: Double = 1,
    tooltip: String? = nil
  ) {
    let title = tooltip.map { "<title>\(Self.escape($0))</title>" } ?? ""
    let look = "fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(strokeWidth))\"" + (opacity < 1 ? " fill-opacity=\"\(Self.number(opacity))\"" : "")
    func poly(_ pts: [(Double, Double)]) -> String {
      "<polygon points=\"\(pts.map { "\(Self.number(x + $0.0 * r)),\(Self.number(y + $0.1 * r))" }.joined(separator: " "))\" \(look)>\(title)</polygon>"
    }
    switch shape % 6 {
    case 0:
      body.append("<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(r))\" \(look)>\(title)</circle>")
    case 1: body.append(poly([(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)]))
    case 2: body.append(poly([(0, -1.2), (1.1, 0.8), (-1.1, 0.8)]))
    case 3: body.append(poly([(0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)]))
    case 4: body.append(poly([(0, 1.2), (1.1, -0.8), (-1.1, -0.8)]))
    // A plus (not an octagon, which at marker size read as a sixth circle).
    default:
      let a = 0.38, b = 1.2
      body.append(poly([(-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a), (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a)]))
    }
  }

  /// A vertical linear gradient (bottom = first colour) usable as `fill="url(#id)"`.
  mutating func verticalGradient(id: String, colours: [String]) {
    var s = "<linearGradient id=\"\(id)\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">"
    for (k, c) in colours.enumerated() {
      s += "<stop offset=\"\(Self.number(Double(k) / Double(max(colours.count - 1, 1))))\" stop-color=\"\(c)\"/>"
    }
    definitions.append(s + "</linearGradient>")
  }

  var text: String {
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
    s += "<rect x=\"0\" y=\"0\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"#ffffff\"/>\n"
    if !definitions.isEmpty { s += "<defs>\n" + definitions.joined(separator: "\n") + "\n</defs>\n" }
    s += body.joined(separator: "\n")
    return s + "\n</svg>\n"
  }

  /// Rendered width of `s` at `size` px in DejaVu Sans (`TextMetrics`), used to keep labels
  /// from overlapping and texts inside the figure.
  static func textWidth(_ s: String, size: Double, bold: Bool = false) -> Double { TextMetrics.width(s, size: size, bold: bold) }
}
