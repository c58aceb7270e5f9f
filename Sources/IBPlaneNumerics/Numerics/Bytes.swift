import CNative

/// CRC-32 — the checksum of every block and record: zlib's `crc32` (gzip polynomial, reflected,
/// initial value 0), computed with ISA-L's `crc32_gzip_refl`, which returns the same values as
/// zlib's `crc32_z` (the tests check it against zlib) several times faster by folding with
/// PCLMULQDQ / AVX-512. That difference decides whether streaming a recording runs near
/// disk-cache speed (docs/performance.md: `ibplane-bench recording-read`).
package enum _CRC32 {
  package static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
    var c = crc
    var p = base.assumingMemoryBound(to: UInt8.self)
    var left = bytes.count
    // crc32_gzip_refl takes a 64-bit length; chunking keeps every call well inside it anyway.
    while left > 0 {
      let n = min(left, 1 << 30)
      c = crc32_gzip_refl(c, p, UInt64(n))
      p += n
      left -= n
    }
    return c
  }
  package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { update(0, bytes) }
}

/// Little-endian appends to a byte buffer.
extension Array where Element == UInt8 {
  package mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
    Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
  }
}

/// Little-endian loads from a raw buffer (callers check bounds first).
extension UnsafeRawBufferPointer {
  package func le<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T {
    T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
  }
}
