import Foundation

/// A read-only `.npz` archive: the zip container that `np.savez` (stored members) and
/// `np.savez_compressed` (deflated members) write, one `.npy` file per member.
///
/// ibplane reads the zip structure itself — end record, Zip64 end record, central directory,
/// local headers — instead of through a general zip library, because an archive is user input
/// and must not be able to hang, crash or exhaust the reader (ZIPFoundation 0.9.20, used
/// before, spins forever on Linux when a deflate stream runs past the end of the file, and
/// leaves the CRC check to its caller):
/// - every offset, size and count comes from the file and is checked, with overflow-checked
///   arithmetic, against the file's real size before it is used; members may not overlap, so
///   the work of checking them all is bounded by the file size;
/// - a member is stored (method 0) or deflated (method 8, inflated by zlib); see
///   `array(_:)` for the size and CRC-32 checks;
/// - encrypted members, other compression methods and multi-disk archives are refused.
///
/// Errors are `NumPyError`s naming the archive (and the member) and the zip field.
package struct _NPZArchive {
  /// One central-directory entry.
  package struct Member: Equatable {
    package var name: String
    var method: Int
    var flags: Int
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
  }

  let file: String
  /// The archive, memory-mapped: stored members are slices of it.
  let data: Data
  package let members: [Member]

  package init(url: URL) throws {
    file = url.path
    do {
      data = try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
      throw NumPyError(file: url.path, field: "", message: FileErrorCause.text(error))
    }
    let file = self.file
    members = try data.withUnsafeBytes { try Self.centralDirectory(_LittleEndianBytes(raw: $0), file: file) }
  }

  // MARK: - Zip structure

  private static let endRecordSignature = 0x0605_4B50
  private static let zip64LocatorSignature = 0x0706_4B50
  private static let zip64EndRecordSignature = 0x0606_4B50
  private static let centralHeaderSignature = 0x0201_4B50
  private static let localHeaderSignature = 0x0403_4B50

  /// Reads and checks the central directory: the entries, their sizes, and that each member's
  /// local header and data lie inside the file without overlapping another member.
  private static func centralDirectory(_ b: _LittleEndianBytes, file: String) throws -> [Member] {
    func fail(_ field: String, _ message: String) -> NumPyError { NumPyError(file: file, field: field, message: message) }
    // The end record is the last 22 bytes plus a comment of at most 65,535 bytes: the last
    // signature in that window, as Python's zipfile (numpy's reader) and ZIPFoundation take it.
    // Skipping a last record whose comment runs past the end to use an earlier one would accept
    // archives those readers refuse (found by fuzz-npz: a second, garbled end record appended).
    let searchFrom = max(0, b.count - 22 - 65_535)
    guard let end = stride(from: b.count - 22, through: searchFrom, by: -1).first(where: { b.u32($0) == endRecordSignature }) else {
      throw fail("zip end record", "no end-of-central-directory record in the last \(b.count - searchFrom) bytes: not a .npz (zip) archive")
    }
    guard end + 22 + b.u16(end + 20) <= b.count else {
      throw fail(
        "zip end record",
        "its comment of \(b.u16(end + 20)) bytes at offset \(end + 22) to end inside the \(b.count)-byte file (the last end record decides)")
    }
    var disk = b.u16(end + 4)
    var directoryDisk = b.u16(end + 6)
    var entryCount = b.u16(end + 10)
    var directorySize = b.u32(end + 12)
    var directoryOffset = b.u32(end + 16)
    if end >= 20, b.u32(end - 20) == zip64LocatorSignature {
      let at = try b.int64(end - 12, file: file, field: "zip64 end locator")
      guard b.contains(at, 56), b.u32(at) == zip64EndRecordSignature else {
        throw fail("zip64 end record", "expected its signature at offset \(at), which the zip64 locator at offset \(end - 20) gives")
      }
      disk = b.u32(at + 16)
      directoryDisk = b.u32(at + 20)
      entryCount = try b.int64(at + 32, file: file, field: "zip64 end record")
      directorySize = try b.int64(at + 40, file: file, field: "zip64 end record")
      directoryOffset = try b.int64(at + 48, file: file, field: "zip64 end record")
    }
    guard disk == 0, directoryDisk == 0 else { throw fail("zip end record", "a single-disk archive, got disk \(disk)") }
    guard b.contains(directoryOffset, directorySize) else {
      throw fail(
        "zip central directory",
        "\(directorySize) bytes at offset \(directoryOffset) run past the end of the \(b.count)-byte file")
    }
    guard entryCount <= directorySize / 46 else {
      throw fail("zip central directory", "\(entryCount) entries cannot fit in its \(directorySize) bytes (46 bytes each at least)")
    }
    let directoryEnd = directoryOffset + directorySize
    var members: [Member] = []
    var spans: [(start: Int, end: Int, name: String)] = []
    var p = directoryOffset
    for k in 0..<entryCount {
      let field = "zip central directory entry \(k)"
      guard p + 46 <= directoryEnd, b.u32(p) == centralHeaderSignature else {
        throw fail(field, "an entry signature at offset \(p) inside the central directory")
      }
      let nameLength = b.u16(p + 28)
      let extraLength = b.u16(p + 30)
      let next = p + 46 + nameLength + extraLength + b.u16(p + 32)
      guard next <= directoryEnd else { throw fail(field, "its name and extra fields to end inside the central directory") }
      let nameBytes = b.slice(p + 46, nameLength)
      let name = String(decoding: nameBytes, as: UTF8.self)
      var member = Member(
        name: name, method: b.u16(p + 10), flags: b.u16(p + 8), crc32: UInt32(b.u32(p + 16)),
        compressedSize: b.u32(p + 20), uncompressedSize: b.u32(p + 24), localHeaderOffset: b.u32(p + 42))
      try readZip64Extra(b, from: p + 46 + nameLength, length: extraLength, into: &member, file: file)
      p = next
      if name.hasSuffix("/") && member.uncompressedSize == 0 { continue }  // a directory entry
      let memberField = "member '\(NumPyError.quoted(name))'"
      guard member.flags & 1 == 0 else { throw fail(memberField, "an unencrypted member") }
      // Bits 1–2 (deflate options) and 11 (UTF-8 name) are all np.savez writes. Bit 3 (sizes and
      // CRC in a data descriptor after the data, for archives streamed to a pipe) is refused too:
      // the descriptor would be a second, unchecked copy of what the central directory says
      // (ZIPFoundation reads the one, Python's zipfile the other). The other bits mean patched
      // data, strong encryption or reserved features.
      guard member.flags & ~0x0806 == 0 else {
        throw fail(
          memberField,
          "general-purpose flags within bits 1, 2 and 11 (0x0806, what np.savez writes; no data descriptor), got 0x\(String(member.flags, radix: 16)); re-save with np.savez")
      }
      guard member.method == 0 || member.method == 8 else {
        throw fail(memberField, "compression method 0 (stored) or 8 (deflated), got \(member.method); write with np.savez or np.savez_compressed")
      }
      guard member.method == 8 || member.compressedSize == member.uncompressedSize else {
        throw fail(memberField, "a stored member of equal compressed and uncompressed sizes, got \(member.compressedSize) and \(member.uncompressedSize)")
      }
      let start = member.localHeaderOffset
      guard b.contains(start, 30), b.u32(start) == localHeaderSignature else {
        throw fail(memberField, "a local header at offset \(start)")
      }
      // The local header repeats the name and the method; a damaged archive can disagree (Python's
      // zipfile refuses a name mismatch too), and then which of the two is right is anybody's guess.
      let localNameLength = b.u16(start + 26)
      guard localNameLength == nameLength, b.contains(start + 30, nameLength),
        b.slice(start + 30, nameLength).elementsEqual(nameBytes)
      else {
        throw fail(memberField, "the same name in its local header at offset \(start) as in the central directory")
      }
      guard b.u16(start + 8) == member.method else {
        throw fail(memberField, "the same compression method in its local header at offset \(start) (\(b.u16(start + 8))) as in the central directory (\(member.method))")
      }
      let dataStart = start + 30 + b.u16(start + 26) + b.u16(start + 28)
      guard b.contains(dataStart, member.compressedSize) else {
        throw fail(memberField, "\(member.compressedSize) data bytes at offset \(dataStart) run past the end of the \(b.count)-byte file")
      }
      spans.append((start, dataStart + member.compressedSize, name))
      members.append(member)
    }
    spans.sort { $0.start < $1.start }
    for (a, c) in zip(spans, spans.dropFirst()) where c.start < a.end {
      throw fail(
        "member '\(NumPyError.quoted(c.name))'",
        "members that do not overlap; it starts at offset \(c.start), inside member '\(NumPyError.quoted(a.name))'")
    }
    var seen = Set<String>()
    for m in members where !seen.insert(m.name).inserted {
      throw fail("member '\(NumPyError.quoted(m.name))'", "each member name once; it appears twice")
    }
    return members
  }

  /// Replaces the 32-bit fields saturated at 0xFFFFFFFF by the Zip64 extended-information
  /// field (header id 1), which lists them in a fixed order.
  private static func readZip64Extra(
    _ b: _LittleEndianBytes, from start: Int, length: Int, into m: inout Member, file: String
  ) throws {
    let saturated = 0xFFFF_FFFF
    guard m.uncompressedSize == saturated || m.compressedSize == saturated || m.localHeaderOffset == saturated else { return }
    let field = "member '\(NumPyError.quoted(m.name))' zip64 extra field"
    var p = start
    while p + 4 <= start + length {
      let id = b.u16(p)
      let size = b.u16(p + 2)
      guard p + 4 + size <= start + length else { break }
      if id == 1 {
        var q = p + 4
        func next() throws -> Int {
          guard q + 8 <= p + 4 + size else { throw NumPyError(file: file, field: field, message: "is \(size) bytes, too short for its sizes") }
          defer { q += 8 }
          return try b.int64(q, file: file, field: field)
        }
        if m.uncompressedSize == saturated { m.uncompressedSize = try next() }
        if m.compressedSize == saturated { m.compressedSize = try next() }
        if m.localHeaderOffset == saturated { m.localHeaderOffset = try next() }
        return
      }
      p += 4 + size
    }
    throw NumPyError(file: file, field: field, message: "is missing, but a size or offset is 0xFFFFFFFF")
  }

  /// Where the member's compressed bytes lie (its local header was checked on opening).
  func dataRange(of m: Member) -> Range<Int> {
    data.withUnsafeBytes { raw in
      let b = _LittleEndianBytes(raw: raw)
      let start = m.localHeaderOffset + 30 + b.u16(m.localHeaderOffset + 26) + b.u16(m.localHeaderOffset + 28)
      return start..<(start + m.compressedSize)
    }
  }
}

