import CNative
import Foundation

/// Hand-assembled zip archives for the `.npz` tests: every field can be made to lie.
///
/// Each member is written as a local header, its data, and a central-directory entry; the
/// fields default to the honest values and the tests override the one they attack.
struct TestZip {
  struct Member {
    var name: String
    /// The bytes as stored in the archive (already deflated for method 8).
    var data: [UInt8]
    var method: UInt16 = 0
    var crc32: UInt32
    var uncompressedSize: Int
    var flags: UInt16 = 0
    /// Writes 0xFFFFFFFF in the 32-bit size fields and the real ones in a Zip64 extra field.
    var zip64 = false
    /// With `zip64`, whether the extra field is actually written.
    var zip64Extra = true
    /// A compressed size to declare instead of `data.count`.
    var compressedSize: Int?
    /// A name to write in the local header instead of `name` (the central directory keeps `name`).
    var localName: String?
    /// A compression method to write in the local header instead of `method`.
    var localMethod: UInt16?

    /// A stored member holding `content`.
    static func stored(_ name: String, _ content: [UInt8]) -> Member {
      Member(name: name, data: content, crc32: TestZip.crc32(content), uncompressedSize: content.count)
    }
    /// A deflated member holding `content`.
    static func deflated(_ name: String, _ content: [UInt8]) -> Member {
      Member(name: name, data: TestZip.deflate(content), method: 8, crc32: TestZip.crc32(content), uncompressedSize: content.count)
    }
  }

  var members: [Member]
  /// Bytes inserted between the last member and the central directory.
  var gap: [UInt8] = []
  /// Local-header offsets to use instead of the real ones, by member index.
  var offsetOverrides: [Int: Int] = [:]
  /// End-record fields to use instead of the real ones.
  var entryCountOverride: Int?
  var directoryOffsetOverride: Int?

  var bytes: [UInt8] {
    var out: [UInt8] = []
    var directory: [UInt8] = []
    for (i, m) in members.enumerated() {
      let offset = offsetOverrides[i] ?? out.count
      let name = Array(m.name.utf8)
      let compressed = m.compressedSize ?? m.data.count
      let sizes: (UInt32, UInt32) = m.zip64 ? (0xFFFF_FFFF, 0xFFFF_FFFF) : (UInt32(compressed), UInt32(m.uncompressedSize))
      var extra: [UInt8] = []
      if m.zip64 && m.zip64Extra {
        extra.putLE(UInt16(1)); extra.putLE(UInt16(16)); extra.putLE(UInt64(m.uncompressedSize)); extra.putLE(UInt64(compressed))
      }
      out.putLE(UInt32(0x0403_4B50)); out.putLE(UInt16(45)); out.putLE(m.flags); out.putLE(m.localMethod ?? m.method); out.putLE(UInt32(0))
      let localName = m.localName.map { Array($0.utf8) } ?? name
      out.putLE(m.crc32); out.putLE(sizes.0); out.putLE(sizes.1); out.putLE(UInt16(localName.count)); out.putLE(UInt16(extra.count))
      out += localName + extra + m.data
      directory.putLE(UInt32(0x0201_4B50)); directory.putLE(UInt16(45)); directory.putLE(UInt16(45)); directory.putLE(m.flags)
      directory.putLE(m.method); directory.putLE(UInt32(0)); directory.putLE(m.crc32); directory.putLE(sizes.0); directory.putLE(sizes.1)
      directory.putLE(UInt16(name.count)); directory.putLE(UInt16(extra.count)); directory.putLE(UInt16(0)); directory.putLE(UInt16(0))
      directory.putLE(UInt16(0)); directory.putLE(UInt32(0)); directory.putLE(UInt32(offset))
      directory += name + extra
    }
    out += gap
    let directoryOffset = out.count
    out += directory
    let entries = UInt16(entryCountOverride ?? members.count)
    out.putLE(UInt32(0x0605_4B50)); out.putLE(UInt16(0)); out.putLE(UInt16(0)); out.putLE(entries); out.putLE(entries)
    out.putLE(UInt32(directory.count)); out.putLE(UInt32(directoryOffsetOverride ?? directoryOffset)); out.putLE(UInt16(0))
    return out
  }

  /// A deflate stream of non-final stored blocks holding `content` (65,535 bytes at most each),
  /// for streams whose every byte a test chooses.
  static func storedBlocks(_ content: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    repeat {
      let n = min(65_535, content.count - i)
      out.append(0)  // BFINAL = 0, BTYPE = 00 (stored), padded to the byte
      out.putLE(UInt16(n)); out.putLE(~UInt16(n))
      out += content[i..<(i + n)]
      i += n
    } while i < content.count
    return out
  }
  /// The final empty stored block that ends a deflate stream.
  static let endBlock: [UInt8] = [1, 0, 0, 0xFF, 0xFF]
  /// A block of the reserved type 3: zlib reports "invalid block type".
  static let invalidBlock: [UInt8] = [0x07]

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    UInt32(bytes.withUnsafeBufferPointer { CNative.crc32(0, $0.baseAddress, uInt($0.count)) })
  }

  /// Raw deflate (zip method 8) of `bytes` by zlib (the stream on the heap: zlib refuses a moved one).
  static func deflate(_ bytes: [UInt8]) -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    _ = deflateInit2_(stream, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    defer {
      deflateEnd(stream)
      stream.deallocate()
    }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))) + 16)
    let written = input.withUnsafeMutableBufferPointer { inp in
      out.withUnsafeMutableBufferPointer { o in
        stream.pointee.next_in = inp.baseAddress
        stream.pointee.avail_in = uInt(inp.count)
        stream.pointee.next_out = o.baseAddress
        stream.pointee.avail_out = uInt(o.count)
        _ = CNative.deflate(stream, Z_FINISH)
        return o.count - Int(stream.pointee.avail_out)
      }
    }
    return Array(out[..<written])
  }
}

extension Array where Element == UInt8 {
  mutating func putLE<T: FixedWidthInteger>(_ v: T) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
}
