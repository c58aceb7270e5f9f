import Foundation
import IBPlaneAnalysis

/// The trajectories and markers of one information plane.
///
/// Layers often share a point: on a binning plane every saturated layer sits at (log₂ N, H(Y))
/// and the last layer drawn used to hide the others. Layers are drawn in depth order, the
/// deepest last, and each later layer's marker is smaller and its line thinner, so layers on
/// one point read as concentric outlines in their own colours (like a bullseye), and lines on
/// one path as a thin line over wider ones. Transparency alone was not used: six equal markers
/// at 80 % opacity still look like one.
///
/// A layer whose value jumps back and forth between snapshots (CS/Rényi on a ReLU output layer
/// alternate between two levels) is drawn with a faint, thin line: the zig-zag of a full line
/// looked like a fan of parallel lines — a plotting bug — while the markers, unchanged, show
/// the two levels. Such layers are named in `alternatingLayers` for the figure's note.
extension PlaneFigures {
  /// Marker radius of the k-th layer as a fraction of the base size.
  static func markerScale(_ k: Int) -> Double { max(0.45, 1.3 - 0.16 * Double(k)) }
  /// Trajectory width of the k-th layer.
  static func lineWidth(_ k: Int) -> Double { max(0.9, 2.4 - 0.3 * Double(k)) }

  /// Whether `values` (one layer's I(X;T) or I(T;Y) in snapshot order) jump back and forth:
  /// at least 4 steps above 20 % of their range, and at least 3 in 4 of those reversing the
  /// previous one. A trajectory that wobbles on a plateau or turns once (compression) does not,
  /// nor one whose whole range is below `visible` (a saturated layer's 0.001-bit jitter at
  /// 12 bits is invisible at the figure's scale and needs no note).
  static func alternates(_ values: [Double], visible: Double = 0) -> Bool {
    guard values.count >= 6, let lo = values.min(), let hi = values.max(), hi - lo > max(1e-9, visible) else { return false }
    let steps = zip(values, values.dropFirst()).map { $1 - $0 }.filter { abs($0) > 0.2 * (hi - lo) }
    guard steps.count >= 4 else { return false }
    let reversals = zip(steps, steps.dropFirst()).filter { ($0 > 0) != ($1 > 0) }.count
    return 4 * reversals >= 3 * (steps.count - 1)
  }

  /// Names of the layers of `s` whose trajectory alternates (`alternates`) in either coordinate
  /// over more than 2 % of that axis (which starts at 0: `informationScale`).
  static func alternatingLayers(_ s: Series) -> [String] {
    let rows = s.layers.flatMap(\.rows)
    let spanX = rows.map { abs($0.inputInformation) }.filter(\.isFinite).max() ?? 0
    let spanY = rows.map { abs($0.labelInformation) }.filter(\.isFinite).max() ?? 0
    return s.layers.filter {
      alternates($0.rows.map(\.inputInformation), visible: 0.02 * spanX)
        || alternates($0.rows.map(\.labelInformation), visible: 0.02 * spanY)
    }.map(\.name)
  }

  /// The tooltip of one point: layer, snapshot and epoch, the values, and the bounds, interval
  /// or across-run band the row has, all in the table's unit.
  static func tooltip(_ layer: String, _ r: PlaneRow, snapshot: Int, of count: Int, unit: String, bands: RunBands?) -> String {
    func g(_ v: Double) -> String { String(format: "%.4g", v) }
    var lines = [
      "\(layer), snapshot \(snapshot) of \(count), epoch \(r.epoch) (step \(r.step))",
      "I(X;T) = \(g(r.inputInformation)) \(unit), I(T;Y) = \(g(r.labelInformation)) \(unit)",
    ]
    // Only the quantities the estimator bounds (KDE: I(X;T)); a missing side is the value.
    var bounds: [String] = []
    for (name, lo, hi, v) in [
      ("I(X;T)", r.inputInformationLowerBound, r.inputInformationUpperBound, r.inputInformation),
      ("I(T;Y)", r.labelInformationLowerBound, r.labelInformationUpperBound, r.labelInformation),
    ] where lo != nil || hi != nil {
      bounds.append("\(name) in [\(g(lo ?? v)), \(g(hi ?? v))]")
    }
    if !bounds.isEmpty { lines.append("estimator bounds: " + bounds.joined(separator: ", ")) }
    if let ci = r.interval {
      lines.append(
        "\(PlaneIntervalSettings.percent(ci.settings.level)) interval: I(X;T) in [\(g(ci.input.lowerBound)), \(g(ci.input.upperBound))], "
          + "I(T;Y) in [\(g(ci.label.lowerBound)), \(g(ci.label.upperBound))]")
    }
    if let bands, let x = bands.x[RunBands.key(r)], let y = bands.y[RunBands.key(r)] {
      lines.append("mean of \(bands.runs) runs; 5–95 %: I(X;T) in [\(g(x.0)), \(g(x.1))], I(T;Y) in [\(g(y.0)), \(g(y.1))]")
    }
    return lines.joined(separator: "\n")
  }

