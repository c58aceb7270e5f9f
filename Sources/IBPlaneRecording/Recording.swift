import CNative
import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Where one snapshot record lies in the file.
struct _RecordPosition: Sendable, Equatable {
  var offset: Int
  var length: Int
  /// Byte offset of the first layer's payload.
  var payloadOffset: Int
}

/// A recording (`activations.bin`, see `docs/activations-format.md`), memory-mapped and lazy.
///
/// Opening reads and checks the preamble, the JSON header, the labels block and the fixed
/// header of every snapshot record (to build the index) — a few pages, whatever the file's
/// size. Every length is compared with the file size before anything is allocated or read.
/// Snapshot payloads and the inputs block are read only when asked for, and their CRC-32 is
/// checked on first access (or for every record at open when `skipDamaged` is set).
///
/// A file that ends inside its last record (a run killed mid-write) opens with a warning;
/// every complete record stays readable.
///
/// Complexity: opening is O(records + N) (labels); `layer(_:snapshot:)` is O(N × width) plus,
/// once per record, an O(record length) CRC pass.
// @unchecked Sendable: the index fields (`snapshots`, `records`, `warnings`) are written only by
// the opening scan in `init`; afterwards the object is read-only and reads of the mapped file
// are position-independent.
public final class Recording: SnapshotSource, @unchecked Sendable {
  public let url: URL
  /// The file name without its extension (the `recording` column of analysis reports).
  public var name: String { url.deletingPathExtension().lastPathComponent }
  public let layers: [LayerSpec]
  public let sampleCount: Int
  /// d, the width of the inputs; 0 when the recording has no inputs block.
  public let inputWidth: Int
  public let storage: StorageType
  public let labels: Labels
  public let run: [String: String]
  /// The per-sample train/test split, or nil when the file has none (all samples, split unknown).
  public let split: SampleSplit?
  /// The readable snapshots, in file order (with each record's byte `offset` and `length`).
  public private(set) var snapshots: [SnapshotInfo] = []
  /// Position of each readable snapshot's record, parallel to `snapshots`.
  private(set) var records: [_RecordPosition] = []
  /// Non-fatal findings of the open: truncated tail, skipped damaged records.
  public private(set) var warnings: [String] = []
  /// Size of the file in bytes.
  public var fileSize: Int { file.count }
  /// Offset of the first snapshot record (end of the labels block).
  public let dataOffset: Int
  /// Offset just past the last complete record: where an appending writer continues.
  public private(set) var endOfRecords: Int = 0
  /// True when the file ends inside a record.
  public private(set) var hasTruncatedTail = false
  /// Records dropped because of damage (`skipDamaged`).
  public private(set) var skippedRecordCount = 0
  /// One `malformedRecord` error for each readable snapshot whose (epoch, step) an earlier one
  /// already has. Such a file is readable, but an analysis cannot tell the two apart and
  /// refuses it; `ibplane inspect` calls it invalid. Each is also in `warnings`.
  public private(set) var duplicateSnapshots: [RecordingError] = []

  let file: _MappedFile
  let header: _RecordingHeader
  /// Block and payload lengths implied by the header (overflow-checked by `validate`).
  let sizes: _RecordingSizes
  var payloadLength: Int { sizes.payloadLength }
  private let inputsOffset: Int
  private let lock = NSLock()
  private var verified: [Bool] = []
  private var path: String { file.path }

