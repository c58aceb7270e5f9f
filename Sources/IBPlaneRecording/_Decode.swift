import CNative
import Foundation
import IBPlaneNumerics

/// Decoding of stored elements into Float.
enum _Decode {
  /// Decodes the `length` stored bytes at `offset` (float32 or float16) into a new array, in
  /// 256 KiB chunks: each chunk is copied (float32: by `pread`, the kernel's fast copy) or
  /// converted (float16) into the array, then — while it is still in cache — added to `crc`
  /// (when `computeCRC`) and scanned for NaN/±Inf. Every byte leaves memory once.
  /// Returns the values and the non-finite count.
  static func decode(
    _ file: _MappedFile, offset: Int, length: Int, storage: StorageType, crc: inout UInt32, computeCRC: Bool
  ) throws -> ([Float], Int) {
    let n = length / storage.byteWidth
    var bad = 0
    var c = crc
    let values = try [Float](unsafeUninitializedCapacity: n) { out, count in
      let chunk = 65_536  // elements
      var i = 0
      while i < n {
        let m = min(chunk, n - i)
        let target = UnsafeMutableBufferPointer(rebasing: out[i..<(i + m)])
        let start = offset + i * storage.byteWidth
        if storage == .float32 {
          let raw = UnsafeMutableRawBufferPointer(target)
          try file.read(into: raw, at: start)
          if computeCRC { c = _CRC32.update(c, UnsafeRawBufferPointer(raw)) }
          bad += Int(ibp_count_nonfinite_f32(raw.baseAddress!.assumingMemoryBound(to: UInt32.self), m))
        } else {
          let source = file.bytes(start, m * 2)
          bad += float16(source, into: target)
          if computeCRC { c = _CRC32.update(c, source) }
        }
        i += m
      }
      count = n
    }
    crc = c
    return (values, bad)
  }

  private static let hasF16C = ibp_has_f16c() != 0

  /// Converts stored binary16 values to Float (F16C when the CPU has it, else Swift's
  /// `Float(Float16)`), returning the NaN/±Inf count.
  static func float16(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableBufferPointer<Float>) -> Int {
    let m = source.count / 2
    if hasF16C, m > 0 {
      return Int(ibp_convert_count_f16_f16c(target.baseAddress!, source.baseAddress!, m))
    }
    for k in 0..<m { target[k] = Float(Float16(bitPattern: source.le(k * 2, as: UInt16.self))) }
    return nonFiniteCount(UnsafeBufferPointer(rebasing: target[0..<m]))
  }

  /// NaN/±Inf count. Branch-free so it vectorises: a float is non-finite iff its exponent bits
  /// are all ones, i.e. iff (bits & 0x7F800000) + 0x00800000 carries into bit 31.
  static func nonFiniteCount(_ b: UnsafeBufferPointer<Float>) -> Int {
    guard let base = b.baseAddress else { return 0 }
    let words = UnsafeRawPointer(base).assumingMemoryBound(to: UInt32.self)
    var c: UInt32 = 0
    for i in 0..<b.count { c &+= ((words[i] & 0x7F80_0000) &+ 0x0080_0000) &>> 31 }
    return Int(c)
  }

  static func float32(_ bytes: UnsafeRawBufferPointer) -> [Float] {
    let n = bytes.count / 4
    return [Float](unsafeUninitializedCapacity: n) { buf, count in
      if n > 0 { UnsafeMutableRawBufferPointer(buf).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<(n * 4)])) }
      #if _endian(big)
        for i in 0..<n { buf[i] = Float(bitPattern: UInt32(littleEndian: buf[i].bitPattern)) }
      #endif
      count = n
    }
  }

  static func nonFiniteCountFloat32(_ bytes: UnsafeRawBufferPointer) -> Int {
    var c = 0
    for i in 0..<(bytes.count / 4) where bytes.le(i * 4, as: UInt32.self) & 0x7F80_0000 == 0x7F80_0000 { c += 1 }
    return c
  }

  static func nonFiniteCountFloat16(_ bytes: UnsafeRawBufferPointer) -> Int {
    var c = 0
    for i in 0..<(bytes.count / 2) where bytes.le(i * 2, as: UInt16.self) & 0x7C00 == 0x7C00 { c += 1 }
    return c
  }
}
