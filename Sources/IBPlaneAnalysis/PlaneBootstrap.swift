import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Resampling intervals for I(X;T), I(T;Y) and I(X;T|Y): the half-sample jackknife (the
/// default, `HalfSampleJackknife`) or the with-replacement percentile bootstrap (demoted,
/// only on request). The name is historical: both methods live here because they share the
/// resample cache, the limits and the seeding.
///
/// Jackknife resample b keeps ⌈N/2⌉ distinct samples (`HalfSampleJackknife.keptIndices`);
/// bootstrap resample b draws N sample indices uniformly with replacement; both from a
/// `RandomSource` seeded with `derivedSeed(b)` of the analysis seed, so resample b is the
/// same set of samples for every snapshot, layer and estimator (and for every shard): the
/// intervals of one layer across epochs are comparable. The estimator is re-run on the
/// resampled layer rows against a `PlaneContext` over the resampled inputs and labels, and
/// the interval is the (1 − level)/2 and (1 + level)/2 percentiles of the B values (linear
/// interpolation between order statistics, numpy's default `percentile`).
///
/// What it captures: the sampling noise of the estimate — how much it would move with
/// another draw of N samples from the same distribution. What it does not capture: the
/// estimator's bias (binning resolution, kernel width, noise level, k of kNN), which is the
/// same in every resample; two estimators may give tight, disjoint intervals. Estimators
/// whose value depends on repeated samples (plug-in entropies of binned activations, kNN)
/// see duplicated rows in a resample, which shifts their resampled values; their percentile
/// interval then may not contain the point estimate, and that is reported, not hidden (the
/// row's `ci_excludes_estimate`). That is why the jackknife, which never duplicates a row and
/// centres its interval on the estimate, is the default.
///
/// Efron & Tibshirani, *An Introduction to the Bootstrap* (1993), ch. 11 and 13.
/// Cost: B extra estimator runs per job; memory: B cached contexts, each with the resampled
/// inputs, labels and indices (`bytesPerResample`, N samples: an upper bound for the jackknife).
///
/// Limits (checked before anything is allocated): B in 2…`maximumResamples` (10,000), and
/// B × `bytesPerResample` at most `memoryBudget` (default: half the machine's physical
/// memory); the level in the open interval (0, 1).
// @unchecked Sendable: the lazily built index sets and contexts are read and written only under
// `lock`; the rest is immutable.
public final class PlaneBootstrap: @unchecked Sendable {
  public let resamples: Int
  public let level: Double
  public let seed: UInt64
  public let method: PlaneIntervalSettings.Method
  private let base: PlaneContext
  private let lock = NSLock()
  private var indexSets: [[Int]?]
  private var contexts: [PlaneContext?]

  /// The largest B accepted.
  public static let maximumResamples = 10_000
  /// Half the physical memory: what the cached resamples may take by default.
  public static var defaultMemoryBudget: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

  /// Throws unless `level` is in the open interval (0, 1); the check of `--confidence`.
  public static func validate(level: Double) throws {
    guard level > 0, level < 1 else {
      throw EstimatorError.invalidParameter(name: "confidence level", value: "\(level)", expected: "a number in the open interval (0, 1)")
    }
  }

  /// Bytes one cached resample holds: its N indices, the resampled inputs (float32) and labels.
  public static func bytesPerResample(_ context: PlaneContext) -> Int {
    let n = context.sampleCount
    let inputWidth = context.inputs?.columns ?? 0
    let labelBytes: Int?
    switch context.labels {
    case .classes: labelBytes = MemoryLayout<Int>.stride
    case .targets(let m): labelBytes = _Checked.product(m.columns, MemoryLayout<Float>.stride)
    }
    guard let labelBytes, let inputBytes = _Checked.product(inputWidth, MemoryLayout<Float>.stride) else { return .max }
    let (perSample, overflow) = inputBytes.addingReportingOverflow(labelBytes + MemoryLayout<Int>.stride)
    return overflow ? .max : _Checked.product(perSample, n) ?? .max
  }

  public init(
    resamples: Int, level: Double, seed: UInt64, context: PlaneContext, memoryBudget: Int = PlaneBootstrap.defaultMemoryBudget,
    method: PlaneIntervalSettings.Method = .halfSampleJackknife
  ) throws {
    guard (2...Self.maximumResamples).contains(resamples) else {
      throw EstimatorError.invalidParameter(
        name: "bootstrap", value: "\(resamples)", expected: "2…\(Self.maximumResamples) resamples")
    }
    guard method != .halfSampleJackknife || context.sampleCount >= 4 else {
      throw EstimatorError.tooFewSamples(needed: 4, got: context.sampleCount, what: "a half-sample jackknife interval")
    }
    try Self.validate(level: level)
    let perResample = Self.bytesPerResample(context)
    let (total, overflow) = perResample.multipliedReportingOverflow(by: resamples)
    guard !overflow, total <= memoryBudget else {
      throw EstimatorError.invalidParameter(
        name: "bootstrap", value: "\(resamples)",
        expected: "a number of resamples whose cached copies fit in \(memoryBudget >> 20) MiB "
          + "(each holds \(context.sampleCount) resampled samples, \(perResample >> 10) KiB; "
          + "at most \(Swift.max(memoryBudget / Swift.max(perResample, 1), 0)) resamples here)")
    }
    self.resamples = resamples
    self.level = level
    self.seed = seed
    self.method = method
    self.base = context
    self.indexSets = Array(repeating: nil, count: resamples)
    self.contexts = Array(repeating: nil, count: resamples)
  }

  /// The sample indices of resample `b`.
  public func indices(_ b: Int) -> [Int] {
    lock.lock()
    defer { lock.unlock() }
    if let s = indexSets[b] { return s }
    let n = base.sampleCount
    let resampleSeed = RandomSource(seed: seed).derivedSeed(b)
    let s: [Int]
    switch method {
    case .halfSampleJackknife: s = HalfSampleJackknife.keptIndices(n: n, seed: resampleSeed)
    case .percentileBootstrap:
      let random = RandomSource(seed: resampleSeed)
      s = (0..<n).map { _ in random.integer(below: n) }
    }
    indexSets[b] = s
    return s
  }

  /// The context over the inputs and labels of resample `b` (built once, shared).
  public func context(_ b: Int) throws -> PlaneContext {
    lock.lock()
    if let c = contexts[b] {
      lock.unlock()
      return c
    }
    lock.unlock()
    let idx = indices(b)
    let labels: Labels
    switch base.labels {
    case .classes(let c, let k): labels = .classes(idx.map { c[$0] }, classCount: k)
    case .targets(let m): labels = .targets(m.selectingRows(idx))
    }
    let c = try PlaneContext(inputs: base.inputs?.selectingRows(idx), labels: labels)
    lock.lock()
    defer { lock.unlock() }
    if let existing = contexts[b] { return existing }
    contexts[b] = c
    return c
  }

  /// What the rows' `ci_*` columns record about these intervals.
  public var settings: PlaneIntervalSettings {
    PlaneIntervalSettings(method: method, level: level, resamples: resamples, seed: seed)
  }

  /// The full-sample estimates (nats) a jackknife interval is centred on.
  public typealias Estimates = (input: Double, label: Double, conditional: Double?)

  /// The interval of a plane row, in `unit`: `intervals(layer:estimator:)` with its settings.
  /// `estimate` is the row's point estimate in nats (computed here when `nil`); only the
  /// jackknife uses it.
  public func interval(
    layer: Matrix<Float>, estimator: InformationPlaneEstimator, unit: InformationUnit, estimate: Estimates? = nil
  ) throws -> PlaneInterval {
    let ci = try intervals(layer: layer, estimator: estimator, conditional: true, estimate: estimate)
    return PlaneInterval(
      settings: settings,
      input: unit.fromNats(ci.input.lowerBound)...unit.fromNats(ci.input.upperBound),
      label: unit.fromNats(ci.label.lowerBound)...unit.fromNats(ci.label.upperBound),
      conditional: ci.conditional.map { unit.fromNats($0.lowerBound)...unit.fromNats($0.upperBound) })
  }

  /// The intervals (nats) of I(X;T) and I(T;Y) for `layer` under `estimator`.
  public func intervals(
    layer: Matrix<Float>, estimator: InformationPlaneEstimator
  ) throws -> (input: ClosedRange<Double>, label: ClosedRange<Double>) {
    let ci = try intervals(layer: layer, estimator: estimator, conditional: false)
    return (ci.input, ci.label)
  }

  /// The intervals of I(X;T), I(T;Y) and, with `conditional` and class labels, of I(X;T|Y)
  /// (`ConditionalInputInformation` on each resample: its classes are the resample's).
  func intervals(
    layer: Matrix<Float>, estimator: InformationPlaneEstimator, conditional: Bool, estimate: Estimates? = nil
  ) throws -> (input: ClosedRange<Double>, label: ClosedRange<Double>, conditional: ClosedRange<Double>?) {
    var xs: [Double] = []
    var ys: [Double] = []
    var zs: [Double] = []
    for b in 0..<resamples {
      let resampled = layer.selectingRows(indices(b))
      let c = try context(b)
      let p = try estimator.point(layer: resampled, context: c)
      xs.append(p.inputInformation.nats)
      ys.append(p.labelInformation.nats)
      if conditional, let z = try ConditionalInputInformation.nats(point: p, layer: resampled, context: c, estimator: estimator) {
        zs.append(z)
      }
    }
    if method == .halfSampleJackknife {
      let full: Estimates
      if let estimate {
        full = estimate
      } else {
        let p = try estimator.point(layer: layer, context: base)
        let z = conditional ? try ConditionalInputInformation.nats(point: p, layer: layer, context: base, estimator: estimator) : nil
        full = (p.inputInformation.nats, p.labelInformation.nats, z)
      }
      let n = base.sampleCount
      func centred(_ theta: Double, _ values: [Double], _ quantity: String) throws -> ClosedRange<Double> {
        guard let r = HalfSampleJackknife.interval(estimate: theta, values: values, n: n, level: level) else {
          throw EstimatorError.nonFiniteResult(
            estimator: estimator.name, quantity: quantity, value: theta,
            cause: "the half-sample jackknife needs a finite estimate on the full sample and on every half-sample")
        }
        return r
      }
      let z: ClosedRange<Double>? =
        if let c = full.conditional, zs.count == resamples { try centred(c, zs, "I(X;T|Y)") } else { nil }
      return (try centred(full.input, xs, "I(X;T)"), try centred(full.label, ys, "I(T;Y)"), z)
    }
    let lo = (1 - level) / 2
    let hi = (1 + level) / 2
    return (
      Self.percentile(xs, lo)...Self.percentile(xs, hi),
      Self.percentile(ys, lo)...Self.percentile(ys, hi),
      zs.isEmpty ? nil : Self.percentile(zs, lo)...Self.percentile(zs, hi)
    )
  }

  /// The q-quantile (q in [0, 1]) with linear interpolation between order statistics
  /// (numpy `percentile(..., method="linear")`). NaNs sort last.
  public static func percentile(_ values: [Double], _ q: Double) -> Double {
    let v = values.sorted { a, b in a.isNaN ? false : (b.isNaN ? true : a < b) }
    guard !v.isEmpty else { return .nan }
    let h = Double(v.count - 1) * q
    let i = Int(h.rounded(.down))
    if i + 1 >= v.count { return v[v.count - 1] }
    return v[i] + (h - Double(i)) * (v[i + 1] - v[i])
  }
}
