import Foundation
import IBPlaneCore

/// How a row's resampling interval was made: the method and its settings, the same for every
/// row of an analysis. `plane.csv` carries them in `ci_method`, `ci_level`, `ci_resamples` and
/// `ci_seed`, so a row says what its `i_*_ci_lo`/`_hi` columns mean without the manifest and
/// without parsing `params` (which describes only the estimator).
public struct PlaneIntervalSettings: Sendable, Hashable, CustomStringConvertible {
  /// The resampling scheme; its raw value is the `ci_method` column.
  public enum Method: String, Sendable, Hashable, CaseIterable, Codable {
    /// `HalfSampleJackknife`: θ̂ ± z·se from B random half-samples drawn without replacement;
    /// the default, and always contains the estimate.
    case halfSampleJackknife = "half-sample-jackknife"
    /// Percentiles of the estimator over resamples drawn with replacement (demoted: duplicated
    /// rows shift binning, kNN, KDE and lossy, so the interval may exclude the estimate; only
    /// on request, `--interval bootstrap`).
    case percentileBootstrap = "percentile-bootstrap"

    /// Parses a `--interval` value: the `ci_method` name, or its short form `jackknife` or
    /// `bootstrap`; case-insensitive.
    public init(parsing text: String) throws {
      switch text.lowercased() {
      case "jackknife", Method.halfSampleJackknife.rawValue: self = .halfSampleJackknife
      case "bootstrap", Method.percentileBootstrap.rawValue: self = .percentileBootstrap
      default:
        throw EstimatorError.invalidParameter(
          name: "interval", value: "\"\(text)\"", expected: "jackknife (half-sample-jackknife) or bootstrap (percentile-bootstrap)")
      }
    }
  }

  public var method: Method
  /// Nominal coverage, in (0, 1).
  public var level: Double
  /// Resamples B.
  public var resamples: Int
  /// The analysis seed the resamples were drawn from.
  public var seed: UInt64

  public init(method: Method, level: Double, resamples: Int, seed: UInt64) {
    self.method = method
    self.level = level
    self.resamples = resamples
    self.seed = seed
  }

  /// The settings a manifest promises when it has resamples, else none; a manifest written
  /// before `intervalMethod` existed promises the percentile bootstrap, the only method then.
  public init?(manifest m: PlaneManifest) {
    guard m.bootstrapResamples > 0 else { return nil }
    self.init(method: m.intervalMethod ?? .percentileBootstrap, level: m.confidenceLevel, resamples: m.bootstrapResamples, seed: m.seed)
  }

  /// E.g. `95% percentile-bootstrap interval, B = 200, seed 1`.
  public var description: String {
    "\(Self.percent(level)) \(method.rawValue) interval, B = \(resamples), seed \(seed)"
  }

  /// `describe(nil)` is `no interval`; used by the resume and merge errors.
  public static func describe(_ s: PlaneIntervalSettings?) -> String { s.map { "a \($0)" } ?? "no interval" }

  /// The level as a percentage for labels: `95%`, `99.5%`.
  package static func percent(_ level: Double) -> String {
    let p = (level * 1000).rounded() / 10
    return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
  }

  /// The first `ci_*` column in which `a` and `b` differ (`ci_method` when one is absent).
  public static func differingColumn(_ a: PlaneIntervalSettings?, _ b: PlaneIntervalSettings?) -> String? {
    guard let a, let b else { return a == nil && b == nil ? nil : "ci_method" }
    if a.method != b.method { return "ci_method" }
    if a.level != b.level { return "ci_level" }
    if a.resamples != b.resamples { return "ci_resamples" }
    return a.seed != b.seed ? "ci_seed" : nil
  }
}

/// A resampling interval of one plane row, in the row's unit.
///
/// It is a different thing from the estimator's own bracket (`Estimate.lowerNats/upperNats`,
/// e.g. KDE's lower and upper bounds, the row's `i_*_lower`/`_upper` columns): the bracket
/// bounds the quantity the estimator targets on this one sample, the interval shows how much
/// the estimate moves between samples. A KDE row with a bootstrap has both.
public struct PlaneInterval: Sendable, Equatable {
  public var settings: PlaneIntervalSettings
  /// The interval of I(X;T) (`i_xt_ci_lo`…`i_xt_ci_hi`) and of I(T;Y) (`i_ty_ci_lo`…`i_ty_ci_hi`).
  public var input: ClosedRange<Double>
  public var label: ClosedRange<Double>
  /// The interval of I(X;T|Y) (`i_xt_given_y_ci_lo`…`_ci_hi`), made from the same resamples;
  /// `nil` when the row has no I(X;T|Y) (regression targets).
  public var conditional: ClosedRange<Double>?

  public init(
    settings: PlaneIntervalSettings, input: ClosedRange<Double>, label: ClosedRange<Double>, conditional: ClosedRange<Double>? = nil
  ) {
    self.settings = settings
    self.input = input
    self.label = label
    self.conditional = conditional
  }
}

extension PlaneRow {
  /// The quantities whose resampling interval does not contain the row's own estimate, in
  /// column order (`i_xt`, `i_ty`, `i_xt_given_y`): the `ci_excludes_estimate` column, joined by
  /// `;`, `none` when every interval contains its estimate and empty without an interval.
  /// Only a percentile bootstrap can exclude its estimate; a half-sample-jackknife interval is
  /// centred on it. Derived from the row's values, so it cannot disagree with them.
  public var intervalExclusions: [String]? {
    guard let ci = interval else { return nil }
    var out: [String] = []
    if !ci.input.contains(inputInformation) { out.append("i_xt") }
    if !ci.label.contains(labelInformation) { out.append("i_ty") }
    if let z = conditionalInputInformation, let c = ci.conditional, !c.contains(z) { out.append("i_xt_given_y") }
    return out
  }

  /// The `ci_excludes_estimate` cell.
  public var intervalExclusionsCell: String {
    guard let e = intervalExclusions else { return "" }
    return e.isEmpty ? "none" : e.joined(separator: ";")
  }
}
