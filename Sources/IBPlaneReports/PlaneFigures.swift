import Foundation
import IBPlaneAnalysis

/// The SVG figures of an analysis: one information plane per estimator, a small-multiples
/// comparison of estimators, and I-versus-epoch curves per estimator.
///
/// Conventions: I(X;T) on x, I(T;Y) on y, both in the table's unit and both starting at 0
/// (or below, for a negative raw estimate); one trajectory
/// (`<path class="trajectory">`) per layer in snapshot order, in a colour-blind-safe
/// categorical colour with its own marker shape; markers filled by epoch on viridis with a
/// labelled colour bar (log₁₀(epoch + 1) when epochs span two decades); bars show the
/// estimator's bounds and the resampling interval, each from its own columns and in its own
/// style (`PlaneFigures+Bars.swift`), with a key. Only trajectories are `<path>` elements.
public enum PlaneFigures {
  /// Rows of one estimator (name and params), grouped by layer in snapshot order.
  struct Series {
    var estimator: PlaneManifest.EstimatorSpec
    var layers: [(index: Int, name: String, width: Int, rows: [PlaneRow])]
  }

  static func series(_ rows: [PlaneRow], _ estimator: PlaneManifest.EstimatorSpec) -> Series {
    let mine = rows.filter { $0.estimator == estimator.name && $0.params == estimator.params }
    let byLayer = Dictionary(grouping: mine, by: \.layerIndex)
    let layers = byLayer.keys.sorted().map { k -> (Int, String, Int, [PlaneRow]) in
      let r = byLayer[k]!.sorted { ($0.step, $0.epoch) < ($1.step, $1.epoch) }
      return (k, r[0].layer, r[0].width, r)
    }
    return Series(estimator: estimator, layers: layers)
  }

  static func unitLabel(_ rows: [PlaneRow]) -> String { rows.first?.unit.rawValue ?? "bits" }

  // MARK: - Pieces

  struct Frame { var x, y, w, h: Double }

  /// Tick labels at `positions` (pixels), every k-th kept so that none overlap.
  static func visibleLabelStride(_ labels: [String], spacing: Double, size: Double) -> Int {
    let widest = labels.map { SVGDocument.textWidth($0, size: size) }.max() ?? 0
    guard spacing > 0 else { return 1 }
    return max(1, Int(((widest + 8) / spacing).rounded(.up)))
  }

  /// Axes, grid and tick labels of a panel; returns the x of the y-axis title.
  static func drawAxes(
    _ svg: inout SVGDocument, _ f: Frame, x: PlotScale, y: PlotScale, xTitle: String?, yTitle: String, size: Double
  ) {
    svg.rect(f.x, f.y, f.w, f.h, fill: "#fbfbfb", stroke: "none")
    for t in x.ticks {
      let px = f.x + x.fraction(t) * f.w
      svg.line(px, f.y, px, f.y + f.h, stroke: "#e3e3e3", width: 1)
    }
    for t in y.ticks {
      let py = f.y + f.h - y.fraction(t) * f.h
      svg.line(f.x, py, f.x + f.w, py, stroke: "#e3e3e3", width: 1)
    }
    svg.rect(f.x, f.y, f.w, f.h, fill: "none", stroke: "#444")
    let xStride = visibleLabelStride(x.tickLabels, spacing: f.w / Double(max(x.ticks.count - 1, 1)), size: size)
    for (k, t) in x.ticks.enumerated() {
      let px = f.x + x.fraction(t) * f.w
      svg.line(px, f.y + f.h, px, f.y + f.h + 4, stroke: "#444")
      if k % xStride == 0 { svg.text(x.tickLabels[k], x: px, y: f.y + f.h + 6 + size, size: size, anchor: .middle) }
    }
    let ySpacing = f.h / Double(max(y.ticks.count - 1, 1))
    let yStride = max(1, Int(((size + 2) / ySpacing).rounded(.up)))
    for (k, t) in y.ticks.enumerated() {
      let py = f.y + f.h - y.fraction(t) * f.h
      svg.line(f.x - 4, py, f.x, py, stroke: "#444")
      if k % yStride == 0 { svg.text(y.tickLabels[k], x: f.x - 7, y: py + size * 0.35, size: size, anchor: .end) }
    }
    let widest = y.tickLabels.map { SVGDocument.textWidth($0, size: size) }.max() ?? 0
    if let xTitle {
      svg.text(xTitle, x: f.x + f.w / 2, y: f.y + f.h + 2 * size + 14, size: size + 1, anchor: .middle)
    }
    let yx = f.x - widest - 14
    svg.text(yTitle, x: yx, y: f.y + f.h / 2, size: size + 1, anchor: .middle, rotate: -90)
  }

