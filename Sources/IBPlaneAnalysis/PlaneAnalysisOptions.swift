import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Which epochs to analyse: all, or a union of closed ranges (`1,10,100-200`).
public struct EpochSelection: Sendable, Equatable, Codable, CustomStringConvertible {
  /// `nil` means every epoch.
  public var ranges: [ClosedRange<Int>]?

  public static let all = EpochSelection(ranges: nil)

  public init(ranges: [ClosedRange<Int>]?) { self.ranges = ranges }

  /// Parses `all`, or a comma-separated list of epochs and `a-b` ranges.
  public init(parsing text: String) throws {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t == "all" || t.isEmpty {
      ranges = nil
      return
    }
    var out: [ClosedRange<Int>] = []
    for item in t.split(separator: ",") {
      let bounds = item.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard bounds.allSatisfy({ $0 != nil && $0! >= 0 }) else {
        throw EstimatorError.invalidParameter(name: "epochs", value: "\"\(item)\"", expected: "an epoch ≥ 0 or a range a-b")
      }
      let a = bounds[0]!
      let b = bounds.count == 2 ? bounds[1]! : a
      guard a <= b else {
        throw EstimatorError.invalidParameter(name: "epochs", value: "\"\(item)\"", expected: "a range a-b with a ≤ b")
      }
      out.append(a...b)
    }
    ranges = out
  }

  public func contains(_ epoch: Int) -> Bool {
    guard let r = ranges else { return true }
    return r.contains { $0.contains(epoch) }
  }

  public var description: String {
    guard let r = ranges else { return "all" }
    return r.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
      .joined(separator: ",")
  }
}

/// A deterministic share of an analysis: shard `index` of `count` (1-based) takes the jobs
/// whose position k in the canonical job order (snapshot, layer, estimator) has
/// k mod count = index − 1.
public struct PlaneShard: Sendable, Equatable, Codable, CustomStringConvertible {
  public var index: Int
  public var count: Int

  public static let whole = PlaneShard(uncheckedIndex: 1, count: 1)

  private init(uncheckedIndex: Int, count: Int) {
    self.index = uncheckedIndex
    self.count = count
  }

  public init(index: Int, count: Int) throws {
    guard count >= 1, (1...count).contains(index) else {
      throw EstimatorError.invalidParameter(name: "shard", value: "\(index)/\(count)", expected: "i/n with 1 ≤ i ≤ n")
    }
    self.index = index
    self.count = count
  }

  /// Parses `i/n`.
  public init(parsing text: String) throws {
    let p = text.split(separator: "/")
    guard p.count == 2, let i = Int(p[0]), let n = Int(p[1]) else {
      throw EstimatorError.invalidParameter(name: "shard", value: "\"\(text)\"", expected: "i/n, e.g. 2/8")
    }
    try self.init(index: i, count: n)
  }

  public var description: String { "\(index)/\(count)" }
  public var isWhole: Bool { count == 1 }

  /// `plane.csv`, or `plane-shard-i-of-n.csv` for a shard.
  public var csvFileName: String { isWhole ? "plane.csv" : "plane-shard-\(index)-of-\(count).csv" }
  /// The manifest written next to the CSV when the run completes.
  public var manifestFileName: String { isWhole ? "plane.json" : "plane-shard-\(index)-of-\(count).json" }
}

/// What a `PlaneAnalysis` computes besides the estimators.
public struct PlaneAnalysisOptions: Sendable {
  /// Unit of the CSV and reports (computations are in nats).
  public var unit: InformationUnit = .bits
  /// Layer indices to analyse; `nil` for all.
  public var layers: [Int]? = nil
  public var epochs: EpochSelection = .all
  /// Resamples B of the interval method (`--resamples`, `--bootstrap`); 0 for no intervals.
  public var bootstrapResamples: Int = 0
  /// How the intervals are made: the half-sample jackknife unless the with-replacement
  /// percentile bootstrap is asked for (`PlaneIntervalSettings.Method`).
  public var intervalMethod: PlaneIntervalSettings.Method = .halfSampleJackknife
  /// Nominal coverage of the interval.
  public var confidenceLevel: Double = 0.95
  /// Seed of every random choice (the resamples).
  public var seed: UInt64 = 0
  public var shard: PlaneShard = .whole
  /// Worker threads of the run: at most this many (snapshot, layer) jobs and the loops inside
  /// them run at once, and never more than `Parallel.maximumThreads`.
  public var threads: Int = Parallel.defaultThreads
  /// How errors name the recording (the CLI passes its path); `nil` uses the recording's name.
  public var sourceDescription: String? = nil
  /// The samples analysed: all, or the train or test samples of the recording's split
  /// (`SampleSubsetSource`; a recording without a split refuses train and test).
  public var samples: SampleSubset = .all

  public init() {}
}
