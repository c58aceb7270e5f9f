import Foundation
import IBPlaneAnalysis
import IBPlaneEstimators

/// The generalisation report (`ibplane generalisation`): per estimator one SVG grid with a
/// panel per layer — x = the final I(X;T|Y) of each run, y = its accuracy gap (train − test),
/// one point per run coloured by setting (Okabe–Ito), Spearman ρ and n in the panel title —
/// and an index.html with the figures, the correlation table and what Kawaguchi et al. 2023
/// do and do not claim. Renders a `Generalisation.Study`; computes nothing.
public enum GeneralisationReport {
  /// Writes generalisation.csv, generalisation-correlation.csv, one SVG per estimator and
  /// index.html into `directory`; returns the file names written.
  public static func write(_ study: Generalisation.Study, to directory: URL) throws -> [String] {
    try OutputFiles.createDirectory(directory)
    var written: [String] = []
    func put(_ text: String, _ name: String) throws {
      try OutputFiles.write(Data(text.utf8), to: directory.appendingPathComponent(name), atomic: true)
      written.append(name)
    }
    try put(Generalisation.rowsCSV(study), "generalisation.csv")
    try put(Generalisation.correlationCSV(study), "generalisation-correlation.csv")
    var figures: [(title: String, file: String, svg: String)] = []
    var used = Set<String>()
    for e in study.estimators {
      var stem = PlaneReport.fileStem(e.name)
      var k = 2
      while used.contains(stem) {
        stem = "\(PlaneReport.fileStem(e.name))-\(k)"
        k += 1
      }
      used.insert(stem)
      let file = "generalisation-\(stem).svg"
      let svg = figure(study, estimator: e)
      try put(svg, file)
      figures.append((PlaneFigures.estimatorLabel(e), file, svg))
    }
    try put(html(study, figures: figures), "index.html")
    return written
  }

  /// The settings in first-seen order; "" (only seeds differ) is shown as "all runs".
  static func settings(_ study: Generalisation.Study) -> [String] {
    var seen = Set<String>()
    return study.runs.map(\.setting).filter { seen.insert($0).inserted }
  }

  static func settingName(_ s: String) -> String { s.isEmpty ? "all runs" : s }

  static func rhoText(_ r: SpearmanCorrelation.Result) -> String {
    r.rho.map { String(format: "%+.2f", $0) } ?? "undefined"
  }

