import Foundation

/// An axis mapping data values to pixels, with readable tick values.
///
/// Linear scales use Heckbert's "nice numbers" (Graphics Gems, 1990): the step is 1, 2 or 5
/// × 10ᵏ, the domain is widened to whole steps. Epoch axes over several decades use
/// log₁₀(epoch + 1), so epoch 0 (the initial snapshot) has a place; ticks are 0, 1, 10, 100…
struct PlotScale {
  enum Kind { case linear, logEpoch }
  var kind: Kind
  var lower: Double
  var upper: Double
  var ticks: [Double]
  var tickLabels: [String]

  /// A linear scale covering `values` with about `target` ticks.
  ///
  /// `tight: false` widens the domain to whole steps (0…15 for data up to 12 with step 5).
  /// `tight: true` ends the axis near the data instead, as matplotlib's default margins do:
  /// the domain is the data plus 4 % of its range on each side (never below 0 when the data
  /// start at 0 or above, so markers at a ceiling or at 0 are not cut by the frame), and the
  /// ticks are the whole steps inside it — a 12-bit plane's I(X;T) axis then ends at 12.5, not 15.
  static func linear(_ values: [Double], target: Int = 5, tight: Bool = false) -> PlotScale {
    let finite = values.filter(\.isFinite)
    var lo = finite.min() ?? 0
    var hi = finite.max() ?? 1
    if hi - lo < 1e-12 * max(1, abs(hi)) {
      let pad = max(abs(hi) * 0.1, 0.05)
      lo -= pad
      hi += pad
    }
    // A tight axis has less room than the whole steps, so it aims at one tick more.
    let step = niceNumber((hi - lo) / Double(max(target - (tight ? 0 : 1), 1)), round: true)
    var start = (lo / step).rounded(.down) * step
    var end = (hi / step).rounded(.up) * step
    if tight {
      let margin = 0.04 * (hi - lo)
      start = lo >= 0 ? max(0, lo - margin) : lo - margin
      end = hi + margin
    }
    var ticks: [Double] = []
    var t = (start / step - 1e-9).rounded(.up) * step
    while t <= end + step * 1e-9 {
      ticks.append(abs(t) < step * 1e-9 ? 0 : t)
      t += step
    }
    let decimals = max(0, Int(-log10(step).rounded(.down)))
    let labels = ticks.map { String(format: "%.\(decimals)f", $0) }
    return PlotScale(kind: .linear, lower: start, upper: end, ticks: ticks, tickLabels: labels)
  }

  /// log₁₀(epoch + 1) over `epochs`, ticks at 0 and powers of ten.
  static func logEpoch(_ epochs: [Double]) -> PlotScale {
    let hi = max(epochs.max() ?? 1, 1)
    let lo = max(epochs.min() ?? 0, 0)
    var ticks: [Double] = lo < 1 ? [0] : []
    var p = 1.0
    while p <= hi * 1.0001 {
      if p >= lo * 0.9999 { ticks.append(p) }
      p *= 10
    }
    if ticks.count < 2 { ticks = [lo, hi] }
    let labels = ticks.map { $0 >= 10_000 ? "1e\(Int(log10($0).rounded()))" : String(Int($0)) }
    return PlotScale(kind: .logEpoch, lower: log10(lo + 1), upper: log10(hi + 1), ticks: ticks, tickLabels: labels)
  }

  /// Epochs as a colour/axis scale: logarithmic when they span two decades or more.
  static func epochs(_ epochs: [Double]) -> PlotScale {
    let hi = epochs.max() ?? 1
    let positive = epochs.filter { $0 > 0 }.min() ?? 1
    return hi / positive >= 100 ? logEpoch(epochs) : linear(epochs, target: 5)
  }

  /// Position of `v` in [0, 1] along the domain.
  func fraction(_ v: Double) -> Double {
    let t: Double
    switch kind {
    case .linear: t = v
    case .logEpoch: t = log10(max(v, 0) + 1)
    }
    return upper > lower ? (t - lower) / (upper - lower) : 0.5
  }

  /// The nice number near `x`: 1, 2, 5 or 10 × 10ᵏ.
  static func niceNumber(_ x: Double, round: Bool) -> Double {
    guard x > 0, x.isFinite else { return 1 }
    let e = log10(x).rounded(.down)
    let f = x / pow(10, e)
    let nice: Double
    if round {
      nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
    } else {
      nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
    }
    return nice * pow(10, e)
  }
}

/// Colour maps for reports.
enum ColourMap {
  /// matplotlib's viridis (van der Walt & Smith, 2015), perceptually uniform and readable
  /// in grey scale and by colour-blind readers: 9 evenly spaced samples, linearly
  /// interpolated in sRGB.
  static let viridisSamples: [(Double, Double, Double)] = [
    (0x44, 0x01, 0x54), (0x47, 0x2c, 0x7a), (0x3b, 0x51, 0x8b), (0x2c, 0x71, 0x8e), (0x21, 0x90, 0x8d),
    (0x27, 0xad, 0x81), (0x5c, 0xc8, 0x63), (0xaa, 0xdc, 0x32), (0xfd, 0xe7, 0x25),
  ]

  static func viridis(_ t: Double) -> String {
    let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(viridisSamples.count - 1)
    let i = min(Int(x), viridisSamples.count - 2)
    let f = x - Double(i)
    let a = viridisSamples[i], b = viridisSamples[i + 1]
    func c(_ u: Double, _ v: Double) -> Int { Int((u + f * (v - u)).rounded()) }
    return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
  }

  /// Okabe & Ito's colour-blind-safe qualitative palette (yellow left out: unreadable on white),
  /// ordered so that the first six (a 12-bit net's five hidden layers and its output) are six
  /// different hues: sky blue, next to blue, comes seventh (it was sixth, and the output layer
  /// of a 6-layer net looked like hidden1).
  static let categorical = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000", "#56B4E9", "#999999"]

  static func layer(_ k: Int) -> String { categorical[k % categorical.count] }
}
