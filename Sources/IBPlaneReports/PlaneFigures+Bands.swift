import Foundation
import IBPlaneAnalysis

/// Figures of several runs of one design (`ibplane analyze A.bin B.bin …`): the trajectory
/// drawn is the mean across runs at each epoch, and a band shows the spread across runs —
/// the 5 % and 95 % quantiles of the runs (numpy's linear quantile, `AcrossRunStatistics`),
/// not a confidence interval of the mean. In the plane the band is a cross at each marked
/// snapshot (horizontal: I(X;T), vertical: I(T;Y)); in the curves it is a shaded area.
/// Single-recording figures do not go through here and are unchanged.
extension PlaneFigures {
  struct BandKey: Hashable {
    var estimator: String, params: String, layerIndex: Int, epoch: Int
  }

  /// The 5–95 % range across runs of I(X;T) and I(T;Y) per (estimator, layer, epoch).
  struct RunBands {
    var runs: Int
    var x: [BandKey: (Double, Double)] = [:]
    var y: [BandKey: (Double, Double)] = [:]
    static let description = "band: 5–95 % of runs"

    static func key(_ r: PlaneRow) -> BandKey {
      BandKey(estimator: r.estimator, params: r.params, layerIndex: r.layerIndex, epoch: r.epoch)
    }
    func values(_ rows: [PlaneRow]) -> (x: [Double], y: [Double]) {
      let k = rows.map(Self.key)
      return (k.compactMap { x[$0] }.flatMap { [$0.0, $0.1] }, k.compactMap { y[$0] }.flatMap { [$0.0, $0.1] })
    }
  }

  /// How many recordings (distinct `recording_fingerprint`, `recording`) the rows come from.
  static func recordingCount(_ rows: [PlaneRow]) -> Int {
    Set(rows.map { "\($0.recordingFingerprint)|\($0.recording)" }).count
  }

  /// The mean rows (one per epoch × layer × estimator: I(X;T), I(T;Y) and every metric
  /// averaged across runs, no bounds or intervals) and the bands, from `PlaneSummary`.
  static func acrossRuns(_ rows: [PlaneRow]) -> (mean: [PlaneRow], bands: RunBands) {
    let runs = recordingCount(rows)
    var bands = RunBands(runs: runs)
    var mean: [BandKey: PlaneRow] = [:]
    var order: [BandKey] = []
    for r in rows {
      let k = RunBands.key(r)
      guard mean[k] == nil else { continue }
      order.append(k)
      var m = r
      m.recording = "mean of \(runs) runs"
      m.recordingFingerprint = ""
      m.inputInformationLowerBound = nil
      m.inputInformationUpperBound = nil
      m.labelInformationLowerBound = nil
      m.labelInformationUpperBound = nil
      m.interval = nil
      m.metrics = [:]
      mean[k] = m
    }
    let metricColumns = Dictionary(
      uniqueKeysWithValues: Set(rows.flatMap { $0.metrics.keys }).map { (PlaneTable.column(forMetric: $0), $0) })
    for s in PlaneSummary.rows(rows) {
      let k = BandKey(estimator: s.estimator, params: s.params, layerIndex: s.layerIndex, epoch: s.epoch)
      let t = s.statistics
      switch s.quantity {
      case "i_xt":
        mean[k]?.inputInformation = t.mean
        bands.x[k] = (t.q05, t.q95)
      case "i_ty":
        mean[k]?.labelInformation = t.mean
        bands.y[k] = (t.q05, t.q95)
      default:
        if let name = metricColumns[s.quantity] { mean[k]?.metrics[name] = t.mean }
      }
    }
    return (order.compactMap { mean[$0] }, bands)
  }

  /// The crosses of the plane, in the layer's colour, under the trajectories.
  static func drawPlaneBands(
    _ svg: inout SVGDocument, _ bands: RunBands, _ s: Series, maximumMarkers: Int, px: (Double) -> Double, py: (Double) -> Double
  ) {
    for (k, l) in s.layers.enumerated() {
      for r in markedIndices(l.rows.count, maximum: maximumMarkers).map({ l.rows[$0] }) {
        let key = RunBands.key(r)
        if let x = bands.x[key] {
          svg.line(px(x.0), py(r.labelInformation), px(x.1), py(r.labelInformation), stroke: ColourMap.layer(k), width: 3, extra: " opacity=\"0.3\" class=\"run-band\"")
        }
        if let y = bands.y[key] {
          svg.line(px(r.inputInformation), py(y.0), px(r.inputInformation), py(y.1), stroke: ColourMap.layer(k), width: 3, extra: " opacity=\"0.3\" class=\"run-band\"")
        }
      }
    }
  }

  /// The shaded band of one layer in a curves panel.
  static func drawCurveBand(
    _ svg: inout SVGDocument, _ range: [(epoch: Double, lo: Double, hi: Double)], colour: String,
    px: (Double) -> Double, py: (Double) -> Double
  ) {
    guard range.count > 1 else { return }
    let points = range.map { (px($0.epoch), py($0.hi)) } + range.reversed().map { (px($0.epoch), py($0.lo)) }
    let text = points.map { "\(SVGDocument.number($0.0)),\(SVGDocument.number($0.1))" }.joined(separator: " ")
    svg.raw("<polygon class=\"run-band\" points=\"\(text)\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"none\"/>")
  }
}