  /// One estimator's grid: a panel per layer, three per row, the setting legend on the right.
  static func figure(_ study: Generalisation.Study, estimator e: PlaneManifest.EstimatorSpec) -> String {
    let mine = study.rows.filter { $0.estimator == e.name && $0.params == e.params }
    // By name (as the correlations): architectures of different depth share hidden1, …, output.
    let layers = Dictionary(grouping: mine, by: \.layer).values.sorted { ($0.map(\.layerIndex).min()!, $0[0].layer) < ($1.map(\.layerIndex).min()!, $1[0].layer) }
    let settingList = settings(study)
    let columns = min(3, max(layers.count, 1)), panelRows = (layers.count + columns - 1) / columns
    let pw = 250.0, ph = 180.0, left = 78.0, gapX = 96.0, gapY = 92.0
    let legendWidth = 40 + (settingList.map { SVGDocument.textWidth(settingName($0), size: 11) }.max() ?? 60)
    let width = left + Double(columns) * pw + Double(columns - 1) * gapX + 40 + legendWidth
    // Title and subtitles wrap; the panels start a full line below the last of them (the
    // subtitle used to touch the first row's panel titles).
    let title = PlaneFigures.wrapped("Generalisation gap vs I(X;T|Y) at the final epoch — \(e.name)", width: width - 40, size: 16, bold: true)
    let parameters = PlaneFigures.wrapped(PlaneFigures.estimatorParameters(e), width: width - 40, size: 11)
    let sub = PlaneFigures.wrapped(
      "one point per run (\(study.runs.count) runs, n = \(study.sampleCount) samples); ρ: Spearman rank correlation over runs",
      width: width - 40, size: 11)
    let top = 26 + 20 * Double(title.count) + 15 * Double(parameters.count + sub.count) + 14
    let height = top + Double(max(panelRows, 1)) * (ph + gapY) + 10
    var svg = SVGDocument(width: width, height: height)
    var ty = PlaneFigures.drawLines(&svg, title, x: 20, y: 26, step: 20, size: 16, weight: "bold")
    ty = PlaneFigures.drawLines(&svg, parameters, x: 20, y: ty - 2, step: 15, size: 11, fill: "#555")
    PlaneFigures.drawLines(&svg, sub, x: 20, y: ty, step: 15, size: 11, fill: "#555")
    let unit = study.unit.rawValue
    for (k, rows) in layers.enumerated() {
      let f = PlaneFigures.Frame(
        x: left + Double(k % columns) * (pw + gapX), y: top + Double(k / columns) * (ph + gapY), w: pw, h: ph)
      let points = rows.compactMap { r -> (Double, Double, String, Generalisation.Row)? in
        guard let c = r.conditionalInputInformation, c.isFinite, r.run.accuracyGap.isFinite else { return nil }
        return (c, r.run.accuracyGap, r.run.setting, r)
      }
      let x = PlaneFigures.informationScale(points.map(\.0)), y = PlotScale.linear(points.map(\.1))
      let c = study.correlations.first { $0.layer == rows[0].layer && $0.estimator == e.name && $0.params == e.params }
      let title = "\(rows[0].layer): ρ = \(c.map { rhoText($0.accuracyGap) } ?? "undefined"), n = \(c?.accuracyGap.n ?? 0)"
      svg.text(PlaneFigures.fitted(title, width: pw + 40, size: 12, bold: true), x: f.x, y: f.y - 10, size: 12, weight: "bold")
      PlaneFigures.drawAxes(&svg, f, x: x, y: y, xTitle: "I(X;T|Y)  [\(unit)]", yTitle: "train − test accuracy", size: 10)
      for (cx, cy, setting, r) in points {
        let s = settingList.firstIndex(of: setting) ?? 0
        svg.marker(
          shape: s, x: f.x + x.fraction(cx) * f.w, y: f.y + f.h - y.fraction(cy) * f.h, size: 4.5,
          fill: ColourMap.layer(s), stroke: "#222",
          tooltip: "\(settingName(setting)), seed \(r.run.seed) (\(r.run.recording)): I(X;T|Y) = \(String(format: "%.4g", cx)) \(unit), accuracy gap = \(String(format: "%.4f", cy)), epoch \(r.run.epoch)")
      }
    }
    let lx = left + Double(columns) * pw + Double(columns - 1) * gapX + 40
    svg.text(study.settingKeys.isEmpty ? "setting" : study.settingKeys.joined(separator: ", "), x: lx, y: top, size: 11, weight: "bold")
    for (k, s) in settingList.enumerated() {
      let yy = top + 20 + Double(k) * 18
      svg.marker(shape: k, x: lx + 6, y: yy - 4, size: 4.5, fill: ColourMap.layer(k), stroke: "#222")
      svg.text(settingName(s), x: lx + 18, y: yy, size: 11)
    }
    return svg.text
  }

  /// What the report may claim, with the paper's statement kept to what it proves.
  static let kawaguchiNote = """
    Kawaguchi, Deng, Ji and Huang (2023, ICML), “How does information bottleneck help deep learning?”, prove \
    high-probability upper bounds on the generalisation gap that grow with I(X;T|Y) of a layer's representation T \
    relative to the number n of training samples (roughly as the square root of I(X;T|Y)/n), together with further \
    terms — among them one for the information the learned encoder's parameters carry about the training sample — and \
    constants. A bound says that little I(X;T|Y) permits only a small gap; it does not say that runs with more \
    I(X;T|Y) have larger gaps, and the paper itself calls controlling the bottleneck one way, not the only or a \
    necessary way, to control the gap. Its experiments report that the gap correlates with I(X;T|Y) in many settings. \
    The rank correlations below test that empirical relation on these runs only: the values are estimates from finite \
    samples with estimator-specific bias, on the recorded samples (train and test patterns together unless the \
    analysis chose otherwise), and ρ over a handful of runs is noisy — read it together with n.
    """

