import Foundation

/// The pieces every report's index.html shares: one style sheet, and figures inlined as
/// `<svg>` rather than `<img>` so that their per-point `<title>` tooltips work. The page loads
/// nothing from the network (no fonts, scripts or style sheets), so it reads offline and from a
/// copied directory; the SVG files stay next to it as the figures users take away.
enum ReportPage {
  static let style = """
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1120px; color: #222; padding: 0 12px; }
    table { border-collapse: collapse; margin-bottom: 24px; }
    td, th { border-bottom: 1px solid #ddd; padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
    th { font-weight: 600; white-space: nowrap; }
    p.warning { background: #fff3cd; border-left: 4px solid #c77c02; padding: 6px 10px; }
    p.caveat { background: #eef4fa; border-left: 4px solid #0072b2; padding: 6px 10px; }
    figure { margin: 8px 0 24px; }
    figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
    figcaption, p.files { font-size: 90%; color: #555; }
    details { margin: 8px 0 24px; }
    summary { cursor: pointer; font-weight: 600; }
    """

  /// The page up to and including `<body>` and its `<h1>`.
  static func head(title: String) -> String {
    let t = SVGDocument.escape(title)
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(t)</title>
      <style>
      \(style)
      </style>
      </head>
      <body>
      <h1>\(t)</h1>

      """
  }

  /// `svg` (a document from `SVGDocument.text`) as an inline `<figure>`: the XML declaration
  /// dropped, every `id` and `url(#…)` reference prefixed with `prefix` (several figures on one
  /// page each define `epoch-viridis`; ids must be unique in a page), a label for screen readers,
  /// and a link to the figure's file. Text content cannot hold `="` (it is escaped), so only
  /// attribute values are rewritten.
  static func figure(_ svg: String, prefix: String, label: String, file: String) -> String {
    var body = svg
    if body.hasPrefix("<?xml"), let end = body.firstIndex(of: "\n") { body = String(body[body.index(after: end)...]) }
    body = body.replacingOccurrences(of: " id=\"", with: " id=\"\(prefix)-")
      .replacingOccurrences(of: "=\"url(#", with: "=\"url(#\(prefix)-")
    if let open = body.range(of: "<svg ") {
      body.replaceSubrange(open, with: "<svg role=\"img\" aria-label=\"\(SVGDocument.escape(label))\" ")
    }
    let f = SVGDocument.escape(file)
    return "<figure>\n\(body)<figcaption>\(SVGDocument.escape(label)) — <a href=\"\(f)\">\(f)</a></figcaption>\n</figure>\n"
  }

  /// An id-safe form of `s` for `figure`'s prefix.
  static func idPrefix(_ s: String) -> String {
    "f-" + PlaneReport.fileNameComponent(s, replacement: "-")
  }
}
