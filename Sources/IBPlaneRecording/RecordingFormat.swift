import CNative
import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Element type of the snapshot payloads. float16 (IEEE binary16) halves the file size; its
/// relative rounding error is 2⁻¹¹ ≈ 4.9e-4 and its largest finite value 65,504.
public enum StorageType: String, Sendable, CaseIterable {
  case float32, float16

  /// Bytes per stored element.
  public var byteWidth: Int { self == .float32 ? 4 : 2 }
}

/// The byte-level constants and layout rules of `activations.bin` version 1.
/// `docs/activations-format.md` is the specification; this file implements it.
enum _RecordingFormat {
  static let magic: [UInt8] = [0x89, 0x49, 0x42, 0x50, 0x52, 0x45, 0x43, 0x0A]
  static let version: UInt32 = 1
  static let preambleLength = 16
  static let maxHeaderLength = 16 << 20
  static let recordMarker: [UInt8] = [0x53, 0x4E, 0x41, 0x50]  // "SNAP"
  static let recordHeaderLength = 32
  static let maxMetricsLength = 65_536
  static let maxLayerNameBytes = 256
  static let maxLayerCount = 65_536
  /// class_count may be up to max(N, this).
  static let minClassCountLimit = 65_536
  /// Record header, largest metrics block and CRC: a record is at most this plus its payload.
  static let maxRecordOverhead = recordHeaderLength + maxMetricsLength + 4
  static let maxDimension = Int(Int32.max)
  static let formatName = "ibplane-activations"
}

/// The decoded JSON header.
struct _RecordingHeader: Equatable {
  enum LabelKind: Equatable {
    case classes(count: Int)
    case targets(width: Int)
  }
  var sampleCount: Int
  var storage: StorageType
  var layers: [LayerSpec]
  var inputWidth: Int
  var labelKind: LabelKind
  var run: [String: String]
  /// Optional per-sample split (header key `split`); nil: all samples, split unknown.
  var split: SampleSplit? = nil

  /// Checks every field (names unique, dimensions in range) and computes the byte sizes the
  /// header implies with overflow-checked arithmetic. `file` names the source in errors.
  static func validate(
    sampleCount: Int, layers: [LayerSpec], inputWidth: Int, labelKind: LabelKind, storage: StorageType, file: String
  ) throws -> _RecordingSizes {
    func bad(_ f: String, _ e: String) -> RecordingError { .invalidHeader(file: file, field: f, expected: e) }
    let maxD = _RecordingFormat.maxDimension
    guard (1...maxD).contains(sampleCount) else {
      throw bad("sample_count", "an integer in 1…\(maxD), got \(sampleCount)")
    }
    guard !layers.isEmpty else { throw bad("layers", "at least one layer") }
    guard layers.count <= _RecordingFormat.maxLayerCount else {
      throw bad("layers", "at most \(_RecordingFormat.maxLayerCount) layers, got \(layers.count)")
    }
    var names = Set<String>()
    var widthSum = 0
    for (i, l) in layers.enumerated() {
      guard !l.name.isEmpty, l.name.utf8.count <= _RecordingFormat.maxLayerNameBytes else {
        throw bad("layers[\(i)].name", "a non-empty name of at most 256 UTF-8 bytes")
      }
      guard names.insert(l.name).inserted else { throw bad("layers[\(i)].name", "unique layer names; '\(l.name)' repeats") }
      guard (1...maxD).contains(l.width) else { throw bad("layers[\(i)].width", "an integer in 1…\(maxD), got \(l.width)") }
      // At most 65,536 widths below 2³¹: the sum stays below 2⁴⁷.
      widthSum += l.width
    }
    guard (0...maxD).contains(inputWidth) else { throw bad("input_width", "an integer in 0…\(maxD), got \(inputWidth)") }
    let labelWidth: Int
    let labelField: String
    switch labelKind {
    case .classes(let c):
      // Classes beyond N cannot all occur; the bound keeps the per-class tables estimators
      // allocate (a few bytes × C) within a small multiple of the labels block itself.
      let maxC = Swift.max(sampleCount, _RecordingFormat.minClassCountLimit)
      guard (1...maxC).contains(c) else {
        throw bad("labels.class_count", "an integer in 1…\(maxC) (at most max(N, 65,536) with N = \(sampleCount)), got \(c)")
      }
      (labelWidth, labelField) = (1, "sample_count")
    case .targets(let k):
      guard (1...maxD).contains(k) else { throw bad("labels.width", "an integer in 1…\(maxD), got \(k)") }
      (labelWidth, labelField) = (k, "labels.width")
    }
    // Each block's byte length, N × width × element size, must fit in 64 bits.
    func bytes(_ field: String, _ what: String, _ width: Int, _ elementSize: Int) throws -> Int {
      guard let n = _Checked.product(sampleCount, width, elementSize) else {
        throw bad(field, "N × \(what) × \(elementSize) bytes that fit in 64 bits (N = \(sampleCount), \(what) = \(width))")
      }
      return n
    }
    let sizes = _RecordingSizes(
      inputsLength: try bytes("input_width", "d", inputWidth, 4),
      labelsLength: try bytes(labelField, "label width", labelWidth, 4),
      payloadLength: try bytes("layers", "Σ widths", widthSum, storage.byteWidth))
    guard sizes.payloadLength <= Int.max - _RecordingFormat.maxRecordOverhead else {
      throw bad(
        "layers",
        "a record (N × Σ widths × \(storage.byteWidth) = \(sizes.payloadLength) payload bytes plus up to \(_RecordingFormat.maxRecordOverhead) bytes of header, metrics and CRC) whose length fits in 64 bits")
    }
    return sizes
  }