/// Bounds-checked little-endian reads over a byte buffer; `contains` first, then read.
struct _LittleEndianBytes {
  let raw: UnsafeRawBufferPointer
  var count: Int { raw.count }

  /// True when `length` bytes from `offset` lie inside the buffer (no overflow possible).
  func contains(_ offset: Int, _ length: Int) -> Bool {
    offset >= 0 && length >= 0 && offset <= raw.count && length <= raw.count - offset
  }
  /// 0 when out of bounds, so a signature check reads as "not found".
  func u16(_ offset: Int) -> Int {
    contains(offset, 2) ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self))) : 0
  }
  func u32(_ offset: Int) -> Int {
    contains(offset, 4) ? Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) : 0
  }
  /// A u64 field that must fit an Int and lie inside the buffer's bounds as an 8-byte read.
  func int64(_ offset: Int, file: String, field: String) throws -> Int {
    guard contains(offset, 8) else {
      throw NumPyError(file: file, field: field, message: "ends at offset \(offset), past the end of the \(raw.count)-byte file")
    }
    let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    guard v <= UInt64(Int.max) else { throw NumPyError(file: file, field: field, message: "value \(v) at offset \(offset) is out of range") }
    return Int(v)
  }
  func slice(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
    contains(offset, length) ? UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]) : UnsafeRawBufferPointer(start: nil, count: 0)
  }
}
