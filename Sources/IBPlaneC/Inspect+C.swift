import Foundation
import IBPlane

@_cdecl("ibplane_inspect")
public func ibplane_inspect(_ path: UnsafePointer<CChar>?, _ result: CStringOut?, _ error: CStringOut?) -> Int32 {
  callC(error) {
    let file = try string(path, "path")
    let url = URL(fileURLWithPath: file)
    let recording: Recording
    do {
      recording = try Recording(contentsOf: url)
    } catch let e as RecordingError where e.kind == "malformedRecord" {
      recording = try Recording(contentsOf: url, skipDamaged: true)
    }
    try deliver(try json(inspection(recording, recording.inspect(), file: file)), to: result)
  }
}

/// The object `ibplane inspect --json` prints (Sources/ibplane/Inspect.swift), key for key;
/// python/tests/test_recording.py compares the two on the same files.
func inspection(_ r: Recording, _ report: RecordingInspection, file: String) -> [String: Any] {
  let epochs = r.snapshots.map(\.epoch)
  return [
    "file": file, "file_size_bytes": r.fileSize, "sample_count": r.sampleCount, "input_width": r.inputWidth,
    "inputs_checksum_ok": report.inputsChecksumOK.map { $0 as Any } ?? NSNull(),
    "labels": labelObject(r.labels), "storage": r.storage.rawValue, "run": r.run,
    "layers": r.layers.map { ["name": $0.name, "width": $0.width] as [String: Any] },
    "snapshot_count": r.snapshots.count,
    "epoch_range": epochs.isEmpty ? NSNull() : [epochs.min() ?? 0, epochs.max() ?? 0] as Any,
    "snapshots": report.snapshots.map { s -> [String: Any] in
      [
        "index": s.index, "epoch": s.info.epoch, "step": s.info.step, "offset": s.info.offset ?? 0,
        "length": s.info.length ?? 0, "metrics": s.info.metrics, "checksum_ok": s.checksumError == nil,
        "non_finite": Dictionary(zip(r.layers.map(\.name), s.nonFiniteCounts), uniquingKeysWith: { a, _ in a }),
      ]
    },
    "damaged_snapshot_count": report.damagedSnapshotCount, "non_finite_total": report.nonFiniteTotal,
    "warnings": report.warnings, "status": report.isDamaged ? "damaged" : "valid",
  ]
}
