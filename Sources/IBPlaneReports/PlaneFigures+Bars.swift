import Foundation
import IBPlaneAnalysis
import IBPlaneCore

/// The bars of the plane figures. Two different things, each drawn from its own columns and
/// told apart by style: the estimator's own bounds (`i_*_lower`/`_upper`, e.g. KDE's lower
/// and upper bound) as a wide pale band, and a resampling interval (`i_*_ci_lo`/`_hi`) as a
/// thin dark bar with end caps, drawn on top. A KDE row with a bootstrap shows both.
/// Each element carries `class="bound"`, `"interval"` or `"interval-cap"`.
extension PlaneFigures {
  /// What the bars of `rows` are: whether any row has bounds, and the interval settings of the
  /// first row with an interval (one analysis has one setting; resume and merge check it).
  struct Bars: Equatable {
    var bounds: Bool
    var interval: PlaneIntervalSettings?
    var isEmpty: Bool { !bounds && interval == nil }

    init(_ rows: [PlaneRow]) {
      bounds = rows.contains(where: \.hasBounds)
      interval = rows.first { $0.interval != nil }?.interval?.settings
    }
  }

  /// Every I(X;T) and every I(T;Y) value a row draws (point, bounds, interval), for the axes.
  package static func drawnValues(_ r: PlaneRow) -> (x: [Double], y: [Double]) {
    let ci = r.interval
    return (
      [r.inputInformation, r.inputInformationLowerBound, r.inputInformationUpperBound, ci?.input.lowerBound, ci?.input.upperBound]
        .compactMap { $0 },
      [r.labelInformation, r.labelInformationLowerBound, r.labelInformationUpperBound, ci?.label.lowerBound, ci?.label.upperBound]
        .compactMap { $0 })
  }

  static let boundExtra = " stroke-opacity=\"0.45\" stroke-linecap=\"butt\" class=\"bound\""

  /// A bound band from `a` to `b` (pixels).
  static func drawBound(_ svg: inout SVGDocument, _ a: (Double, Double), _ b: (Double, Double)) {
    svg.line(a.0, a.1, b.0, b.1, stroke: "#8a8a8a", width: 3.4, extra: boundExtra)
  }

  /// An interval bar from `a` to `b` (pixels) with caps of half-length `cap` across it.
  static func drawInterval(_ svg: inout SVGDocument, _ a: (Double, Double), _ b: (Double, Double), cap: Double = 2.6) {
    svg.line(a.0, a.1, b.0, b.1, stroke: "#222222", width: 0.8, extra: " class=\"interval\"")
    let horizontal = a.1 == b.1
    for p in [a, b] {
      if horizontal {
        svg.line(p.0, p.1 - cap, p.0, p.1 + cap, stroke: "#222222", width: 0.8, extra: " class=\"interval-cap\"")
      } else {
        svg.line(p.0 - cap, p.1, p.0 + cap, p.1, stroke: "#222222", width: 0.8, extra: " class=\"interval-cap\"")
      }
    }
  }

  /// The bounds of one layer as a band along its trajectory, in the layer's colour: for I(X;T)
  /// the region between the path through the lower bounds and the path through the upper
  /// bounds (each at the point's I(T;Y)), likewise for I(T;Y). One grey bar per point piled up
  /// into a grey haze on a KDE plane (11 snapshots × 6 layers of bars several bits long); a band
  /// per layer keeps the bound next to the trajectory it belongs to. A layer of one snapshot
  /// gets the bars. `class="bound"`.
  static func drawBoundBands(
    _ svg: inout SVGDocument, _ rows: [PlaneRow], colour: String, px: (Double) -> Double, py: (Double) -> Double
  ) {
    guard rows.count > 1 else {
      for r in rows { drawBars(&svg, r, px: px, py: py, intervals: false) }
      return
    }
    func band(_ lower: [(Double, Double)], _ upper: [(Double, Double)]) {
      let points = (lower + upper.reversed()).map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
      svg.raw("<polygon class=\"bound\" points=\"\(points)\" fill=\"\(colour)\" fill-opacity=\"0.16\" stroke=\"\(colour)\" stroke-opacity=\"0.3\" stroke-width=\"0.6\"/>")
    }
    if rows.contains(where: { $0.inputInformationLowerBound != nil || $0.inputInformationUpperBound != nil }) {
      band(
        rows.map { (px($0.inputInformationLowerBound ?? $0.inputInformation), py($0.labelInformation)) },
        rows.map { (px($0.inputInformationUpperBound ?? $0.inputInformation), py($0.labelInformation)) })
    }
    if rows.contains(where: { $0.labelInformationLowerBound != nil || $0.labelInformationUpperBound != nil }) {
      band(
        rows.map { (px($0.inputInformation), py($0.labelInformationLowerBound ?? $0.labelInformation)) },
        rows.map { (px($0.inputInformation), py($0.labelInformationUpperBound ?? $0.labelInformation)) })
    }
  }