  /// At most this many markers (and interval bars) per layer trajectory; the trajectory itself
  /// keeps every snapshot. With the 274 log-spaced snapshots of the 12-bit experiment the
  /// markers of one layer overlap each other and made each plane ~0.5 MB.
  static let maximumMarkersPerLayer = 60
  /// The same for the small multiples and for the I-versus-epoch curves, where markers only
  /// tell the layers apart.
  static let comparisonMarkersPerLayer = 30

  /// Indices of `count` snapshots that carry a marker: every k-th, k = ⌈count / maximum⌉,
  /// always the first and the last. Snapshots recorded at log-spaced epochs stay log-spaced.
  static func markedIndices(_ count: Int, maximum: Int = maximumMarkersPerLayer) -> [Int] {
    guard count > maximum, count > 0 else { return Array(0..<count) }
    let stride = (count + maximum - 1) / maximum
    var indices = Array(Swift.stride(from: 0, to: count, by: stride))
    if indices.last != count - 1 { indices.append(count - 1) }
    return indices
  }

  /// "; markers on 1 in k snapshots and the last" when `markedIndices` thins the markers, else "".
  static func markerNote(_ s: Series) -> String {
    let count = s.layers.map(\.rows.count).max() ?? 0
    guard count > maximumMarkersPerLayer else { return "" }
    return "; markers on 1 in \((count + maximumMarkersPerLayer - 1) / maximumMarkersPerLayer) snapshots and the last"
  }

  /// An information axis: includes 0 (information is non-negative), so a saturated estimator
  /// shows as a cluster of points, not as a 0.002-bit wobble magnified to fill the panel. The
  /// axis ends near the largest value or ceiling (`tight`), not at the next whole step.
  static func informationScale(_ values: [Double]) -> PlotScale { PlotScale.linear(values + [0], tight: true) }

  /// The epoch colour bar with its ticks and title, top-left at (x, y).
  static func drawColourBar(_ svg: inout SVGDocument, _ scale: PlotScale, x: Double, y: Double, height: Double, size: Double) {
    svg.verticalGradient(id: "epoch-viridis", colours: (0...16).map { ColourMap.viridis(Double($0) / 16) })
    let title = scale.kind == .logEpoch ? "epoch (log scale)" : "epoch"
    // 12 px above the bar: the top tick's label reaches 0.65 em above the bar's top.
    svg.text(title, x: x, y: y - 12, size: size, weight: "bold")
    svg.rect(x, y, 14, height, fill: "url(#epoch-viridis)", stroke: "#444")
    var lastY = Double.infinity
    for (k, t) in scale.ticks.enumerated() {
      let ty = y + height - scale.fraction(t) * height
      svg.line(x + 14, ty, x + 18, ty, stroke: "#444")
      // A full line of clearance: log-epoch ticks 0 and 1 sit only ~8% of the bar apart, and
      // at the old size + 3 their labels touched.
      if lastY - ty >= size + 6 {
        svg.text(scale.tickLabels[k], x: x + 21, y: ty + size * 0.35, size: size)
        lastY = ty
      }
    }
  }

