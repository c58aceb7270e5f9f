import CNative
import Foundation
import IBPlane

/// libFuzzer entry point over the recording reader: every input is written to a file and opened
/// strictly and with `skipDamaged`; everything the reader offers is then read. Any input must end
/// in a value or a `RecordingError` — a crash, a trap, a hang or an address-sanitizer report is a
/// bug. Built only by scripts/fuzz-recording (`swift build --sanitize=fuzzer,address`).
private let scratch: URL = {
  let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
  return URL(fileURLWithPath: dir).appendingPathComponent("ibplane-fuzz-\(getpid()).bin")
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func recordingFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  exercise(bytes)
  // A mutated JSON header almost never keeps its CRC, so also try the input with the header CRC
  // recomputed: that lets the fuzzer reach the JSON parser and the header validation.
  if size >= 20 {
    let length = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
    if length <= size - 20 {
      var fixed = bytes
      let crc = bytes.withUnsafeBytes { UInt32(crc32_z(0, $0.baseAddress!.advanced(by: 16).assumingMemoryBound(to: UInt8.self), length)) }
      withUnsafeBytes(of: crc.littleEndian) { fixed.replaceSubrange((16 + length)..<(20 + length), with: $0) }
      if fixed != bytes { exercise(fixed) }
    }
  }
  return 0
}

private func exercise(_ bytes: Data) {
  guard (try? bytes.write(to: scratch)) != nil else { return }
  for skipDamaged in [false, true] {
    guard let recording = try? Recording(contentsOf: scratch, skipDamaged: skipDamaged) else { continue }
    _ = try? recording.inputs
    _ = try? recording.makePlaneContext()
    let report = recording.inspect()
    _ = report.isDamaged
    for s in recording.snapshots.indices {
      for l in recording.layers.indices { _ = try? recording.layer(l, snapshot: s, allowNonFinite: true) }
    }
    _ = try? recording.layer(recording.layers.count, snapshot: 0)
  }
}
