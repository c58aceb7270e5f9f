import Foundation

extension Recording {
  /// Opens `url` for inspection: strictly, or — when a record is malformed — skipping damaged
  /// records, so that what is left can still be reported. Shared by `ibplane inspect` and the C
  /// ABI's `ibplane_inspect`, which must agree.
  public static func openForInspection(_ url: URL) throws -> Recording {
    do {
      return try Recording(contentsOf: url)
    } catch let e as RecordingError where e.kind == "malformedRecord" {
      return try Recording(contentsOf: url, skipDamaged: true)
    }
  }
}

extension RecordingInspection {
  /// "valid", "damaged" (readable, but records were skipped or fail their checksum) or
  /// "invalid" (an analysis refuses it: see `problems`).
  public var status: String { isInvalid ? "invalid" : isDamaged ? "damaged" : "valid" }

  /// The object `ibplane inspect --json` prints and `ibplane_inspect` returns, key for key
  /// (snake_case; `file` as given by the caller).
  public func jsonObject(_ r: Recording, file: String) -> [String: Any] {
    let labels: [String: Any]
    switch r.labels {
    case .classes(_, let c): labels = ["kind": "classes", "class_count": c]
    case .targets(let t): labels = ["kind": "targets", "width": t.columns]
    }
    let epochs = r.snapshots.map(\.epoch)
    return [
      "file": file, "file_size_bytes": r.fileSize, "sample_count": r.sampleCount, "input_width": r.inputWidth,
      "inputs_checksum_ok": inputsChecksumOK.map { $0 as Any } ?? NSNull(),
      "labels": labels, "storage": r.storage.rawValue, "run": r.run,
      "split": r.split.map { s in
        ["train": s.count(of: .train), "test": s.count(of: .test), "unused": s.count(of: .unused)] as Any
      } ?? NSNull(),
      "layers": r.layers.map { ["name": $0.name, "width": $0.width] as [String: Any] },
      "snapshot_count": r.snapshots.count,
      "epoch_range": epochs.min().flatMap { lo in epochs.max().map { [lo, $0] as Any } } ?? NSNull(),
      "snapshots": snapshots.map { s -> [String: Any] in
        [
          "index": s.index, "epoch": s.info.epoch, "step": s.info.step, "offset": s.info.offset ?? 0, "length": s.info.length ?? 0,
          "metrics": s.info.metrics, "checksum_ok": s.checksumError == nil,
          "non_finite": Dictionary(zip(r.layers.map(\.name), s.nonFiniteCounts), uniquingKeysWith: { a, _ in a }),
        ]
      },
      "damaged_snapshot_count": damagedSnapshotCount, "non_finite_total": nonFiniteTotal,
      "warnings": warnings, "problems": problems.map(\.description), "status": status,
    ]
  }
}