  /// Opens `url`. Throws `RecordingError` for anything that makes the file unusable; with
  /// `skipDamaged`, records with a bad CRC (checked for all records now, which reads the whole
  /// file) or a corrupt record header (which ends the index) are skipped with a warning.
  public init(contentsOf url: URL, skipDamaged: Bool = false) throws {
    self.url = url
    let file = try _MappedFile(path: url.path)
    self.file = file
    let path = url.path
    let size = file.count
    let f = _RecordingFormat.self
    guard size >= 8 else {
      if size == 0 || file.bytes(0, size).elementsEqual(f.magic.prefix(size)) {
        throw RecordingError.truncated(file: path, offset: 0, field: "preamble", expected: "16 bytes, got \(size)")
      }
      throw RecordingError.badMagic(file: path)
    }
    guard file.bytes(0, 8).elementsEqual(f.magic) else { throw RecordingError.badMagic(file: path) }
    guard size >= f.preambleLength else {
      throw RecordingError.truncated(file: path, offset: 8, field: "preamble", expected: "16 bytes, got \(size)")
    }
    let pre = file.bytes(0, f.preambleLength)
    let version: UInt32 = pre.le(8)
    guard version == f.version else {
      throw RecordingError.unsupportedVersion(file: path, version: version, supported: f.version)
    }
    let headerLength = Int(pre.le(12, as: UInt32.self))
    guard headerLength >= 2, headerLength <= f.maxHeaderLength else {
      throw RecordingError.invalidBlock(
        file: path, offset: 12, field: "header length", expected: "2…\(f.maxHeaderLength) bytes, got \(headerLength)")
    }
    guard f.preambleLength + headerLength + 4 <= size else {
      throw RecordingError.truncated(
        file: path, offset: f.preambleLength, field: "header",
        expected: "\(headerLength) header bytes and a 4-byte CRC, but only \(size - f.preambleLength) bytes follow")
    }
    let headerBytes = file.bytes(f.preambleLength, headerLength)
    let storedHeaderCRC: UInt32 = file.bytes(f.preambleLength + headerLength, 4).le(0)
    let headerCRC = _CRC32.checksum(headerBytes)
    guard storedHeaderCRC == headerCRC else {
      throw RecordingError.checksumMismatch(
        file: path, block: "header", offset: f.preambleLength, stored: storedHeaderCRC, computed: headerCRC)
    }
    let (header, sizes) = try _RecordingHeader.parse(headerBytes, file: path)
    self.header = header
    self.sizes = sizes
    self.layers = header.layers
    self.sampleCount = header.sampleCount
    self.inputWidth = header.inputWidth
    self.storage = header.storage
    self.run = header.run
    self.split = header.split
    let n = header.sampleCount

    // Inputs block: N × d float32 + CRC; only its extent is checked now. Every length below is
    // compared with the bytes left before any offset is formed from it.
    var offset = f.preambleLength + headerLength + 4
    inputsOffset = offset
    if header.inputWidth > 0 {
      let length = sizes.inputsLength
      guard length <= size - offset, size - offset - length >= 4 else {
        throw RecordingError.truncated(
          file: path, offset: offset, field: "inputs block",
          expected: "\(n) × \(header.inputWidth) float32 (\(length) bytes) and a CRC, but only \(size - offset) bytes follow")
      }
      offset += length + 4
    }

    // Labels block: checked and decoded now (it is small and `labels` does not throw).
    let labelBytes = sizes.labelsLength
    guard labelBytes <= size - offset, size - offset - labelBytes >= 4 else {
      throw RecordingError.truncated(
        file: path, offset: offset, field: "labels block",
        expected: "\(labelBytes) label bytes and a CRC, but only \(size - offset) bytes follow")
    }
    let labelBlock = file.bytes(offset, labelBytes)
    let storedLabelCRC: UInt32 = file.bytes(offset + labelBytes, 4).le(0)
    let labelCRC = _CRC32.checksum(labelBlock)
    guard storedLabelCRC == labelCRC else {
      throw RecordingError.checksumMismatch(file: path, block: "labels", offset: offset, stored: storedLabelCRC, computed: labelCRC)
    }
    switch header.labelKind {
    case .classes(let c):
      var classes = [Int](repeating: 0, count: n)
      for i in 0..<n {
        let y = Int(labelBlock.le(i * 4, as: Int32.self))
        guard y >= 0, y < c else {
          throw RecordingError.invalidBlock(
            file: path, offset: offset + i * 4, field: "labels[\(i)]", expected: "a class index in 0…\(c - 1), got \(y)")
        }
        classes[i] = y
      }
      labels = .classes(classes, classCount: c)
    case .targets(let k):
      let targets = _Decode.float32(labelBlock)
      // The writers refuse non-finite targets; one here would become a silent NaN estimate.
      if let i = targets.firstIndex(where: { !$0.isFinite }) {
        throw RecordingError.invalidBlock(
          file: path, offset: offset + i * 4, field: "labels[\(i / k)][\(i % k)]", expected: "a finite target, got \(targets[i])")
      }
      labels = .targets(try Matrix(rows: n, columns: k, elements: targets))
    }
    offset += labelBytes + 4
    dataOffset = offset
    try buildIndex(skipDamaged: skipDamaged)
  }

