import CNative
import Foundation

/// Recomputes the CRC-32 of every stored (uncompressed) member of a zip archive in place.
///
/// A mutation inside a member's bytes — where the `.npy` header and data of an `.npz` live —
/// almost never keeps the member's CRC, so the fuzzer also runs each input with the CRCs
/// repaired: that lets it reach the `.npy` parser and the import rules behind the zip layer.
/// Central directory headers (`PK\1\2`) are found by scanning, not through the end record, so
/// the repair still works on archives whose end record the mutation broke. Zip64 sizes and
/// offsets are read from the header's 0x0001 extra field. Deflated members are left alone.
/// Every read is bounds-checked: a malformed archive yields fewer repairs, never a trap.
public enum ZipChecksums {
  /// The input with every repairable stored member's CRC-32 rewritten, in the central directory
  /// header and in the member's local header.
  public static func repaired(_ archive: Data) -> Data {
    var bytes = [UInt8](archive)
    let centralSignature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
    var p = 0
    while p + 46 <= bytes.count {
      defer { p += 1 }
      guard bytes[p] == 0x50, Array(bytes[p..<(p + 4)]) == centralSignature else { continue }
      guard u16(bytes, p + 10) == 0,  // stored
        let member = locate(bytes, central: p),
        let crc = checksum(bytes, member.data)
      else { continue }
      put32(&bytes, p + 16, crc)
      put32(&bytes, member.local + 14, crc)
    }
    return Data(bytes)
  }

  /// The local header offset and data range of the member whose central header is at `p`.
  private static func locate(_ b: [UInt8], central p: Int) -> (local: Int, data: Range<Int>)? {
    guard var compressed = u32(b, p + 20).map(UInt64.init), var offset = u32(b, p + 42).map(UInt64.init),
      let uncompressed = u32(b, p + 24), let nameLength = u16(b, p + 28), let extraLength = u16(b, p + 30)
    else { return nil }
    // Zip64 extra field: the 8-byte values appear in the order uncompressed, compressed, offset,
    // each only when its 4-byte field is 0xFFFFFFFF.
    var e = p + 46 + nameLength
    let extraEnd = e + extraLength
    while e + 4 <= extraEnd, let id = u16(b, e), let size = u16(b, e + 2) {
      if id == 1 {
        var q = e + 4
        if uncompressed == 0xFFFF_FFFF { q += 8 }
        if compressed == 0xFFFF_FFFF { guard let v = u64(b, q) else { return nil }; compressed = v; q += 8 }
        if offset == 0xFFFF_FFFF { guard let v = u64(b, q) else { return nil }; offset = v }
      }
      e += 4 + size
    }
    guard offset < UInt64(b.count), compressed < UInt64(b.count) else { return nil }
    let local = Int(offset)
    guard local + 30 <= b.count, Array(b[local..<(local + 4)]) == [0x50, 0x4B, 0x03, 0x04],
      let localName = u16(b, local + 26), let localExtra = u16(b, local + 28)
    else { return nil }
    let start = local + 30 + localName + localExtra
    guard start + Int(compressed) <= b.count else { return nil }
    return (local, start..<(start + Int(compressed)))
  }

  private static func checksum(_ b: [UInt8], _ range: Range<Int>) -> UInt32? {
    b.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return UInt32(crc32_z(0, nil, 0)) }
      return UInt32(crc32_z(0, base + range.lowerBound, range.count))
    }
  }

  private static func u16(_ b: [UInt8], _ i: Int) -> Int? {
    i >= 0 && i + 2 <= b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : nil
  }

  private static func u32(_ b: [UInt8], _ i: Int) -> UInt32? {
    guard i >= 0, i + 4 <= b.count else { return nil }
    return (0..<4).reduce(0) { $0 | UInt32(b[i + $1]) << (8 * $1) }
  }

  private static func u64(_ b: [UInt8], _ i: Int) -> UInt64? {
    guard i >= 0, i + 8 <= b.count else { return nil }
    return (0..<8).reduce(0) { $0 | UInt64(b[i + $1]) << (8 * $1) }
  }

  private static func put32(_ b: inout [UInt8], _ i: Int, _ v: UInt32) {
    guard i >= 0, i + 4 <= b.count else { return }
    for k in 0..<4 { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
  }
}
