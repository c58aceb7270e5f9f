import Foundation

/// A recording that cannot be analysed as given (bad input, exit code 2 in the CLI): one
/// sentence naming the recording and what is wrong.
public struct PlaneAnalysisError: Error, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The documented limits of an analysis, checked before anything is allocated.
extension PlaneAnalysis {
  /// The most bootstrap resamples B an analysis accepts (`--bootstrap`). The resampled
  /// contexts must also fit in memory: see `checkBootstrapMemory`.
  public static let maximumBootstrapResamples = 100_000

  /// Each (epoch, step) must name one snapshot, or two snapshots' rows could not be told
  /// apart (in the CSV, in `--resume`, in `merge`). Names both snapshots.
  static func checkUniqueSnapshots(_ source: SnapshotSource, _ indices: [Int], described: String) throws {
    var first: [PlaneJobKey: Int] = [:]
    for s in indices {
      let info = source.snapshots[s]
      let key = PlaneJobKey(epoch: info.epoch, step: info.step, layerIndex: 0, estimator: "", params: "")
      if let earlier = first.updateValue(s, forKey: key) {
        throw PlaneAnalysisError(
          "\(described): snapshots \(min(earlier, s)) and \(max(earlier, s)) (0-based, in recording order) both have epoch \(info.epoch), step \(info.step); each (epoch, step) must be recorded once")
      }
    }
  }

  /// A shard must have at least one job: `n` at most the number of jobs. This also bounds
  /// every later use of `n` (file names, `merge`'s check that shards 1…n are present).
  static func checkShard(_ shard: PlaneShard, jobCount: Int) throws {
    guard shard.count <= max(jobCount, 1) else {
      throw EstimatorError.invalidParameter(
        name: "shard", value: "\(shard)",
        expected: "i/n with n ≤ \(jobCount), the number of jobs of this analysis (every shard needs at least one job)")
    }
  }

  /// B ≤ `maximumBootstrapResamples`, and the B resampled contexts — B·N·(4·(d + k) + 16)
  /// bytes for N samples, d input and k label columns (floats, plus a sample index and a
  /// class per resampled row) — at most half the machine's physical memory.
  static func checkBootstrapMemory(_ resamples: Int, context: PlaneContext) throws {
    guard resamples <= maximumBootstrapResamples else {
      throw EstimatorError.invalidParameter(
        name: "bootstrap", value: "\(resamples)", expected: "at most \(maximumBootstrapResamples) resamples")
    }
    let d = context.inputs?.columns ?? 0
    let k: Int
    switch context.labels {
    case .classes: k = 0
    case .targets(let m): k = m.columns
    }
    let budget = ProcessInfo.processInfo.physicalMemory / 2
    let (columns, o1) = d.addingReportingOverflow(k)
    let (floats, o2) = columns.multipliedReportingOverflow(by: 4)
    let (perSample, o3) = floats.addingReportingOverflow(16)
    let (perResample, o4) = perSample.multipliedReportingOverflow(by: context.sampleCount)
    let (bytes, o5) = perResample.multipliedReportingOverflow(by: resamples)
    guard !(o1 || o2 || o3 || o4 || o5), bytes >= 0, UInt64(bytes) <= budget else {
      let largest = o1 || o2 || o3 || o4 || perResample <= 0 ? 0 : budget / UInt64(perResample)
      throw EstimatorError.invalidParameter(
        name: "bootstrap", value: "\(resamples)",
        expected: "B resampled contexts that fit in half the physical memory (\(budget >> 20) MiB); at N = \(context.sampleCount) with \(d) input and \(k) label columns, B ≤ \(largest)")
    }
  }
}