  /// Walks the record headers from `dataOffset`; see the "Damage" section of the spec.
  private func buildIndex(skipDamaged: Bool) throws {
    let size = file.count
    let f = _RecordingFormat.self
    var offset = dataOffset
    var k = 0  // record number in the file (including skipped ones)
    var firstWith: [SnapshotKey: (index: Int, offset: Int)] = [:]
    while offset < size {
      let left = size - offset
      guard left >= f.recordHeaderLength else {
        noteTruncatedTail(k, offset, "the file ends \(left) bytes into its 32-byte record header")
        break
      }
      let h = file.bytes(offset, f.recordHeaderLength)
      func corrupt(_ field: String, _ expected: String) throws {
        let e = RecordingError.malformedRecord(file: path, snapshot: k, offset: offset, field: field, expected: expected)
        guard skipDamaged else { throw e }
        warnings.append("\(e); the rest of the file (\(size - offset) bytes) is skipped")
        skippedRecordCount += 1
      }
      guard h.prefix(4).elementsEqual(f.recordMarker) else {
        try corrupt("marker", "the record marker SNAP")
        break
      }
      let metricsLength = Int(h.le(4, as: UInt32.self))
      let payload = h.le(24, as: UInt64.self)
      guard metricsLength <= f.maxMetricsLength else {
        try corrupt("metrics length", "at most \(f.maxMetricsLength) bytes, got \(metricsLength)")
        break
      }
      guard payload == UInt64(payloadLength) else {
        try corrupt("payload length", "\(payloadLength) bytes (N × Σ widths × \(storage.byteWidth)), got \(payload)")
        break
      }
      // `validate` bounds payloadLength by Int.max − maxRecordOverhead, so this cannot overflow.
      let length = f.recordHeaderLength + metricsLength + payloadLength + 4
      guard length <= left else {
        noteTruncatedTail(k, offset, "the record needs \(length) bytes but the file has \(left) left")
        break
      }
      let decoded = _Metrics.decode(file.bytes(offset + f.recordHeaderLength, metricsLength))
      if case .failure(let why) = decoded {
        try corrupt("metrics", why)
        break
      }
      guard case .success(let metrics) = decoded else { break }
      let info = SnapshotInfo(
        epoch: Int(h.le(8, as: Int64.self)), step: Int(h.le(16, as: Int64.self)), metrics: metrics, offset: offset, length: length)
      let position = _RecordPosition(offset: offset, length: length, payloadOffset: offset + f.recordHeaderLength + metricsLength)
      if skipDamaged, let mismatch = checksumError(position, number: k) {
        warnings.append("\(mismatch); snapshot skipped")
        skippedRecordCount += 1
      } else {
        let key = SnapshotKey(epoch: info.epoch, step: info.step)
        if let first = firstWith[key] {
          let e = RecordingError.malformedRecord(
            file: path, snapshot: snapshots.count, offset: offset, field: "(epoch \(info.epoch), step \(info.step))",
            expected:
              "an (epoch, step) no earlier snapshot has; snapshot \(first.index) at offset \(first.offset) has it too (an analysis refuses repeated snapshots)")
          duplicateSnapshots.append(e)
          warnings.append("\(e)")
        } else {
          firstWith[key] = (snapshots.count, offset)
        }
        snapshots.append(info)
        records.append(position)
        verified.append(skipDamaged)
      }
      offset += length
      endOfRecords = offset
      k += 1
    }
    if endOfRecords == 0 { endOfRecords = dataOffset }
  }

  private struct SnapshotKey: Hashable {
    var epoch: Int
    var step: Int
  }

