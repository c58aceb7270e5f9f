import Foundation

/// Why a recording could not be read, written or imported. Every case names the file and the
/// place in it (byte offset, header field, snapshot index) and says what was expected, so the
/// message alone tells the user what is wrong with which bytes.
public enum RecordingError: Error, Equatable, CustomStringConvertible {
  /// The file could not be opened, mapped or created (`reason` is the system's): a missing
  /// file, a folder, a file that exists, a permission.
  case io(file: String, operation: String, reason: String)
  /// The system failed an operation on a file that opened fine — a write or `fsync` on a full
  /// disk or over quota, a read error, a rename. Not a fault of the data: the CLI exits 1.
  case systemFailure(file: String, operation: String, reason: String)
  /// The first 8 bytes are not the activations.bin magic.
  case badMagic(file: String)
  /// The format version is one this reader does not know.
  case unsupportedVersion(file: String, version: UInt32, supported: UInt32)
  /// The file ends before a part that the header declares.
  case truncated(file: String, offset: Int, field: String, expected: String)
  /// A header field is missing, has the wrong type or an impossible value.
  case invalidHeader(file: String, field: String, expected: String)
  /// A block's data is wrong (e.g. a class label out of range).
  case invalidBlock(file: String, offset: Int, field: String, expected: String)
  /// A CRC-32 does not match; `block` is `header`, `inputs`, `labels` or `snapshot k`.
  case checksumMismatch(file: String, block: String, offset: Int, stored: UInt32, computed: UInt32)
  /// A snapshot record's fixed header or metrics are corrupt.
  case malformedRecord(file: String, snapshot: Int, offset: Int, field: String, expected: String)
  /// A layer holds NaN or ±Inf values; the snapshot is named by its index and its epoch and step.
  case nonFiniteValues(file: String, snapshot: Int, epoch: Int, step: Int, layer: String, count: Int)
  /// An index outside the recording (snapshot or layer).
  case indexOutOfRange(file: String, field: String, index: Int, count: Int)
  /// What a writer was given disagrees with the header (layer count, shapes, float16 range…).
  case shapeMismatch(file: String, field: String, expected: String)
  /// A NumPy import source (`.npz` or folder) does not follow the documented convention.
  case importFailure(file: String, field: String, expected: String)

  /// A stable short name of the case, used by `ibplane inspect --json` and by tests.
  public var kind: String {
    switch self {
    case .io: return "io"
    case .systemFailure: return "systemFailure"
    case .badMagic: return "badMagic"
    case .unsupportedVersion: return "unsupportedVersion"
    case .truncated: return "truncated"
    case .invalidHeader: return "invalidHeader"
    case .invalidBlock: return "invalidBlock"
    case .checksumMismatch: return "checksumMismatch"
    case .malformedRecord: return "malformedRecord"
    case .nonFiniteValues: return "nonFiniteValues"
    case .indexOutOfRange: return "indexOutOfRange"
    case .shapeMismatch: return "shapeMismatch"
    case .importFailure: return "importFailure"
    }
  }

  public var description: String {
    switch self {
    case .io(let f, let op, let reason), .systemFailure(let f, let op, let reason):
      return "\(f): cannot \(op): \(reason)"
    case .badMagic(let f):
      return "\(f): offset 0: not an ibplane recording (expected the 8-byte magic \\x89IBPREC\\n)"
    case .unsupportedVersion(let f, let v, let s):
      return "\(f): offset 8: format version \(v) is not supported (this reader knows version \(s)); update ibplane"
    case .truncated(let f, let o, let field, let e):
      return "\(f): offset \(o): \(field): file ends early (expected \(e))"
    case .invalidHeader(let f, let field, let e):
      return "\(f): header field '\(field)': expected \(e)"
    case .invalidBlock(let f, let o, let field, let e):
      return "\(f): offset \(o): \(field): expected \(e)"
    case .checksumMismatch(let f, let b, let o, let s, let c):
      return "\(f): \(b) at offset \(o): CRC-32 mismatch (stored \(hex(s)), computed \(hex(c))): the bytes are damaged"
    case .malformedRecord(let f, let i, let o, let field, let e):
      return "\(f): snapshot \(i) at offset \(o): \(field): expected \(e)"
    case .nonFiniteValues(let f, let i, let epoch, let step, let l, let n):
      return "\(f): snapshot \(i) (epoch \(epoch), step \(step)), layer '\(l)': \(n) NaN/Inf value\(n == 1 ? "" : "s")"
    case .indexOutOfRange(let f, let field, let i, let n):
      return "\(f): \(field) \(i) does not exist (the recording has \(n))"
    case .shapeMismatch(let f, let field, let e):
      return "\(f): \(field): expected \(e)"
    case .importFailure(let f, let field, let e):
      return "\(f): \(field): expected \(e)"
    }
  }
}

extension RecordingError {
  /// True when the system, not the input, failed (`systemFailure`: disk full, I/O error). The
  /// CLI exits 1 for these and 2 for every other case, which describes bad input or usage.
  public var isRuntimeFailure: Bool {
    if case .systemFailure = self { return true }
    return false
  }
}

private func hex(_ v: UInt32) -> String { "0x" + String(format: "%08x", v) }
