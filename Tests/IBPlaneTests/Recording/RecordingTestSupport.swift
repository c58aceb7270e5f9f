import CNative
import Foundation
import IBPlane

/// Builds activations.bin bytes field by field, so a test can break exactly one of them.
/// It follows docs/activations-format.md independently of the library's writer.
struct RawRecording {
  static let magic: [UInt8] = [0x89, 0x49, 0x42, 0x50, 0x52, 0x45, 0x43, 0x0A]

  var magic = RawRecording.magic
  var version: UInt32 = 1
  var headerObject: [String: Any] = [
    "sample_count": 4, "storage": "float32", "input_width": 2,
    "layers": [["name": "a", "width": 2], ["name": "b", "width": 3]],
    "labels": ["kind": "classes", "class_count": 2], "run": ["seed": "7"],
  ]
  /// When set, replaces the JSON made from `headerObject`.
  var headerText: [UInt8]? = nil
  var headerLength: UInt32? = nil
  var headerCRC: UInt32? = nil
  var inputs: [UInt8]? = RawRecording.floats((0..<8).map { Float($0) / 8 })
  var inputsCRC: UInt32? = nil
  var labels: [UInt8] = RawRecording.int32s([0, 1, 1, 0])
  var labelsCRC: UInt32? = nil
  var records: [[UInt8]] = [
    RawRecording.record(epoch: 0, step: 0, payload: RawRecording.floats((0..<20).map { Float($0) })),
    RawRecording.record(epoch: 1, step: 10, payload: RawRecording.floats((0..<20).map { Float($0) * 2 })),
  ]
  var tail: [UInt8] = []

  static func crc(_ b: [UInt8]) -> UInt32 {
    b.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
  }
  static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
  static func floats(_ v: [Float]) -> [UInt8] { v.flatMap { le($0.bitPattern) } }
  static func halves(_ v: [UInt16]) -> [UInt8] { v.flatMap { le($0) } }
  static func int32s(_ v: [Int32]) -> [UInt8] { v.flatMap { le($0) } }

  static func metric(_ name: String, _ value: Double) -> [UInt8] {
    le(UInt16(name.utf8.count)) + Array(name.utf8) + le(value.bitPattern)
  }

  /// One record; `payloadLength`, `metricsLength`, `marker` and `crc` override the true values.
  static func record(
    epoch: Int64, step: Int64, payload: [UInt8], metrics: [UInt8] = [], marker: [UInt8] = Array("SNAP".utf8),
    payloadLength: UInt64? = nil, metricsLength: UInt32? = nil, crc: UInt32? = nil
  ) -> [UInt8] {
    var r = marker + le(metricsLength ?? UInt32(metrics.count)) + le(epoch) + le(step)
    r += le(payloadLength ?? UInt64(payload.count)) + metrics + payload
    return r + le(crc ?? RawRecording.crc(r))
  }

  func bytes() -> [UInt8] {
    let json = headerText ?? Array(try! JSONSerialization.data(withJSONObject: headerObject, options: [.sortedKeys]))
    var out = magic + RawRecording.le(version) + RawRecording.le(headerLength ?? UInt32(json.count))
    out += json + RawRecording.le(headerCRC ?? RawRecording.crc(json))
    if let inputs { out += inputs + RawRecording.le(inputsCRC ?? RawRecording.crc(inputs)) }
    out += labels + RawRecording.le(labelsCRC ?? RawRecording.crc(labels))
    for r in records { out += r }
    return out + tail
  }
}
