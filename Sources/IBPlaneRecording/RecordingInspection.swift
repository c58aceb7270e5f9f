import Foundation
import IBPlaneCore

/// A full check of a recording: every record's CRC-32, the inputs block's CRC and values, the
/// NaN/Inf count of every layer of every snapshot, and repeated (epoch, step) pairs. Reads the
/// whole file once: O(file size).
///
/// Three outcomes, the exit codes of `ibplane inspect`: valid; damaged but readable (a
/// truncated tail, skipped or CRC-damaged records, damaged inputs — an analysis still runs on
/// what is left); invalid (`problems`: what an analysis refuses even though every byte reads).
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
  /// The warnings of the open (truncated tail, skipped records, repeated snapshots).
  public var warnings: [String]
  /// True when the file ends inside a record.
  public var hasTruncatedTail: Bool
  /// Records the open skipped because of damage.
  public var skippedRecordCount: Int
  /// What makes the recording unusable for an analysis although it reads: snapshots that repeat
  /// an (epoch, step), NaN/±Inf inputs. Each error names the file and the byte offset.
  public var problems: [RecordingError]

  public var damagedSnapshotCount: Int { snapshots.filter { $0.checksumError != nil }.count }
  public var nonFiniteTotal: Int { snapshots.reduce(0) { $0 + $1.nonFiniteCounts.reduce(0, +) } }
  /// True when something was lost: a truncated tail, a skipped record, a CRC mismatch.
  public var isDamaged: Bool {
    hasTruncatedTail || skippedRecordCount > 0 || damagedSnapshotCount > 0 || inputsChecksumOK == false
  }
  /// True when an analysis would refuse the recording (see `problems`).
  public var isInvalid: Bool { !problems.isEmpty }
}

extension Recording {
  /// Checks every CRC, counts NaN/Inf values in every layer and collects repeated snapshots.
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
    var problems = duplicateSnapshots
    if inputWidth > 0 {
      do {
        _ = try inputs
        inputsOK = true
      } catch let e as RecordingError where e.kind != "checksumMismatch" {
        inputsOK = true
        problems.append(e)
      } catch {
        inputsOK = false
      }
    }
    return RecordingInspection(
      snapshots: statuses, inputsChecksumOK: inputsOK, warnings: warnings, hasTruncatedTail: hasTruncatedTail,
      skippedRecordCount: skippedRecordCount, problems: problems)
  }
}