  private func noteTruncatedTail(_ k: Int, _ offset: Int, _ why: String) {
    hasTruncatedTail = true
    warnings.append(
      "\(path): snapshot \(k) at offset \(offset) is incomplete (\(why)), probably a run killed while writing; it is skipped and the \(snapshots.count) complete snapshot\(snapshots.count == 1 ? "" : "s") before it are readable"
    )
  }

  /// The CRC error of a record, or nil when it checks out.
  private func checksumError(_ s: _RecordPosition, number: Int) -> RecordingError? {
    let body = file.bytes(s.offset, s.length - 4)
    let stored: UInt32 = file.bytes(s.offset + s.length - 4, 4).le(0)
    let computed = _CRC32.checksum(body)
    guard stored != computed else { return nil }
    return .checksumMismatch(file: path, block: "snapshot \(number)", offset: s.offset, stored: stored, computed: computed)
  }

  /// Checks the CRC of snapshot `snapshot` once; later calls are free.
  public func verify(snapshot: Int) throws {
    try checkIndex(snapshot, snapshots.count, "snapshot")
    lock.lock()
    let done = verified[snapshot]
    lock.unlock()
    if done { return }
    if let e = checksumError(records[snapshot], number: snapshot) { throw e }
    lock.lock()
    verified[snapshot] = true
    lock.unlock()
  }

  private func checkIndex(_ i: Int, _ count: Int, _ field: String) throws {
    guard i >= 0, i < count else { throw RecordingError.indexOutOfRange(file: path, field: field, index: i, count: count) }
  }

  /// Byte range of one layer inside a snapshot's payload.
  private func layerRange(_ layerIndex: Int, _ s: _RecordPosition) -> (Int, Int) {
    var start = s.payloadOffset
    for l in 0..<layerIndex { start += layers[l].width * sampleCount * storage.byteWidth }
    return (start, layers[layerIndex].width * sampleCount * storage.byteWidth)
  }

  /// The activations of layer `layerIndex` at snapshot `snapshot`, N × width, as float32.
  ///
  /// Checks the record's CRC on first access and throws `checksumMismatch` naming the record and
  /// its byte offset. Throws `nonFiniteValues` (snapshot, layer, count) when the layer holds NaN
  /// or ±Inf, unless `allowNonFinite` is set.
  ///
  /// The first access to a snapshot decodes all its layers in one pass that copies, checksums and
  /// scans each 64 KiB chunk while it is in cache, and keeps the result for the most recent
  /// snapshots (`decodedSnapshotCacheSize`), so streaming snapshot by snapshot, layer by layer,
  /// touches every byte of the file once. Later accesses to an already verified snapshot that
  /// has left the cache decode only the requested layer.
  public func layer(_ layerIndex: Int, snapshot: Int, allowNonFinite: Bool) throws -> Matrix<Float> {
    try checkIndex(layerIndex, layers.count, "layer")
    try checkIndex(snapshot, snapshots.count, "snapshot")
    let (matrix, bad) = try decodedLayer(layerIndex, snapshot: snapshot)
    if bad > 0 && !allowNonFinite {
      let info = snapshots[snapshot]
      throw RecordingError.nonFiniteValues(
        file: path, snapshot: snapshot, epoch: info.epoch, step: info.step, layer: layers[layerIndex].name, count: bad)
    }
    return matrix
  }

  /// The activations of layer `layerIndex` at snapshot `snapshot`; throws `nonFiniteValues`
  /// when they hold NaN or ±Inf. See `layer(_:snapshot:allowNonFinite:)`.
  public func layer(_ layerIndex: Int, snapshot: Int) throws -> Matrix<Float> {
    try layer(layerIndex, snapshot: snapshot, allowNonFinite: false)
  }

  /// How many decoded snapshots `layer(_:snapshot:)` keeps (most recent first).
  public static let decodedSnapshotCacheSize = 2

  private struct DecodedSnapshot {
    var index: Int
    var layers: [Matrix<Float>]
    var nonFinite: [Int]
  }
  private var decodedCache: [DecodedSnapshot] = []

