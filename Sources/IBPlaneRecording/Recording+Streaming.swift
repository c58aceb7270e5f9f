import CNative
import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// One snapshot lent to the body of `Recording.forEachSnapshot`: every layer's N × width
/// activations (row-major float32) in header order. The buffers are reused for the next
/// snapshot: copy what must outlive the call (`Matrix(rows:columns:elements: Array(buffer))`).
public struct SnapshotView {
  /// Position among the recording's snapshots.
  public let index: Int
  public let info: SnapshotInfo
  public let layers: [UnsafeBufferPointer<Float>]
  /// NaN/±Inf count per layer.
  public let nonFiniteCounts: [Int]
}

extension Recording {
  /// Streams every snapshot in file order through one reused buffer: each record is read with
  /// `pread` in 1 MiB chunks, and each chunk is checksummed (CRC-32) and scanned for NaN/Inf
  /// while in cache, so the file is read once and nothing is allocated per snapshot. A record
  /// whose CRC does not match throws `checksumMismatch` before `body` sees it.
  ///
  /// With `threads` > 1, two records are decoded at a time on two workers (each into its own
  /// buffer) while `body` still sees them one by one in order; a view is valid only during its
  /// call. An error in a record is thrown after `body` has seen every record before it.
  ///
  /// This is the fast path for passes over a whole recording (inspection, conversion,
  /// statistics); `layer(_:snapshot:)` is the random-access path that returns owned matrices.
  /// Complexity: O(file size) time, O(N × Σ widths) memory.
  public func forEachSnapshot(
    threads: Int = Parallel.defaultThreads, _ body: (SnapshotView) throws -> Void
  ) throws {
    // The buffers hold one record each, so they are sized only once a record has shown that
    // the file really holds N × Σ widths values (a header alone may declare any size).
    guard !records.isEmpty else { return }
    let elements = payloadLength / storage.byteWidth
    // Pipelining: `lanes` snapshots are decoded (read, checksummed, scanned) at once, one per
    // worker, into their own buffers; `body` then sees them one by one in file order.
    let lanes = Swift.max(1, Swift.min(threads, 2, records.count))
    let scratch = (0..<lanes).map { _ in UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.max(elements, 1)) }
    defer { for b in scratch { b.deallocate() } }
    var decoded = [Result<SnapshotView, Error>?](repeating: nil, count: lanes)
    var first = 0
    while first < records.count {
      let batch = Swift.min(lanes, records.count - first)
      decoded.withUnsafeMutableBufferPointer { slots in
        Parallel.forEach(batch, threads: batch) { lane in
          slots[lane] = Result { try decodeSnapshot(first + lane, into: scratch[lane]) }
        }
      }
      for lane in 0..<batch {
        guard let result = decoded[lane] else { continue }
        try body(try result.get())
      }
      first += batch
    }
  }

  /// Reads record `index` into `scratch` in 1 MiB chunks, checksumming and scanning each chunk
  /// while it is in cache. Throws `checksumMismatch` naming the record and its offset.
  private func decodeSnapshot(_ index: Int, into scratch: UnsafeMutableBufferPointer<Float>) throws -> SnapshotView {
    let chunk = 262_144
    let snapshot = snapshots[index]
    let info = records[index]
    var crc = _CRC32.checksum(file.bytes(info.offset, info.payloadOffset - info.offset))
    var counts: [Int] = []
    var views: [UnsafeBufferPointer<Float>] = []
    var position = 0
    for spec in layers {
      let n = sampleCount * spec.width
      var bad = 0
      var i = 0
      while i < n {
        let m = Swift.min(chunk, n - i)
        let target = UnsafeMutableBufferPointer(rebasing: scratch[(position + i)..<(position + i + m)])
        let start = info.payloadOffset + (position + i) * storage.byteWidth
        if storage == .float32 {
          let raw = UnsafeMutableRawBufferPointer(target)
          try file.read(into: raw, at: start)
          crc = _CRC32.update(crc, UnsafeRawBufferPointer(raw))
          bad += Int(ibp_count_nonfinite_f32(raw.baseAddress!.assumingMemoryBound(to: UInt32.self), m))
        } else {
          let source = file.bytes(start, m * 2)
          bad += _Decode.float16(source, into: target)
          crc = _CRC32.update(crc, source)
        }
        i += m
      }
      views.append(UnsafeBufferPointer(rebasing: scratch[position..<(position + n)]))
      counts.append(bad)
      position += n
    }
    let stored: UInt32 = file.bytes(info.offset + info.length - 4, 4).le(0)
    guard stored == crc else {
      throw RecordingError.checksumMismatch(
        file: url.path, block: "snapshot \(index)", offset: info.offset, stored: stored, computed: crc)
    }
    return SnapshotView(index: index, info: snapshot, layers: views, nonFiniteCounts: counts)
  }
}
