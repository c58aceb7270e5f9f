import CNative
import Foundation
import IBPlane

/// The IDX format of LeCun's MNIST files: a big-endian header — two zero bytes, a type code
/// (0x08 = unsigned byte), the number of dimensions n — then n big-endian UInt32 sizes, then
/// the elements in row-major order. Only the unsigned-byte type is read (all MNIST files).
///
/// Files ending in `.gz` (or any gzip stream) are inflated by zlib's `gzread`; plain files are
/// read unchanged by the same call. Every length is checked against the bytes present before
/// an array is allocated, and errors name the file and the byte offset (in the uncompressed
/// stream) where the expectation failed.
public struct IDXArray: Sendable, Equatable {
  public var shape: [Int]
  public var bytes: [UInt8]

  public static func load(path: String) throws -> IDXArray {
    try parse(readInflating(path: path), file: path)
  }

  /// Parses an in-memory (already uncompressed) IDX stream.
  public static func parse(_ data: [UInt8], file: String) throws -> IDXArray {
    guard data.count >= 4 else {
      throw DatasetError.malformed(file: file, location: "offset 0", expected: "a 4-byte IDX magic number", found: "\(data.count) bytes")
    }
    guard data[0] == 0, data[1] == 0 else {
      throw DatasetError.malformed(
        file: file, location: "offset 0", expected: "IDX magic starting with two zero bytes",
        found: String(format: "0x%02x%02x", data[0], data[1]))
    }
    guard data[2] == 0x08 else {
      throw DatasetError.malformed(
        file: file, location: "offset 2", expected: "type code 0x08 (unsigned byte)", found: String(format: "0x%02x", data[2]))
    }
    let n = Int(data[3])
    guard (1...4).contains(n) else {
      throw DatasetError.malformed(file: file, location: "offset 3", expected: "1 to 4 dimensions", found: "\(n)")
    }
    let headerLength = 4 + 4 * n
    guard data.count >= headerLength else {
      throw DatasetError.malformed(
        file: file, location: "offset 4", expected: "\(n) dimension sizes (\(4 * n) bytes)", found: "\(data.count - 4) bytes")
    }
    var shape: [Int] = []
    var total = 1
    for k in 0..<n {
      let o = 4 + 4 * k
      let size = Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3])
      shape.append(size)
      let (product, overflow) = total.multipliedReportingOverflow(by: size)
      guard !overflow, product <= data.count else {
        throw DatasetError.malformed(
          file: file, location: "offset \(o)", expected: "dimension sizes whose product fits the \(data.count)-byte file",
          found: "shape \(shape)")
      }
      total = product
    }
    guard data.count - headerLength == total else {
      throw DatasetError.malformed(
        file: file, location: "offset \(headerLength)", expected: "\(total) data bytes for shape \(shape)",
        found: "\(data.count - headerLength)")
    }
    return IDXArray(shape: shape, bytes: Array(data[headerLength...]))
  }

  /// The whole file, gunzipped when it is a gzip stream. The corresponding C functions are
  /// `gzopen`, `gzread`, `gzerror` and `gzclose` (zlib).
  public static func readInflating(path: String) throws -> [UInt8] {
    guard FileManager.default.isReadableFile(atPath: path), let file = gzopen(path, "rb") else {
      throw DatasetError.unreadable(file: path, detail: "no such readable file")
    }
    defer { gzclose(file) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
      if n < 0 {
        var code: Int32 = 0
        let message = gzerror(file, &code).map { String(cString: $0) } ?? "zlib error \(code)"
        throw DatasetError.malformed(
          file: path, location: "uncompressed offset \(out.count)", expected: "a complete gzip stream", found: message)
      }
      if n == 0 { break }
      out.append(contentsOf: chunk[0..<Int(n)])
    }
    var code: Int32 = 0
    let message = gzerror(file, &code).map { String(cString: $0) } ?? ""
    guard code == Z_OK else {
      // A gzip stream cut short ends with Z_BUF_ERROR ("unexpected end of file").
      throw DatasetError.malformed(
        file: path, location: "uncompressed offset \(out.count)", expected: "a complete gzip stream",
        found: message.isEmpty ? "zlib error \(code)" : message)
    }
    return out
  }
}
