import Foundation
import IBPlaneCore

/// The compression table of a multi-run analysis (`DIR/compression.csv` and the HTML
/// report): per estimator and layer, how far I(X;T) falls from its peak, across runs.
///
/// Per run (recording, told apart by `recording_fingerprint`) and (estimator, layer):
/// - peak: the largest I(X;T) over the analysed epochs; epoch of peak: the first epoch
///   reaching it;
/// - final: I(X;T) at the run's last analysed epoch;
/// - drop %: 100·(peak − final)/peak (NaN when the peak is 0 or less, where a relative
///   drop has no meaning).
/// Each of the four is then summarised across runs as mean, sample sd (divisor n − 1,
/// empty for one run), min and max (`AcrossRunStatistics`). NaN values of I(X;T) are
/// ignored when looking for the peak.
public enum PlaneCompression {
  public struct Row: Sendable, Equatable {
    public var estimator: String
    public var params: String
    public var layer: String
    public var layerIndex: Int
    public var unit: InformationUnit
    public var runs: Int
    public var peak: AcrossRunStatistics?
    public var peakEpoch: AcrossRunStatistics?
    public var final: AcrossRunStatistics?
    public var dropPercent: AcrossRunStatistics?
  }

  static let quantities = ["peak_i_xt", "peak_epoch", "final_i_xt", "drop_percent"]
  public static let header =
    ["estimator", "params", "layer", "layer_index", "unit", "runs"]
    + quantities.flatMap { q in ["mean", "sd", "min", "max"].map { "\(q)_\($0)" } }

  /// Rows ordered by estimator (first appearance in `rows`), then layer index.
  public static func rows(_ rows: [PlaneRow]) -> [Row] {
    struct Key: Hashable { var estimator: String, params: String, layerIndex: Int }
    var order: [Key] = []
    var runs: [Key: [String: [PlaneRow]]] = [:]
    for r in rows {
      let k = Key(estimator: r.estimator, params: r.params, layerIndex: r.layerIndex)
      if runs[k] == nil { order.append(k) }
      runs[k, default: [:]][r.recordingFingerprint + "|" + r.recording, default: []].append(r)
    }
    let estimators = order.reduce(into: [String]()) { if !$0.contains("\($1.estimator)|\($1.params)") { $0.append("\($1.estimator)|\($1.params)") } }
    order.sort { (estimators.firstIndex(of: "\($0.estimator)|\($0.params)")!, $0.layerIndex) < (estimators.firstIndex(of: "\($1.estimator)|\($1.params)")!, $1.layerIndex) }
    return order.map { k in
      var peaks: [Double] = [], peakEpochs: [Double] = [], finals: [Double] = [], drops: [Double] = []
      for (_, trajectory) in runs[k]!.sorted(by: { $0.key < $1.key }) {
        let t = trajectory.sorted { ($0.epoch, $0.step) < ($1.epoch, $1.step) }
        guard let last = t.last else { continue }
        var best: PlaneRow?
        for r in t where !r.inputInformation.isNaN {
          if best == nil || r.inputInformation > best!.inputInformation { best = r }
        }
        finals.append(last.inputInformation)
        guard let peak = best else { continue }
        peaks.append(peak.inputInformation)
        peakEpochs.append(Double(peak.epoch))
        drops.append(peak.inputInformation > 0 ? 100 * (peak.inputInformation - last.inputInformation) / peak.inputInformation : .nan)
      }
      let any = runs[k]!.values.first![0]
      return Row(
        estimator: k.estimator, params: k.params, layer: any.layer, layerIndex: k.layerIndex, unit: any.unit,
        runs: runs[k]!.count, peak: AcrossRunStatistics(peaks), peakEpoch: AcrossRunStatistics(peakEpochs),
        final: AcrossRunStatistics(finals), dropPercent: AcrossRunStatistics(drops))
    }
  }

  /// The text of `compression.csv` (header line included); a missing statistic is empty.
  public static func csv(_ rows: [PlaneRow]) -> String {
    var s = CSVTable.line(header)
    for r in self.rows(rows) {
      var fields = [r.estimator, r.params, r.layer, "\(r.layerIndex)", r.unit.rawValue, "\(r.runs)"]
      for t in [r.peak, r.peakEpoch, r.final, r.dropPercent] {
        fields += [t.map { "\($0.mean)" }, t?.sd.map { "\($0)" }, t.map { "\($0.min)" }, t.map { "\($0.max)" }].map { $0 ?? "" }
      }
      s += CSVTable.line(fields)
    }
    return s
  }
}
