import CNative
import Foundation

extension _NPZArchive {
  /// The member's `.npy` array, checked before it is trusted:
  /// - its CRC-32 must equal the central directory's (a flipped byte in a float is otherwise
  ///   a silently wrong estimate);
  /// - a deflated member's declared uncompressed size must equal the size its `.npy` header
  ///   implies, read from the first bytes inflated, before the rest is inflated into a buffer
  ///   of exactly that size; inflation stops with an error as soon as the stream would produce
  ///   more, or when the compressed bytes end before the stream does.
  ///
  /// Stored members are slices of the memory-mapped archive; deflated ones are held in memory
  /// (the caller bounds their total with `inflatedByteCount(of:)`).
  package func array(_ m: Member) throws -> NumPyArray {
    let name = "\(file):\(m.name)"
    func fail(_ field: String, _ message: String) -> NumPyError { NumPyError(file: name, field: field, message: message) }
    let range = dataRange(of: m)
    let bytes: Data
    if m.method == 0 {
      bytes = data[range]
    } else {
      let prefixLength = min(m.uncompressedSize, NumPyFile.maximumPrefixLength)
      var prefix = Data(count: prefixLength)
      let (written, ended) = try data.withUnsafeBytes { raw in
        try prefix.withUnsafeMutableBytes { out in
          try _Inflater(UnsafeRawBufferPointer(rebasing: raw[range]), file: name).fill(out)
        }
      }
      if written < prefixLength {
        throw ended ? shortStream(m, written: written, name: name) : cutStream(m, written: written, name: name)
      }
      let header = try NumPyFile.parseHeader(prefix, file: name)
      guard header.fileLength == m.uncompressedSize else {
        throw fail(
          "uncompressed size",
          "its zip entry declares \(m.uncompressedSize) bytes, but its .npy header (shape \(NumPyError.quoted("\(header.shape)")) of \(header.dtype.rawValue)) "
            + "implies \(header.fileLength)")
      }
      bytes = try inflated(m, range: range, name: name)
    }
    let crc = bytes.withUnsafeBytes { _CRC32.checksum($0) }
    guard crc == m.crc32 else {
      throw fail(
        "crc32",
        String(format: "the member's bytes have CRC-32 0x%08x, but its zip entry records 0x%08x: the archive is damaged", crc, m.crc32))
    }
    return try NumPyFile.parse(bytes, file: name)
  }

  /// Inflates a deflated member into a buffer of exactly its declared size.
  private func inflated(_ m: Member, range: Range<Int>, name: String) throws -> Data {
    var out = Data(count: m.uncompressedSize)
    let (written, ended, extra) = try data.withUnsafeBytes { raw in
      try out.withUnsafeMutableBytes { buffer in
        let inflater = try _Inflater(UnsafeRawBufferPointer(rebasing: raw[range]), file: name)
        let (written, ended) = try inflater.fill(buffer)
        if ended || written < buffer.count { return (written, ended, false) }
        // Full: one more byte out of the stream means it is longer than declared.
        var probe: UInt8 = 0
        let (more, endedAfter) = try withUnsafeMutableBytes(of: &probe) { try inflater.fill($0) }
        return (written, endedAfter, more > 0)
      }
    }
    if extra {
      throw NumPyError(
        file: name, field: "uncompressed size", message: "the member inflates to more than the \(m.uncompressedSize) bytes its zip entry declares")
    }
    if !ended { throw cutStream(m, written: written, name: name) }
    if written < m.uncompressedSize { throw shortStream(m, written: written, name: name) }
    return out
  }

  private func shortStream(_ m: Member, written: Int, name: String) -> NumPyError {
    NumPyError(
      file: name, field: "uncompressed size", message: "its zip entry declares \(m.uncompressedSize) bytes, but the member inflates to \(written)")
  }

  private func cutStream(_ m: Member, written: Int, name: String) -> NumPyError {
    NumPyError(
      file: name, field: "zip data",
      message: "the \(m.compressedSize) compressed bytes end after \(written) inflated bytes, before their deflate stream does")
  }

  /// The bytes that reading `members` holds in memory: the declared sizes of the deflated ones.
  package func inflatedByteCount(of members: [Member]) -> Int {
    members.filter { $0.method == 8 }.reduce(0) { total, m in
      let (sum, overflow) = total.addingReportingOverflow(m.uncompressedSize)
      return overflow ? .max : sum
    }
  }
}

/// A raw-deflate (zip method 8) decoder over one member's compressed bytes: zlib's `inflate`
/// with `windowBits = −15`. The input is never read past its end, and `fill` returns as soon
/// as its output buffer is full, the stream ends or the input runs out — so a stream that
/// lies about its length cannot make the reader loop or write past a buffer.
///
/// The `z_stream` lives on the heap: zlib keeps a pointer back to it and refuses a moved one.
final class _Inflater {
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeRawBufferPointer
  private var consumed = 0
  private(set) var ended = false
  private let file: String

  /// `input` must outlive the inflater.
  init(_ input: UnsafeRawBufferPointer, file: String) throws {
    self.input = input
    self.file = file
    let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    s.initialize(to: z_stream())
    let status = inflateInit2_(s, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      s.deallocate()  // before `stream` is set, so `deinit` does not run
      throw NumPyError(file: file, field: "zip data", message: "zlib could not start inflating (status \(status))")
    }
    stream = s
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
  }

  /// Inflates into `output` until it is full, the stream ends, or the input is used up.
  /// Returns the bytes written and whether the deflate stream has ended.
  func fill(_ output: UnsafeMutableRawBufferPointer) throws -> (written: Int, ended: Bool) {
    let chunk = 1 << 30  // avail_in and avail_out are 32-bit
    var written = 0
    while written < output.count, !ended {
      if stream.pointee.avail_in == 0, consumed < input.count, let base = input.baseAddress {
        let n = min(input.count - consumed, chunk)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + consumed).assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(n)
        consumed += n
      }
      guard let out = output.baseAddress else { break }
      let room = min(output.count - written, chunk)
      let inputBefore = stream.pointee.avail_in
      stream.pointee.next_out = (out + written).assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(room)
      let status = inflate(stream, Z_NO_FLUSH)
      let produced = room - Int(stream.pointee.avail_out)
      written += produced
      switch status {
      case Z_STREAM_END:
        ended = true
      case Z_OK, Z_BUF_ERROR:
        // Neither output nor input moved: the input is used up (a refill would have happened
        // above otherwise), so the stream is cut short. Returning also rules out a busy loop.
        if produced == 0, stream.pointee.avail_in == inputBefore { return (written, false) }
      default:
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
        throw NumPyError(file: file, field: "zip data", message: "is not a valid deflate stream (zlib: \(NumPyError.quoted(reason)))")
      }
    }
    return (written, ended)
  }
}