  /// One information plane inside `f`.
  static func drawPlane(
    _ svg: inout SVGDocument, _ s: Series, _ f: Frame, epochs: PlotScale, unit: String, size: Double, marker: Double,
    maximumMarkers: Int = maximumMarkersPerLayer, bands: RunBands? = nil, labelEntropy: Double? = nil
  ) {
    let all = s.layers.flatMap(\.rows)
    let drawn = all.map(drawnValues)
    let spread = bands?.values(all) ?? (x: [], y: [])
    let xs = drawn.flatMap(\.x) + spread.x, ys = drawn.flatMap(\.y) + spread.y
    let ceiling = Ceilings(all, drawnX: xs, drawnY: ys, labelEntropy: labelEntropy)
    let x = informationScale(xs + ceiling.x.map { [$0.value] }.orEmpty), y = informationScale(ys + ceiling.y.map { [$0.value] }.orEmpty)
    drawAxes(&svg, f, x: x, y: y, xTitle: "I(X;T)  [\(unit)]", yTitle: "I(T;Y)  [\(unit)]", size: size)
    func px(_ v: Double) -> Double { f.x + x.fraction(v) * f.w }
    func py(_ v: Double) -> Double { f.y + f.h - y.fraction(v) * f.h }
    drawCeilings(&svg, ceiling, f, px: px, py: py, size: size)
    if let bands { drawPlaneBands(&svg, bands, s, maximumMarkers: maximumMarkers, px: px, py: py) }
    for (k, l) in s.layers.enumerated() where l.rows.contains(where: \.hasBounds) {
      drawBoundBands(&svg, l.rows, colour: ColourMap.layer(k), px: px, py: py)
    }
    for l in s.layers {
      for r in markedIndices(l.rows.count, maximum: maximumMarkers).map({ l.rows[$0] }) {
        drawBars(&svg, r, px: px, py: py, bounds: false)
      }
    }
    let alternating = Set(alternatingLayers(s))
    for (k, l) in s.layers.enumerated() {
      let faint = alternating.contains(l.name)
      svg.path(
        l.rows.map { (px($0.inputInformation), py($0.labelInformation)) }, stroke: ColourMap.layer(k),
        width: faint ? 0.8 : lineWidth(k) * (marker < 4 ? 0.75 : 1), opacity: faint ? 0.3 : 0.85,
        attributes: faint ? ["class": "trajectory", "data-layer": l.name, "data-alternating": "true"] : ["class": "trajectory", "data-layer": l.name])
    }
    for (k, l) in s.layers.enumerated() {
      for i in markedIndices(l.rows.count, maximum: maximumMarkers) {
        let r = l.rows[i]
        svg.marker(
          shape: k, x: px(r.inputInformation), y: py(r.labelInformation), size: marker * markerScale(k),
          fill: ColourMap.viridis(epochs.fraction(Double(r.epoch))), stroke: ColourMap.layer(k), strokeWidth: 1,
          tooltip: tooltip(l.name, r, snapshot: i + 1, of: l.rows.count, unit: unit, bands: bands))
      }
    }
  }
}
