import Foundation

/// A full check of a recording: every record's CRC-32, the inputs block's CRC, and the NaN/Inf
/// count of every layer of every snapshot. Reads the whole file once: O(file size).
public struct RecordingInspection: Sendable {
  public struct SnapshotStatus: Sendable {
    /// Position among the recording's snapshots.
    public var index: Int
    public var info: SnapshotInfo
    /// nil when the CRC matches, else the error naming the record and its offset.
    public var checksumError: String?
    /// NaN/±Inf count per layer (empty when the checksum failed).
    public var nonFiniteCounts: [Int]
  }

  public var snapshots: [SnapshotStatus]
  /// nil when the recording has no inputs block.
  public var inputsChecksumOK: Bool?
  /// The warnings of the open (truncated tail, skipped records).
  public var warnings: [String]

  public var damagedSnapshotCount: Int { snapshots.filter { $0.checksumError != nil }.count }
  public var nonFiniteTotal: Int { snapshots.reduce(0) { $0 + $1.nonFiniteCounts.reduce(0, +) } }
  /// True when something was lost: a truncated tail, a skipped record, a CRC mismatch.
  public var isDamaged: Bool { !warnings.isEmpty || damagedSnapshotCount > 0 || inputsChecksumOK == false }
}

extension Recording {
  /// Checks every CRC and counts NaN/Inf values in every layer.
  public func inspect() -> RecordingInspection {
    adviseSequentialRead()
    let statuses = snapshots.indices.map { s -> RecordingInspection.SnapshotStatus in
      do {
        try verify(snapshot: s)
        return .init(index: s, info: snapshots[s], checksumError: nil, nonFiniteCounts: try nonFiniteCounts(snapshot: s))
      } catch {
        return .init(index: s, info: snapshots[s], checksumError: String(describing: error), nonFiniteCounts: [])
      }
    }
    var inputsOK: Bool?
    if inputWidth > 0 { inputsOK = (try? inputs) != nil }
    return RecordingInspection(snapshots: statuses, inputsChecksumOK: inputsOK, warnings: warnings)
  }
}
