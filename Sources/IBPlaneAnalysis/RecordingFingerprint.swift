import CNative
import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// A content fingerprint of a recording, written in every `plane.csv` row
/// (`recording_fingerprint`) and in every manifest (`recordingFingerprint`), so that
/// `--resume` and `merge` can refuse rows computed from another recording — two files may
/// share a name (`run.npz` in two folders) but not, in practice, a fingerprint.
///
/// What it covers, and why: the recording's metadata (sample count, layer names and widths,
/// `run` metadata, and the first snapshot's epoch, step and metrics), its inputs and its
/// labels. Those are read anyway to build the `PlaneContext`, so the fingerprint costs one
/// checksum pass over X and Y and never reads a snapshot's activations. Snapshots after the
/// first are left out on purpose: a recording that grows (training still running) keeps its
/// fingerprint, so an analysis of it can be resumed. Two runs on the same data differ in
/// their `run` metadata (seed) or in the first snapshot's metrics (the initial loss).
/// The recording's *name* is not part of it (the CSV's `recording` column carries that).
///
/// The value is 64 bits: zlib's CRC-32 (through ISA-L's `crc32_gzip_refl`) in the high half
/// and CRC-32C (`crc32_iscsi`) in the low half of the same byte stream, written as 16
/// lower-case hexadecimal digits. A CRC is not a cryptographic hash: this guards against
/// mix-ups, not against someone forging a recording.
public struct RecordingFingerprint: Sendable, Hashable, CustomStringConvertible {
  public let value: UInt64

  public init(value: UInt64) { self.value = value }

  /// Parses the 16 hexadecimal digits written by `description`; `nil` for anything else.
  public init?(parsing text: String) {
    guard text.utf8.count == 16, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }),
      let v = UInt64(text, radix: 16)
    else { return nil }
    value = v
  }

  public var description: String {
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// The fingerprint of `source`, whose inputs and labels are those of `context`.
  public init(source: SnapshotSource, context: PlaneContext) throws {
    var hasher = _FingerprintHasher()
    hasher.add(try Self.metadata(source))
    hasher.add(context: context)
    value = hasher.value
  }

  /// The metadata as canonical JSON (sorted keys), so field order never changes the value.
  private static func metadata(_ source: SnapshotSource) throws -> Data {
    struct First: Encodable { var epoch: Int; var step: Int; var metrics: [String: Double] }
    struct Metadata: Encodable {
      var version = 1
      var samples: Int
      var layers: [LayerSpec]
      var run: [String: String]
      var first: First?
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let first = source.snapshots.first.map { First(epoch: $0.epoch, step: $0.step, metrics: $0.metrics) }
    return try encoder.encode(Metadata(samples: source.sampleCount, layers: source.layers, run: source.run, first: first))
  }
}

/// Two CRCs over one byte stream; every variable-length block is preceded by its length, so
/// different splits of the same bytes cannot collide by construction.
struct _FingerprintHasher {
  /// Adds the inputs X (shape and float32 bytes; (−1, −1) when absent) and the labels Y
  /// (class count and labels, or the targets' shape and bytes) of `context`.
  mutating func add(context: PlaneContext) {
    if let x = context.inputs {
      add(Int64(x.rows), Int64(x.columns))
      x.elements.withUnsafeBytes { add($0) }
    } else {
      add(Int64(-1), Int64(-1))
    }
    switch context.labels {
    case .classes(let c, let classCount):
      add(Int64(0), Int64(classCount))
      c.map { Int64($0).littleEndian }.withUnsafeBytes { add($0) }
    case .targets(let m):
      add(Int64(m.rows), Int64(m.columns))
      m.elements.withUnsafeBytes { add($0) }
    }
  }

  private var gzip: UInt32 = 0
  private var castagnoli: UInt32 = 0

  var value: UInt64 { UInt64(gzip) << 32 | UInt64(castagnoli) }

  mutating func add(_ data: Data) {
    add(Int64(data.count))
    data.withUnsafeBytes { raw(UnsafeRawBufferPointer($0)) }
  }

  mutating func add(_ bytes: UnsafeRawBufferPointer) {
    add(Int64(bytes.count))
    raw(bytes)
  }

  mutating func add(_ values: Int64...) {
    for v in values { withUnsafeBytes(of: v.littleEndian) { raw($0) } }
  }

  private mutating func raw(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    gzip = _CRC32.update(gzip, bytes)
    // crc32_iscsi takes an `int` length: feed it at most 1 GiB at a time.
    var p = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
    var left = bytes.count
    while left > 0 {
      let n = min(left, 1 << 30)
      castagnoli = crc32_iscsi(p, Int32(n), castagnoli)
      p += n
      left -= n
    }
  }
}