  /// The layer legend (line colour + marker shape + name), top-left at (x, y); returns its bottom.
  @discardableResult
  static func drawLegend(_ svg: inout SVGDocument, _ layers: [(String, Int)], x: Double, y: Double, size: Double, title: String = "layer") -> Double {
    svg.text(title, x: x, y: y, size: size, weight: "bold")
    var yy = y + size + 6
    for (k, l) in layers.enumerated() {
      svg.line(x, yy - size * 0.35, x + 26, yy - size * 0.35, stroke: ColourMap.layer(k), width: 2)
      svg.marker(shape: k, x: x + 13, y: yy - size * 0.35, size: 4.5, fill: "#ffffff", stroke: ColourMap.layer(k))
      svg.text("\(l.0) (\(l.1))", x: x + 32, y: yy, size: size)
      yy += size + 8
    }
    return yy
  }

  /// `s` cut with "…" to fit `width`: only for short labels inside a panel (a layer's name in a
  /// panel title); sentences wrap (`wrapped`).
  /// The width the legend of `layers` takes right of its left edge (`drawLegend`), so a figure
  /// can grow to hold long layer names.
  static func legendWidth(_ layers: [(String, Int)], size: Double) -> Double {
    // The bar key (`drawBarLegend`) sits in the same column; its longest line counts too.
    let texts = layers.map { "\($0.0) (\($0.1))" } + ["estimator bounds (band)"]
    return 32 + (texts.map { SVGDocument.textWidth($0, size: size) }.max() ?? 0) + 12
  }

  static func fitted(_ s: String, width: Double, size: Double, bold: Bool = false) -> String {
    guard SVGDocument.textWidth(s, size: size, bold: bold) > width else { return s }
    var cut = s
    while cut.count > 1, SVGDocument.textWidth(cut + "…", size: size, bold: bold) > width { cut.removeLast() }
    return cut + "…"
  }

  static func estimatorLabel(_ e: PlaneManifest.EstimatorSpec) -> String {
    let p = estimatorParameters(e)
    return p.isEmpty ? e.name : "\(e.name) (\(p))"
  }

  /// The estimator's parameters as `key=value, …` (bootstrap settings and seeds left out).
  /// The `params` column separates items by `,` (older tables by `;`); the space after each
  /// separator lets a long list wrap.
  static func estimatorParameters(_ e: PlaneManifest.EstimatorSpec) -> String {
    e.params.split(whereSeparator: { $0 == ";" || $0 == "," }).filter { !$0.hasPrefix("bootstrap=") && !$0.hasPrefix("level=") && !$0.hasPrefix("seed=") }
      .joined(separator: ", ")
  }

  // MARK: - Figures

