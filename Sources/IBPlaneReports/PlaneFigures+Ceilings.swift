import Foundation
import IBPlaneAnalysis
import IBPlaneCore

extension Optional where Wrapped == [Double] {
  var orEmpty: [Double] { self ?? [] }
}

/// The largest values an information plane can show: I(X;T) ≤ H(X) = log N when the N inputs
/// are distinct (the plane's X is the sample's identity), and I(T;Y) ≤ H(Y).
///
/// Drawn as labelled dashed lines when the data come near them (above 75 % of the ceiling),
/// so a saturated estimator reads as "at the ceiling", not as a finding; left out otherwise, so
/// a lossy plane of 2 bits is not squeezed against a 12-bit line.
struct Ceilings {
  struct Line { var value: Double; var label: String }
  var x: Line?
  var y: Line?

  /// Ceilings of `rows` (one plane: one estimator): x from the rows' sample count N, y from
  /// `labelEntropy` (H(Y) in the rows' unit, `PlaneManifest.labelEntropy`; nil: none drawn).
  init(_ rows: [PlaneRow], drawnX: [Double], drawnY: [Double], labelEntropy: Double? = nil) {
    guard let first = rows.first else { return }
    let unit = first.unit
    let symbol = unit == .bits ? "log₂ N" : "ln N"
    if first.n > 1 {
      let v = unit.fromNats(log(Double(first.n)))
      if (drawnX.filter(\.isFinite).max() ?? 0) >= 0.75 * v {
        x = Line(value: v, label: "\(symbol) = \(String(format: "%.3g", v))")
      }
    }
    if let h = labelEntropy, h > 0, h.isFinite, (drawnY.filter(\.isFinite).max() ?? 0) >= 0.75 * h {
      y = Line(value: h, label: "H(Y) = \(String(format: "%.3g", h))")
    }
  }

  /// Whether most of a layer's snapshots sit within 1 % of log N: the estimator saturates
  /// (every sample its own bin or kernel), and its I(X;T) says nothing about compression.
  static func saturatedLayers(_ s: PlaneFigures.Series) -> [String] {
    s.layers.compactMap { l in
      guard let n = l.rows.first?.n, n > 1, let unit = l.rows.first?.unit else { return nil }
      let ceiling = unit.fromNats(log(Double(n)))
      let near = l.rows.filter { $0.inputInformation >= 0.99 * ceiling }.count
      return 2 * near > l.rows.count ? l.name : nil
    }
  }
}

extension PlaneFigures {
  /// The dashed ceiling lines of `c` inside `f`, each with its label.
  static func drawCeilings(
    _ svg: inout SVGDocument, _ c: Ceilings, _ f: Frame, px: (Double) -> Double, py: (Double) -> Double, size: Double
  ) {
    let dash = " stroke-dasharray=\"5 4\""
    if let x = c.x {
      let xx = px(x.value)
      svg.line(xx, f.y, xx, f.y + f.h, stroke: "#777", width: 1, extra: dash)
      // At the bottom: the top right of a plane is where fitted layers crowd.
      svg.text(x.label, x: xx - 4, y: f.y + f.h - 6, size: size * 0.85, anchor: .end, fill: "#555")
    }
    if let y = c.y {
      let yy = py(y.value)
      svg.line(f.x, yy, f.x + f.w, yy, stroke: "#777", width: 1, extra: dash)
      // Above the line, or below it when the line is the top of the panel (the label would
      // stand in the title or the parameters above).
      let above = yy - 4 - size * 0.85 >= f.y
      svg.text(y.label, x: f.x + 6, y: above ? yy - 4 : yy + 4 + size * 0.85, size: size * 0.85, fill: "#555")
    }
  }
}

extension PlaneFigures {
  /// `s` broken at spaces into lines that fit `width` at font `size` (`TextMetrics`: DejaVu
  /// Sans advance widths); a word longer than a line gets a line of its own.
  static func wrapped(_ s: String, width: Double, size: Double, bold: Bool = false) -> [String] {
    var lines: [String] = [], line = ""
    for word in s.split(separator: " ") {
      if line.isEmpty {
        line = String(word)
      } else if SVGDocument.textWidth(line + " " + word, size: size, bold: bold) <= width {
        line += " " + word
      } else {
        lines.append(line)
        line = String(word)
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }

  /// Draws `lines` from baseline `y` down, `step` apart; returns the baseline after the last.
  @discardableResult
  static func drawLines(
    _ svg: inout SVGDocument, _ lines: [String], x: Double, y: Double, step: Double, size: Double, weight: String = "normal",
    fill: String = "#222"
  ) -> Double {
    var yy = y
    for line in lines {
      svg.text(line, x: x, y: yy, size: size, weight: weight, fill: fill)
      yy += step
    }
    return yy
  }
}
