import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Writes a recording (`activations.bin`, see `docs/activations-format.md`) from a training loop.
///
/// ```swift
/// let recorder = try Recorder(creating: url, layers: [LayerSpec(name: "h1", width: 10)],
///                             inputs: x, labels: .classes(y, classCount: 2), run: ["seed": "1"])
/// try recorder.record(epoch: 0, step: 0, layers: [h1], metrics: ["loss": 0.69])
/// ```
///
/// Every `record` call appends one checksummed record and hands it to the operating system
/// before returning, so a process killed at any moment loses at most the snapshot in flight;
/// set `synchronizesEachSnapshot` to also `fsync` (survives power loss, costs a disk flush).
/// Earlier bytes are never rewritten. Not thread-safe: call from one thread.
public final class Recorder {
  public let url: URL
  public let layers: [LayerSpec]
  public let sampleCount: Int
  public let storage: StorageType
  /// Number of snapshots in the file, including those present before `append(to:)`.
  public private(set) var snapshotCount: Int
  /// When set, every snapshot is followed by `fsync`.
  public var synchronizesEachSnapshot = false

  private let output: _AppendFile
  private let payloadLength: Int

  /// Creates a new file (throws if it exists unless `overwrite`), writing the header, the
  /// inputs block (when `inputs` is given, N × d) and the labels block. Use
  /// `Recorder.append(to:)` to continue an existing file, and `Recorder.writeReplacing` to
  /// replace one only once the new recording is complete. `overwrite` unlinks the old file
  /// rather than truncating it, so a `Recording` still open on it keeps reading its bytes.
  /// A failed write (disk full) throws `systemFailure` naming the file.
  public init(
    creating url: URL, layers: [LayerSpec], inputs: Matrix<Float>?, labels: Labels, storage: StorageType = .float32,
    run: [String: String] = [:], split: SampleSplit? = nil, overwrite: Bool = false
  ) throws {
    let path = url.path
    let n = labels.sampleCount
    let labelKind: _RecordingHeader.LabelKind
    switch labels {
    case .classes(let c, let k):
      labelKind = .classes(count: k)
      if let bad = c.firstIndex(where: { $0 < 0 || $0 >= k }) {
        throw RecordingError.shapeMismatch(
          file: path, field: "labels[\(bad)]", expected: "a class index in 0…\(k - 1), got \(c[bad])")
      }
    case .targets(let t): labelKind = .targets(width: t.columns)
    }
    if let x = inputs, x.rows != n {
      throw RecordingError.shapeMismatch(file: path, field: "inputs", expected: "\(n) rows (one per label), got \(x.rows)")
    }
    if let split, split.count != n {
      throw RecordingError.shapeMismatch(file: path, field: "split", expected: "one role per sample (\(n)), got \(split.count)")
    }
    let header = _RecordingHeader(
      sampleCount: n, storage: storage, layers: layers, inputWidth: inputs?.columns ?? 0, labelKind: labelKind, run: run,
      split: split)
    do {
      payloadLength = try _RecordingHeader.validate(
        sampleCount: n, layers: layers, inputWidth: header.inputWidth, labelKind: labelKind, storage: storage, file: path
      ).payloadLength
    } catch RecordingError.invalidHeader(let f, let field, let e) {
      throw RecordingError.shapeMismatch(file: f, field: field, expected: e)
    }
    if let x = inputs, let bad = x.firstNonFiniteIndex() {
      throw RecordingError.shapeMismatch(file: path, field: "inputs[\(bad)]", expected: "finite values, got \(x.elements[bad])")
    }
    if case .targets(let t) = labels, let bad = t.firstNonFiniteIndex() {
      throw RecordingError.shapeMismatch(file: path, field: "labels[\(bad)]", expected: "finite targets, got \(t.elements[bad])")
    }

    var bytes: [UInt8] = _RecordingFormat.magic
    bytes.appendLE(_RecordingFormat.version)
    var json = Array(try header.jsonData())
    // Pad with spaces so the blocks after the header CRC start on a 64-byte boundary.
    let used = _RecordingFormat.preambleLength + json.count + 4
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (64 - used % 64) % 64))
    bytes.appendLE(UInt32(json.count))
    bytes.append(contentsOf: json)
    bytes.appendLE(json.withUnsafeBytes { _CRC32.checksum($0) })
    if let x = inputs {
      x.elements.withUnsafeBytes { raw in
        bytes.append(contentsOf: raw)
        bytes.appendLE(_CRC32.checksum(raw))
      }
    }
    switch labels {
    case .classes(let c, _):
      var block: [UInt8] = []
      block.reserveCapacity(c.count * 4)
      for y in c { block.appendLE(Int32(y)) }
      bytes.append(contentsOf: block)
      bytes.appendLE(block.withUnsafeBytes { _CRC32.checksum($0) })
    case .targets(let t):
      t.elements.withUnsafeBytes { raw in
        bytes.append(contentsOf: raw)
        bytes.appendLE(_CRC32.checksum(raw))
      }
    }
    output = try _AppendFile(path: path, mode: overwrite ? .overwrite : .createNew)
    try output.write(bytes)
    try output.synchronize()
    self.url = url
    self.layers = layers
    self.sampleCount = n
    self.storage = storage
    self.snapshotCount = 0
  }

  /// Opens an existing recording to append snapshots after its last complete record. A
  /// truncated tail (a killed run) is cut off first; a damaged file is refused.
  public static func append(to url: URL) throws -> Recorder {
    let existing = try Recording(contentsOf: url)
    return try Recorder(appendingTo: existing)
  }

  private init(appendingTo existing: Recording) throws {
    url = existing.url
    layers = existing.layers
    sampleCount = existing.sampleCount
    storage = existing.storage
    payloadLength = existing.payloadLength
    snapshotCount = existing.snapshots.count
    if existing.fileSize > existing.endOfRecords {
      try _AppendFile.truncate(path: url.path, to: existing.endOfRecords)
    }
    output = try _AppendFile(path: url.path, mode: .append)
  }

  /// Appends one snapshot: every layer's N × width activations, in header order, plus optional
  /// scalar `metrics` (loss, accuracy…). Refuses layers whose count or shapes disagree with the
  /// header, and (float16 storage) finite values beyond ±65,504 that would become infinite.
  /// NaN/Inf values are stored as given; readers report them.
  public func record(epoch: Int, step: Int, layers values: [Matrix<Float>], metrics: [String: Double] = [:]) throws {
    let path = url.path
    guard values.count == layers.count else {
      throw RecordingError.shapeMismatch(
        file: path, field: "layers", expected: "\(layers.count) layer matrices (\(layers.map(\.name).joined(separator: ", "))), got \(values.count)")
    }
    for (spec, m) in zip(layers, values) where m.rows != sampleCount || m.columns != spec.width {
      throw RecordingError.shapeMismatch(
        file: path, field: "layer '\(spec.name)'", expected: "\(sampleCount) × \(spec.width), got \(m.rows) × \(m.columns)")
    }
    var half: [[UInt16]] = []
    if storage == .float16 {
      for (spec, m) in zip(layers, values) {
        if let bad = m.elements.firstIndex(where: { $0.isFinite && abs($0) > Float(Float16.greatestFiniteMagnitude) }) {
          throw RecordingError.shapeMismatch(
            file: path, field: "layer '\(spec.name)' element \(bad)",
            expected: "a value within ±65504 for float16 storage, got \(m.elements[bad]) (use float32 storage)")
        }
        half.append(m.elements.map { Float16($0).bitPattern.littleEndian })
      }
    }
    let metricBytes = try _Metrics.encode(metrics, file: path)
    var head: [UInt8] = _RecordingFormat.recordMarker
    head.appendLE(UInt32(metricBytes.count))
    head.appendLE(Int64(epoch))
    head.appendLE(Int64(step))
    head.appendLE(UInt64(payloadLength))
    head.append(contentsOf: metricBytes)
    var crc = head.withUnsafeBytes { _CRC32.checksum($0) }
    try output.write(head)
    if storage == .float16 {
      for h in half {
        try h.withUnsafeBytes { raw in
          crc = _CRC32.update(crc, raw)
          try output.write(raw)
        }
      }
    } else {
      for m in values {
        try m.elements.withUnsafeBytes { raw in
          crc = _CRC32.update(crc, raw)
          try output.write(raw)
        }
      }
    }
    var tail: [UInt8] = []
    tail.appendLE(crc)
    try output.write(tail)
    if synchronizesEachSnapshot { try output.synchronize() }
    snapshotCount += 1
  }
}
