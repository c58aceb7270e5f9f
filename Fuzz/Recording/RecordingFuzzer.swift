import CNative
import Foundation
import IBPlane
import IBPlaneFuzzSupport

/// libFuzzer entry point over the recording reader: every input is written to a file and opened
/// strictly and with `skipDamaged`; everything the reader offers is then read (random access,
/// streaming, inspection, CRC checks). Any input must end in a value or a `RecordingError` — a
/// crash, a trap, a hang or an address-sanitizer report is a bug. Built by scripts/fuzz.
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
  guard let url = FuzzScratch.write(bytes, to: "activations.bin") else { return }
  for skipDamaged in [false, true] {
    guard let recording = try? Recording(contentsOf: url, skipDamaged: skipDamaged) else { continue }
    _ = try? recording.inputs
    _ = recording.inspect().isDamaged
    for s in recording.snapshots.indices.prefix(SourceChecks.maxLayerReads) {
      _ = try? recording.verify(snapshot: s)
      _ = try? recording.nonFiniteCounts(snapshot: s)
      for l in recording.layers.indices { _ = try? recording.layer(l, snapshot: s, allowNonFinite: true) }
    }
    _ = try? recording.layer(recording.layers.count, snapshot: 0)
    _ = try? recording.layer(0, snapshot: recording.snapshots.count)
    _ = try? recording.forEachSnapshot(threads: 2) { view in _ = view.layers.map { $0.last } }
    SourceChecks.exercise(recording)
  }
}