  static func html(_ study: Generalisation.Study, figures: [(title: String, file: String, svg: String)]) -> String {
    func e(_ s: String) -> String { SVGDocument.escape(s) }
    // The figures first (each with its estimator's caveat), then the correlations, then the
    // settings (collapsed) and the runs.
    var s = ReportPage.head(title: "Generalisation gap and I(X;T|Y)")
    s += "<p>\(e(kawaguchiNote))</p>\n"
    s += "<p>Data: <a href=\"generalisation.csv\">generalisation.csv</a> (run × layer × estimator), "
    s += "<a href=\"generalisation-correlation.csv\">generalisation-correlation.csv</a> (layer × estimator). Hover a point for its run.</p>\n"
    for (f, spec) in zip(figures, study.estimators) {
      s += "<h2>\(e(f.title))</h2>\n"
      if let caveat = EstimatorRegistry.caveat(forSpecification: spec.name) {
        s += "<p class=\"caveat\"><strong>Reading these values:</strong> \(e(caveat))</p>\n"
      }
      s += ReportPage.figure(
        f.svg, prefix: ReportPage.idPrefix("generalisation-" + f.file), label: "Accuracy gap against I(X;T|Y) per layer, \(f.title)", file: f.file)
    }
    s += "<h2>Rank correlation with I(X;T|Y)</h2>\n<table>\n"
    s += "<tr><th>layer</th><th>estimator</th><th>n</th><th>ρ (accuracy gap)</th><th>ρ (loss gap)</th><th>note</th></tr>\n"
    for c in study.correlations {
      let note = [c.accuracyGap.reason, c.lossGap.reason].compactMap { $0 }.joined(separator: "; ")
      let cells = [c.layer, c.estimator, "\(c.accuracyGap.n)", rhoText(c.accuracyGap), rhoText(c.lossGap), note]
      s += "<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
    }
    s += "</table>\n"
    let settingList = settings(study)
    let metadata: [(String, String)] = [
      ("runs", "\(study.runs.count) (final snapshot of each)"),
      ("settings", settingList.map { s in "\(settingName(s)): \(study.runs.filter { $0.setting == s }.count) runs" }.joined(separator: "; ")),
      ("directories", Generalisation.orderedUnique(study.runs.map(\.directory)).joined(separator: ", ")),
      ("samples per recording", "\(study.sampleCount)"),
      ("unit", study.unit.rawValue),
      ("gaps", "accuracy gap = train_accuracy − test_accuracy; loss gap = test_loss − loss (nats), from the trainer's metrics at the final epoch"),
    ]
    s += "<details>\n<summary>Settings (\(metadata.count) entries)</summary>\n<table>\n"
    for (k, v) in metadata { s += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>\n" }
    s += "</table>\n</details>\n"
    s += "<h2>Runs</h2>\n<table>\n<tr><th>setting</th><th>seed</th><th>recording</th><th>epoch</th><th>train acc.</th><th>test acc.</th><th>accuracy gap</th><th>loss gap (nats)</th></tr>\n"
    for r in study.runs {
      let cells = [
        settingName(r.setting), r.seed, r.recording, "\(r.epoch)", String(format: "%.4f", r.trainAccuracy),
        String(format: "%.4f", r.testAccuracy), String(format: "%.4f", r.accuracyGap),
        r.lossGap.isNaN ? "" : String(format: "%.4f", r.lossGap),
      ]
      s += "<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
    }
    s += "</table>\n"
    return s + "</body>\n</html>\n"
  }
}