  /// One information plane for one estimator.
  /// With `bands` (several runs), `rows` are the mean rows and the bands are drawn.
  /// Title, parameters, subtitle and notes wrap; the figure grows by the lines they take.
  static func plane(_ rows: [PlaneRow], manifest: PlaneManifest, estimator: PlaneManifest.EstimatorSpec, bands: RunBands?) -> String {
    let s = series(rows, estimator)
    let mine = s.layers.flatMap(\.rows)
    let epochs = PlotScale.epochs(mine.map { Double($0.epoch) })
    // The estimator's name stays in the title and its parameters get their own line, so long
    // parameter lists (cs, renyi) never push the name out of the title.
    let title = wrapped("Information plane — \(manifest.recording) — \(estimator.name)", width: 760, size: 16, bold: true)
    let parameters = estimatorParameters(estimator)
    let parameterLines = wrapped(parameters.isEmpty ? "no parameters" : parameters, width: 760, size: 12)
    let alternating = alternatingLayers(s)
    let sub = "n = \(mine.first?.n ?? manifest.sampleCount) samples; \(Set(mine.map(\.step)).count) snapshots" + markerNote(s)
      + (bands.map { "; mean of \($0.runs) runs, \(RunBands.description)" } ?? "")
      + (alternating.isEmpty ? "" : "; faint line: \(alternating.joined(separator: ", ")) alternates between snapshots (see the markers)")
    let subLines = wrapped(sub, width: 760, size: 12)
    let saturated = Ceilings.saturatedLayers(s)
    let note = saturated.isEmpty ? [] : wrapped(
      "Saturated: \(saturated.joined(separator: ", ")) within 1 % of log N in most snapshots — every sample apart, so I(X;T) cannot show compression there.",
      width: 760, size: 11)
    let top = 28 + 20 * Double(title.count) + 16 * Double(parameterLines.count + subLines.count) - 80
    let width = max(800, 630 + legendWidth(s.layers.map { ($0.name, $0.width) }, size: 12))
    // The note goes below the plane's x-axis title and below the legends on the right.
    let bars = Bars(mine)
    let barsBottom = 332 + top + 18 + 20 * Double(s.layers.count) + 8 + barLegendHeight(bars, size: 12)
    let noteY = max(538 + top, barsBottom + 12)
    let height = note.isEmpty ? max(560 + top, barsBottom + 8) : noteY + 14 * Double(note.count) + 4
    var svg = SVGDocument(width: width, height: height)
    var y = drawLines(&svg, title, x: 20, y: 28, step: 20, size: 16, weight: "bold")
    y = drawLines(&svg, parameterLines, x: 20, y: y, step: 16, size: 12, fill: "#555")
    drawLines(&svg, subLines, x: 20, y: y, step: 16, size: 12, fill: "#555")
    drawPlane(&svg, s, Frame(x: 86, y: 84 + top, w: 500, h: 398), epochs: epochs, unit: unitLabel(mine), size: 12, marker: 4.2, bands: bands,
      labelEntropy: manifest.labelEntropy)
    drawColourBar(&svg, epochs, x: 630, y: 104 + top, height: 190, size: 12)
    let legendBottom = drawLegend(&svg, s.layers.map { ($0.name, $0.width) }, x: 630, y: 332 + top, size: 12, title: "layer (width)")
    drawBarLegend(&svg, bars, x: 630, y: legendBottom + 8, size: 12)
    drawLines(&svg, note, x: 20, y: noteY, step: 14, size: 11, fill: "#a33")
    return svg.text
  }

  /// Small multiples: one plane per estimator, each on its own axes, one colour bar and legend.
  public static func comparison(_ rows: [PlaneRow], manifest: PlaneManifest) -> String {
    comparison(rows, manifest: manifest, bands: nil)
  }

  /// Small multiples; with `bands` (several runs) `rows` are the mean rows and each panel draws
  /// the across-run bands as the estimator's own plane does. Parameters wrap under each panel's
  /// title (at most four lines, the header of every panel as tall as the tallest).
  static func comparison(_ rows: [PlaneRow], manifest: PlaneManifest, bands: RunBands?) -> String {
    let estimators = manifest.estimators
    let columns = min(3, max(estimators.count, 1))
    let gridRows = (estimators.count + columns - 1) / columns
    let pw = 340.0
    let parameterLines = estimators.map { Array(wrapped(estimatorParameters($0), width: pw - 80, size: 9.5).prefix(4)) }
    let header = 12.5 * Double(max((parameterLines.map(\.count).max() ?? 0) - 1, 0))
    let ph = 310.0 + header
    let legendLayers = estimators.first.map { e in series(rows, e).layers.map { ($0.name, $0.width) } } ?? []
    let width = Double(columns) * pw + max(190, 16 + legendWidth(legendLayers, size: 11))
    let layerCount = Set(rows.map(\.layerIndex)).count
    let bars = Bars(rows)
    let title = wrapped("Information planes of \(manifest.recording): estimators compared", width: width - 40, size: 16, bold: true)
    let sub = wrapped(
      "each panel on its own axes; unit: \(unitLabel(rows))" + (bands.map { "; mean of \($0.runs) runs, \(RunBands.description)" } ?? ""),
      width: width - 40, size: 12)
    let top = 20 * Double(title.count - 1) + 16 * Double(sub.count - 1)
    let legendBottom = top + 300 + 17 + Double(layerCount) * 19 + 10 + (bars.isEmpty ? 0 : barLegendHeight(bars, size: 11) + 8)
    var svg = SVGDocument(width: width, height: max(top + 70 + Double(gridRows) * ph + 10, legendBottom))
    let y = drawLines(&svg, title, x: 20, y: 28, step: 20, size: 16, weight: "bold")
    drawLines(&svg, sub, x: 20, y: y, step: 16, size: 12, fill: "#555")
    let epochs = PlotScale.epochs(rows.map { Double($0.epoch) })
    var layers: [(String, Int)] = []
    for (k, e) in estimators.enumerated() {
      let s = series(rows, e)
      if layers.isEmpty { layers = s.layers.map { ($0.name, $0.width) } }
      let ox = Double(k % columns) * pw, oy = top + 70 + Double(k / columns) * ph
      svg.text(fitted(e.name, width: pw - 80, size: 13, bold: true), x: ox + 72, y: oy + 12, size: 13, weight: "bold")
      drawLines(&svg, parameterLines[k], x: ox + 72, y: oy + 25, step: 12.5, size: 9.5, fill: "#555")
      // Small panels: fewer markers (each estimator's own plane has them all).
      drawPlane(
        &svg, s, Frame(x: ox + 72, y: oy + 34 + header, w: pw - 92, h: 210), epochs: epochs, unit: unitLabel(rows), size: 10.5,
        marker: 3.2, maximumMarkers: comparisonMarkersPerLayer, bands: bands, labelEntropy: manifest.labelEntropy)
    }
    let rx = Double(columns) * pw + 16
    drawColourBar(&svg, epochs, x: rx, y: top + 96, height: 170, size: 11)
    let layersBottom = drawLegend(&svg, layers, x: rx, y: top + 300, size: 11, title: "layer (width)")
    drawBarLegend(&svg, bars, x: rx, y: layersBottom + 8, size: 11)
    return svg.text
  }