  /// The JSON text (keys sorted, so the bytes are reproducible).
  func jsonData() throws -> Data {
    var labels: [String: Any]
    switch labelKind {
    case .classes(let c): labels = ["kind": "classes", "class_count": c]
    case .targets(let k): labels = ["kind": "targets", "width": k]
    }
    var object: [String: Any] = [
      "format": _RecordingFormat.formatName,
      "sample_count": sampleCount,
      "storage": storage.rawValue,
      "layers": layers.map { ["name": $0.name, "width": $0.width] as [String: Any] },
      "input_width": inputWidth,
      "labels": labels,
      "run": run,
    ]
    // Only when present, so files without a split keep their bytes.
    if let split { object["split"] = split.encoded }
    return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
  }

  /// Parses and validates header JSON bytes; returns the header and the sizes it implies.
  static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (_RecordingHeader, _RecordingSizes) {
    func bad(_ f: String, _ e: String) -> RecordingError { .invalidHeader(file: file, field: f, expected: e) }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
    } catch {
      throw bad("(header)", "a UTF-8 JSON object (\(error.localizedDescription))")
    }
    guard let dict = object as? [String: Any] else { throw bad("(header)", "a JSON object at the top level") }
    if let f = dict["format"] {
      guard let s = f as? String, s == _RecordingFormat.formatName else {
        throw bad("format", "\"\(_RecordingFormat.formatName)\"")
      }
    }
    func integer(_ value: Any?, _ field: String) throws -> Int {
      guard let value else { throw bad(field, "an integer (the key is missing)") }
      // JSON true/false arrive as NSNumber too; their objCType is "c" (char).
      guard let n = value as? NSNumber, String(cString: n.objCType) != "c", let i = Int(exactly: n.doubleValue), Double(i) == n.doubleValue
      else { throw bad(field, "an integer, got \(value)") }
      // Reject numbers beyond 2^53 that a double cannot hold exactly.
      guard abs(n.doubleValue) < 9.0e15 else { throw bad(field, "an integer below 2^53, got \(n)") }
      return i
    }
    let n = try integer(dict["sample_count"], "sample_count")
    guard let storageName = dict["storage"] else { throw bad("storage", "\"float32\" or \"float16\" (the key is missing)") }
    guard let s = storageName as? String, let storage = StorageType(rawValue: s) else {
      throw bad("storage", "\"float32\" or \"float16\", got \(storageName)")
    }
    guard let layerList = dict["layers"] else { throw bad("layers", "an array of {name, width} (the key is missing)") }
    guard let layerArray = layerList as? [Any] else { throw bad("layers", "an array of {name, width}") }
    var layers: [LayerSpec] = []
    for (i, item) in layerArray.enumerated() {
      guard let l = item as? [String: Any] else { throw bad("layers[\(i)]", "an object {name, width}") }
      guard let name = l["name"] as? String else { throw bad("layers[\(i)].name", "a string") }
      let width = try integer(l["width"], "layers[\(i)].width")
      layers.append(LayerSpec(name: name, width: width))
    }
    let inputWidth = dict["input_width"] == nil ? 0 : try integer(dict["input_width"], "input_width")
    guard let labelObject = dict["labels"] else { throw bad("labels", "an object {kind, …} (the key is missing)") }
    guard let labelDict = labelObject as? [String: Any] else { throw bad("labels", "an object {kind, …}") }
    let labelKind: LabelKind
    switch labelDict["kind"] as? String {
    case "classes": labelKind = .classes(count: try integer(labelDict["class_count"], "labels.class_count"))
    case "targets": labelKind = .targets(width: try integer(labelDict["width"], "labels.width"))
    default: throw bad("labels.kind", "\"classes\" or \"targets\"")
    }
    var run: [String: String] = [:]
    if let r = dict["run"] {
      guard let rd = r as? [String: Any] else { throw bad("run", "an object") }
      for (k, v) in rd {
        switch v {
        case let s as String: run[k] = s
        case let b as Bool: run[k] = b ? "true" : "false"
        case let num as NSNumber: run[k] = num.stringValue
        default: continue
        }
      }
    }
    let sizes = try validate(
      sampleCount: n, layers: layers, inputWidth: inputWidth, labelKind: labelKind, storage: storage, file: file)
    var split: SampleSplit? = nil
    if let value = dict["split"] {
      guard let text = value as? String else {
        throw bad("split", "a string of one character per sample ('T' train, 'E' test, 'U' unused)")
      }
      split = try SampleSplit.decode(text, sampleCount: n, file: file)
    }
    let header = _RecordingHeader(
      sampleCount: n, storage: storage, layers: layers, inputWidth: inputWidth, labelKind: labelKind, run: run,
      split: split)
    return (header, sizes)
  }
}

