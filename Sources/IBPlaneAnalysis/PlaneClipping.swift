import Foundation

/// Where a binning estimator merged more than `PlaneClipping.threshold` of a layer's values
/// into its end bins: one warning per (estimator, layer), for stderr (`analyze`) and the HTML
/// report. Clipped values lose their differences, so I(X;T) and I(T;Y) of that layer read low
/// — compression that is not in the network (an `idnns` grid on a ReLU or logits layer).
public struct PlaneClippingWarning: Sendable, Equatable {
  public var estimator: String
  public var params: String
  public var layer: String
  public var layerIndex: Int
  /// The largest `clipped_fraction` over the layer's snapshots, and the first epoch with it.
  public var maximum: Double
  public var epoch: Int
  /// Snapshots above the threshold, of the layer's snapshots under this estimator.
  public var snapshots: Int
  public var total: Int

  /// One sentence naming the estimator, the layer, how much was clipped and the fix.
  public var message: String {
    "\(estimator) clipped \(Self.percent(maximum)) of layer \(layer)'s values into its end bins (epoch \(epoch); "
      + "more than \(Self.percent(PlaneClipping.threshold)) in \(snapshots) of \(total) snapshots): values outside the bin edges "
      + "are merged, so I(X;T) and I(T;Y) read low there; use binning's default convention=auto, or range, floor or adaptive-binning"
  }

  static func percent(_ f: Double) -> String { String(format: "%.1f %%", f * 100) }
}

public enum PlaneClipping {
  /// A row warns when more than this fraction of its values were clipped (1 %).
  public static let threshold = 0.01

  /// The warnings of `rows`, in the order (estimator, params, layer index) first met.
  public static func warnings(_ rows: [PlaneRow]) -> [PlaneClippingWarning] {
    var order: [String] = []
    var found: [String: PlaneClippingWarning] = [:]
    for r in rows {
      guard let c = r.clippedFraction else { continue }
      let key = "\(r.estimator)|\(r.params)|\(r.layerIndex)"
      var w = found[key] ?? {
        order.append(key)
        return PlaneClippingWarning(
          estimator: r.estimator, params: r.params, layer: r.layer, layerIndex: r.layerIndex, maximum: c, epoch: r.epoch,
          snapshots: 0, total: 0)
      }()
      w.total += 1
      if c > threshold { w.snapshots += 1 }
      if c > w.maximum || (c == w.maximum && r.epoch < w.epoch) { (w.maximum, w.epoch) = (c, r.epoch) }
      found[key] = w
    }
    return order.compactMap { found[$0] }.filter { $0.snapshots > 0 }
  }
}