  /// I(X;T) and I(T;Y) versus epoch (log axis) per layer, with the accuracy (or loss) below.
  /// With `bands` (several runs), `rows` are the mean rows and the bands are drawn.
  static func curves(_ rows: [PlaneRow], manifest: PlaneManifest, estimator: PlaneManifest.EstimatorSpec, bands: RunBands?) -> String {
    let s = series(rows, estimator)
    let mine = s.layers.flatMap(\.rows)
    let unit = unitLabel(mine)
    let metricNames = manifest.metricNames
    var shown = metricNames.filter { $0.lowercased().contains("acc") }
    var metricTitle = "accuracy"
    if shown.isEmpty {
      shown = metricNames.filter { $0.lowercased().contains("loss") }
      metricTitle = "loss"
    }
    let epochScale = PlotScale.logEpoch(mine.map { Double($0.epoch) })
    let panelHeight = 170.0
    let panels = shown.isEmpty ? 2 : 3
    let parameters = estimatorParameters(estimator)
    let title = wrapped("Information versus epoch — \(manifest.recording) — \(estimator.name)", width: 760, size: 16, bold: true)
    let sub = wrapped(
      (parameters.isEmpty ? "" : parameters + "; ") + "epoch on a log scale (log₁₀(epoch + 1)); unit: \(unit)"
        + (bands.map { "; mean of \($0.runs) runs, \(RunBands.description)" } ?? ""), width: 760, size: 12)
    let top = 20 * Double(title.count - 1) + 16 * Double(sub.count - 1)
    let width = max(800, 630 + legendWidth(s.layers.map { ($0.name, $0.width) }, size: 12))
    var svg = SVGDocument(width: width, height: top + 80 + Double(panels) * (panelHeight + 56) + 10)
    let y = drawLines(&svg, title, x: 20, y: 28, step: 20, size: 16, weight: "bold")
    drawLines(&svg, sub, x: 20, y: y, step: 16, size: 12, fill: "#555")
    let xTitle = "epoch (log scale)"
    func frame(_ k: Int) -> Frame { Frame(x: 86, y: top + 72 + Double(k) * (panelHeight + 56), w: 500, h: panelHeight) }
    for (panel, (title, value)) in [("I(X;T)  [\(unit)]", { (r: PlaneRow) in r.inputInformation }),
                                    ("I(T;Y)  [\(unit)]", { (r: PlaneRow) in r.labelInformation })].enumerated() {
      let f = frame(panel)
      let spread = bands?.values(mine) ?? (x: [], y: [])
      let y = PlotScale.linear(mine.map(value) + (panel == 0 ? spread.x : spread.y))
      drawAxes(&svg, f, x: epochScale, y: y, xTitle: panel == panels - 1 ? xTitle : nil, yTitle: title, size: 11)
      for (k, l) in s.layers.enumerated() {
        if let bands {
          let range = l.rows.compactMap { r in (panel == 0 ? bands.x : bands.y)[RunBands.key(r)].map { (Double(r.epoch), $0.0, $0.1) } }
          drawCurveBand(
            &svg, range, colour: ColourMap.layer(k), px: { f.x + epochScale.fraction($0) * f.w }, py: { f.y + f.h - y.fraction($0) * f.h })
        }
        let pts = l.rows.map { (f.x + epochScale.fraction(Double($0.epoch)) * f.w, f.y + f.h - y.fraction(value($0)) * f.h) }
        svg.polyline(pts, stroke: ColourMap.layer(k), width: 1.6, attributes: ["class": "curve", "data-layer": l.name])
        for i in markedIndices(pts.count, maximum: comparisonMarkersPerLayer) {
          svg.marker(
            shape: k, x: pts[i].0, y: pts[i].1, size: 2.6, fill: ColourMap.layer(k), stroke: ColourMap.layer(k),
            tooltip: tooltip(l.name, l.rows[i], snapshot: i + 1, of: l.rows.count, unit: unit, bands: bands))
        }
      }
    }
    drawLegend(&svg, s.layers.map { ($0.name, $0.width) }, x: 630, y: top + 92, size: 12, title: "layer (width)")
    if !shown.isEmpty {
      let f = frame(2)
      // One value per snapshot: metrics are per snapshot, the same on every layer's row.
      var perSnapshot: [Int: PlaneRow] = [:]
      for r in mine { perSnapshot[r.step] = r }
      let snapshots = perSnapshot.values.sorted { $0.step < $1.step }
      // A diverged run can record a NaN or ±∞ metric (the CSV keeps it); the figure leaves a gap.
      func finite(_ r: PlaneRow, _ name: String) -> Double? { r.metrics[name].flatMap { $0.isFinite ? $0 : nil } }
      let values = snapshots.flatMap { r in shown.compactMap { finite(r, $0) } }
      let y = PlotScale.linear(values)
      drawAxes(&svg, f, x: epochScale, y: y, xTitle: xTitle, yTitle: metricTitle, size: 11)
      let dashes = [nil, "6 3", "2 3", "8 3 2 3"]
      svg.text(metricTitle, x: 630, y: f.y + 4, size: 12, weight: "bold")
      for (k, name) in shown.enumerated() {
        let pts = snapshots.compactMap { r in finite(r, name).map { (f.x + epochScale.fraction(Double(r.epoch)) * f.w, f.y + f.h - y.fraction($0) * f.h) } }
        svg.polyline(pts, stroke: "#333", width: 1.6, dash: dashes[k % dashes.count], attributes: ["class": "metric", "data-metric": name])
        let ly = f.y + 24 + Double(k) * 20
        svg.polyline([(630, ly - 4), (656, ly - 4)], stroke: "#333", width: 1.6, dash: dashes[k % dashes.count])
        svg.text(name, x: 662, y: ly, size: 12)
      }
    }
    return svg.text
  }
}

extension PlaneFigures {
  /// One information plane for one estimator.
  public static func plane(_ rows: [PlaneRow], manifest: PlaneManifest, estimator: PlaneManifest.EstimatorSpec) -> String {
    plane(rows, manifest: manifest, estimator: estimator, bands: nil)
  }

  /// I(X;T) and I(T;Y) versus epoch (log axis) per layer, with the accuracy (or loss) below.
  public static func curves(_ rows: [PlaneRow], manifest: PlaneManifest, estimator: PlaneManifest.EstimatorSpec) -> String {
    curves(rows, manifest: manifest, estimator: estimator, bands: nil)
  }
}