/// Byte sizes a header implies, computed once with overflow-checked arithmetic by
/// `_RecordingHeader.validate`; readers compare them with the real file size before reading.
struct _RecordingSizes: Equatable {
  /// N × d × 4 (0 without an inputs block).
  var inputsLength: Int
  /// N × 4 (classes) or N × k × 4 (targets).
  var labelsLength: Int
  /// N × Σ widths × element size: the exact payload length of every record.
  var payloadLength: Int
}


/// Metrics of a snapshot record: entries `u16 length, UTF-8 name, f64 value`.
enum _Metrics {
  static func encode(_ metrics: [String: Double], file: String) throws -> [UInt8] {
    var out: [UInt8] = []
    for (name, value) in metrics.sorted(by: { $0.key < $1.key }) {
      let bytes = Array(name.utf8)
      guard (1...1024).contains(bytes.count) else {
        throw RecordingError.shapeMismatch(file: file, field: "metrics", expected: "metric names of 1…1024 UTF-8 bytes")
      }
      out.appendLE(UInt16(bytes.count))
      out.append(contentsOf: bytes)
      out.appendLE(value.bitPattern)
    }
    guard out.count <= _RecordingFormat.maxMetricsLength else {
      throw RecordingError.shapeMismatch(file: file, field: "metrics", expected: "at most 65,536 bytes of metrics")
    }
    return out
  }

  enum Decoded {
    case success([String: Double])
    case failure(String)
  }

  /// Decodes, or gives the reason the bytes are malformed.
  static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded {
    var out: [String: Double] = [:]
    var i = 0
    while i < bytes.count {
      guard i + 2 <= bytes.count else { return .failure("metric entry at \(i) cut inside its name length") }
      let len = Int(bytes.le(i, as: UInt16.self))
      guard len >= 1, i + 2 + len + 8 <= bytes.count else {
        return .failure(
          "metric entry at \(i) with a non-empty name and its value within the \(bytes.count - i) bytes left, got a name of \(len) bytes")
      }
      guard let name = String(validating: UnsafeRawBufferPointer(rebasing: bytes[(i + 2)..<(i + 2 + len)]), as: UTF8.self) else {
        return .failure("metric name at \(i) in UTF-8")
      }
      guard out[name] == nil else { return .failure("unique metric names; '\(name)' repeats") }
      out[name] = Double(bitPattern: bytes.le(i + 2 + len, as: UInt64.self))
      i += 2 + len + 8
    }
    return .success(out)
  }
}