  private func decodedLayer(_ l: Int, snapshot s: Int) throws -> (Matrix<Float>, Int) {
    lock.lock()
    if let hit = decodedCache.first(where: { $0.index == s }) {
      lock.unlock()
      return (hit.layers[l], hit.nonFinite[l])
    }
    let isVerified = verified[s]
    lock.unlock()
    let info = records[s]
    if isVerified {
      let (start, length) = layerRange(l, info)
      var crc: UInt32 = 0
      let (values, bad) = try _Decode.decode(file, offset: start, length: length, storage: storage, crc: &crc, computeCRC: false)
      return (try Matrix(rows: sampleCount, columns: layers[l].width, elements: values), bad)
    }
    // First access: decode the whole record, checksumming as we go; nothing is returned unless
    // the CRC matches.
    var crc = _CRC32.checksum(file.bytes(info.offset, info.payloadOffset - info.offset))
    var decoded = DecodedSnapshot(index: s, layers: [], nonFinite: [])
    for k in layers.indices {
      let (start, length) = layerRange(k, info)
      let (values, bad) = try _Decode.decode(file, offset: start, length: length, storage: storage, crc: &crc, computeCRC: true)
      decoded.layers.append(try Matrix(rows: sampleCount, columns: layers[k].width, elements: values))
      decoded.nonFinite.append(bad)
    }
    let stored: UInt32 = file.bytes(info.offset + info.length - 4, 4).le(0)
    guard stored == crc else {
      throw RecordingError.checksumMismatch(file: path, block: "snapshot \(s)", offset: info.offset, stored: stored, computed: crc)
    }
    lock.lock()
    verified[s] = true
    decodedCache.removeAll { $0.index == s }
    decodedCache.insert(decoded, at: 0)
    if decodedCache.count > Self.decodedSnapshotCacheSize { decodedCache.removeLast() }
    lock.unlock()
    return (decoded.layers[l], decoded.nonFinite[l])
  }

  /// The number of NaN/±Inf values of every layer at `snapshot` (after checking its CRC).
  public func nonFiniteCounts(snapshot: Int) throws -> [Int] {
    try verify(snapshot: snapshot)
    return (0..<layers.count).map { l in
      let (start, length) = layerRange(l, records[snapshot])
      let bytes = file.bytes(start, length)
      return storage == .float32 ? _Decode.nonFiniteCountFloat32(bytes) : _Decode.nonFiniteCountFloat16(bytes)
    }
  }

  /// The inputs X (N × d), or nil when the recording has none (then X is taken as N distinct
  /// inputs, and estimators that need input values must say so). Checks the block's CRC, and
  /// refuses NaN/±Inf inputs (the writers never store them) naming the first one's offset.
  public var inputs: Matrix<Float>? {
    get throws {
      guard inputWidth > 0 else { return nil }
      let length = sizes.inputsLength
      let bytes = file.bytes(inputsOffset, length)
      let stored: UInt32 = file.bytes(inputsOffset + length, 4).le(0)
      let computed = _CRC32.checksum(bytes)
      guard stored == computed else {
        throw RecordingError.checksumMismatch(file: path, block: "inputs", offset: inputsOffset, stored: stored, computed: computed)
      }
      let values = _Decode.float32(bytes)
      if let i = values.firstIndex(where: { !$0.isFinite }) {
        throw RecordingError.invalidBlock(
          file: path, offset: inputsOffset + i * 4, field: "inputs[\(i / inputWidth)][\(i % inputWidth)]",
          expected: "a finite input, got \(values[i])")
      }
      return try Matrix(rows: sampleCount, columns: inputWidth, elements: values)
    }
  }

  /// A `PlaneContext` over this recording's inputs and labels.
  public func makePlaneContext() throws -> PlaneContext {
    try PlaneContext(inputs: try inputs, labels: labels)
  }

  /// Hints the kernel that snapshots will be streamed in order (read-ahead).
  public func adviseSequentialRead() {
    file.adviseSequential(offset: dataOffset, length: file.count - dataOffset)
  }
}