  /// The bars of one row; `px`/`py` map values to pixels. A bound the estimator gives on one
  /// side only is drawn from the point to that bound. `bounds`/`intervals` select the kinds.
  static func drawBars(
    _ svg: inout SVGDocument, _ r: PlaneRow, px: (Double) -> Double, py: (Double) -> Double, bounds: Bool = true, intervals: Bool = true
  ) {
    let (x, y) = (px(r.inputInformation), py(r.labelInformation))
    guard bounds else {
      if intervals, let ci = r.interval {
        drawInterval(&svg, (px(ci.input.lowerBound), y), (px(ci.input.upperBound), y))
        drawInterval(&svg, (x, py(ci.label.lowerBound)), (x, py(ci.label.upperBound)))
      }
      return
    }
    if r.inputInformationLowerBound != nil || r.inputInformationUpperBound != nil {
      drawBound(&svg, (px(r.inputInformationLowerBound ?? r.inputInformation), y), (px(r.inputInformationUpperBound ?? r.inputInformation), y))
    }
    if r.labelInformationLowerBound != nil || r.labelInformationUpperBound != nil {
      drawBound(&svg, (x, py(r.labelInformationLowerBound ?? r.labelInformation)), (x, py(r.labelInformationUpperBound ?? r.labelInformation)))
    }
    if intervals { drawBars(&svg, r, px: px, py: py, bounds: false) }
  }

  /// The key to the bars, top-left at (x, y): a sample of each kind present and what it is.
  /// Draws nothing when no row has bars; returns the bottom.
  @discardableResult
  static func drawBarLegend(_ svg: inout SVGDocument, _ bars: Bars, x: Double, y: Double, size: Double) -> Double {
    guard !bars.isEmpty else { return y }
    svg.text("bars", x: x, y: y, size: size, weight: "bold")
    var yy = y + size + 6
    if bars.bounds {
      // The bounds are drawn as a pale band in each layer's colour (`drawBoundBands`).
      svg.rect(x, yy - size * 0.8, 26, size * 0.9, fill: "#888", extra: " fill-opacity=\"0.3\" class=\"bound\"")
      svg.text("estimator bounds (band)", x: x + 32, y: yy, size: size)
      yy += size + 8
    }
    if let s = bars.interval {
      drawInterval(&svg, (x + 2, yy - size * 0.35), (x + 24, yy - size * 0.35))
      let kind = switch s.method { case .halfSampleJackknife: "jackknife CI"; case .percentileBootstrap: "bootstrap CI" }
      svg.text("\(PlaneIntervalSettings.percent(s.level)) \(kind)", x: x + 32, y: yy, size: size)
      yy += size + 4
      svg.text("B = \(s.resamples), seed \(s.seed);", x: x + 32, y: yy, size: size - 1.5, fill: "#555")
      yy += size + 2
      svg.text("sampling noise only", x: x + 32, y: yy, size: size - 1.5, fill: "#555")
      yy += size + 8
    }
    return yy
  }

  /// The height `drawBarLegend` takes.
  static func barLegendHeight(_ bars: Bars, size: Double) -> Double {
    guard !bars.isEmpty else { return 0 }
    return size + 6 + (bars.bounds ? size + 8 : 0) + (bars.interval != nil ? 3 * size + 14 : 0)
  }
}
