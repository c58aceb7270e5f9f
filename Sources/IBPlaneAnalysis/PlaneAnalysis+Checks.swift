import Foundation
import IBPlaneCore

/// A recording that cannot be analysed as given (bad input, exit code 2 in the CLI): one
/// sentence naming the recording and what is wrong.
public struct PlaneAnalysisError: Error, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// The documented limits of an analysis, checked before anything is allocated.
extension PlaneAnalysis {
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
}
