import Foundation
import Testing
import IBPlane
@testable import IBPlaneNumerics
import IBPlaneTestSupport

/// The `.npz` reader against archives whose every zip field can lie: each case is refused with
/// one short sentence naming the archive and the field, promptly, and nothing is allocated
/// from a size the file has not backed.
@Suite("NumPy .npz archives")
struct NumPyArchiveTests {
  static let labels = [UInt8](NumPyFile.encode(NumPyArray(int64: [0, 1, 1, 0])))
  static let layerValues: [Float] = [0.5, -1, 2, 3, 4, 5, 6, 7.25]
  static let layer = [UInt8](NumPyFile.encode(try! NumPyArray(dtype: .float32, shape: [1, 4, 2], bytes: floats(layerValues))))

  static func floats(_ v: [Float]) -> Data { v.withUnsafeBufferPointer { Data(buffer: $0) } }

  /// An honest archive: stored labels and a stored or deflated layer.
  static func archive(deflated: Bool = false) -> TestZip {
    TestZip(members: [.stored("labels.npy", labels), deflated ? .deflated("layer/h1.npy", layer) : .stored("layer/h1.npy", layer)])
  }

  /// Imports `zip` from a temporary file; returns the error's description, or nil on success.
  static func importError(_ zip: TestZip, limit: Int = .max) throws -> String? {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = try dir.write(zip.bytes, "a.npz")
    do {
      _ = try NumPyRecordingSource.npz(url, inflatedByteLimit: limit)
      return nil
    } catch let e as NumPyError {
      return e.description
    } catch let e as RecordingError {
      return e.description
    }
  }

  @Test("honest stored, deflated and Zip64 members read back exactly", arguments: [false, true])
  func honest(zip64: Bool) throws {
    for deflated in [false, true] {
      var zip = Self.archive(deflated: deflated)
      zip.members[1].zip64 = zip64
      let dir = try TemporaryDirectory()
      defer { dir.remove() }
      let source = try NumPyRecordingSource.npz(try dir.write(zip.bytes, "a.npz"))
      #expect(try source.layer(0, snapshot: 0).elements == Self.layerValues)
      #expect(source.labels == .classes([0, 1, 1, 0], classCount: 2))
    }
  }

  /// Each attack: the archive, and a phrase its error must contain (the field or the reason).
  static let attacks: [(String, TestZip, String)] = {
    var cases: [(String, TestZip, String)] = []
    func add(_ name: String, _ phrase: String, deflated: Bool = false, _ change: (inout TestZip) -> Void) {
      var zip = archive(deflated: deflated)
      change(&zip)
      cases.append((name, zip, phrase))
    }
    // A flipped float byte: read as a silently different activation before CRCs were checked.
    add("flipped float byte, stored", "crc32") { $0.members[1].data[$0.members[1].data.count - 3] ^= 0x40 }
    add("wrong CRC, deflated", "crc32", deflated: true) { $0.members[1].crc32 ^= 1 }
    add("declared size above the header's", "uncompressed size", deflated: true) { $0.members[1].uncompressedSize += 8 }
    add("declared size below the header's", "uncompressed size", deflated: true) { $0.members[1].uncompressedSize -= 8 }
    // The stream carries 64 more bytes than the entry (and the header) declare.
    add("stream longer than declared", "more than", deflated: true) {
      $0.members[1].data = TestZip.deflate(layer + [UInt8](repeating: 9, count: 64))
    }
    add("stream cut short", "zip data", deflated: true) { $0.members[1].data.removeLast($0.members[1].data.count / 2) }
    // A stored block claiming 65,535 bytes where 6 follow: ZIPFoundation spun forever here.
    add("stored block past the end of the file", "zip data") {
      $0.members[1] = .init(name: "layer/h1.npy", data: [0, 0xFF, 0xFF, 0, 0] + Array(layer.prefix(6)), method: 8, crc32: 0, uncompressedSize: layer.count)
    }
    add("corrupt deflate stream", "not a valid deflate stream", deflated: true) { $0.members[1].data = TestZip.invalidBlock + [0, 0, 0] }
    add("stored sizes differ", "stored member") { $0.members[1].uncompressedSize += 1 }
    add("encrypted member", "unencrypted") { $0.members[1].flags = 1 }
    add("patched-data flag", "general-purpose flags") { $0.members[0].flags = 0x2738 }
    add("data descriptor flag", "no data descriptor") { $0.members[1].flags = 0x0008 }
    add("bzip2 member", "compression method") { $0.members[1].method = 12 }
    add("member pointing at another's local header", "same name in its local header") { $0.offsetOverrides[1] = 0 }
    // The deflated labels member's declared data runs 8 bytes into the next member's local header.
    add("overlapping members", "overlap") {
      $0.members[0] = .deflated("labels.npy", labels)
      $0.members[0].compressedSize = $0.members[0].data.count + 8
    }
    add("duplicate member", "appears twice") { $0.members.append($0.members[1]) }
    // Found by fuzz-npz: the central directory and the local header name different members.
    add("local header names another member", "same name in its local header") { $0.members[1].localName = "layer/h2.npy" }
    add("local header name of another length", "same name in its local header") { $0.members[1].localName = "la9223372036" }
    add("local header with another method", "same compression method in its local header") { $0.members[0].localMethod = 65_534 }
    add("labels and labels.npy", "appears twice") { $0.members.append(.stored("labels", labels)) }
    add("member data past the end", "run past the end", deflated: true) { $0.members[1].compressedSize = 1 << 20 }
    add("entry count beyond the directory", "cannot fit") { $0.entryCountOverride = 65_535 }
    add("directory past the end", "zip central directory") { $0.directoryOffsetOverride = 1 << 30 }
    add("zip64 sizes without the extra field", "zip64 extra field") {
      $0.members[1].zip64 = true
      $0.members[1].zip64Extra = false
    }
    return cases
  }()

  @Test("hostile archives are refused with the field named", arguments: 0..<attacks.count)
  func hostile(index: Int) throws {
    let (name, zip, phrase) = Self.attacks[index]
    let message = try #require(try Self.importError(zip), "\(name) was imported")
    #expect(message.contains(phrase), "\(name): \(message)")
    #expect(message.contains("a.npz"), "\(name): \(message)")
    #expect(message.count < 400, "\(name): \(message.count) characters")
  }

  /// Found by fuzz-npz: an honest archive followed by a second end record whose comment runs
  /// past the end. numpy's zipfile and ZIPFoundation take the last record and refuse the file;
  /// the reader used to skip it and read the earlier, honest one.
  @Test("the last end record decides, even when an earlier one is honest")
  func lastEndRecordDecides() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let honest = Self.archive().bytes
    _ = try NumPyRecordingSource.npz(try dir.write(honest, "honest.npz"))
    // Signature, disk numbers, counts, directory size and offset, then a 0x9894-byte comment length.
    let garbled: [UInt8] = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 16) + [0x94, 0x98] + [UInt8](repeating: 7, count: 30)
    let url = try dir.write(honest + garbled, "a.npz")
    #expect {
      _ = try NumPyRecordingSource.npz(url)
    } throws: { error in
      let text = "\(error)"
      return text.contains("zip end record") && text.contains("comment") && text.contains("a.npz")
    }
  }

  @Test("not a zip file at all")
  func notZip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for bytes in [[UInt8](), [UInt8](repeating: 0x50, count: 21), Array("PK\u{3}\u{4}".utf8) + [UInt8](repeating: 0, count: 40)] {
      #expect(throws: NumPyError.self) { try NumPyRecordingSource.npz(try dir.write(bytes, "z.npz")) }
    }
  }

  /// A member declaring 50 MB whose `.npy` header implies 160 bytes is refused from its first
  /// inflated bytes: the stream turns invalid after them, so inflating further would have
  /// reported a deflate error instead of the size.
  @Test("a size disagreement is found before the member is inflated")
  func sizeCheckedBeforeInflating() throws {
    let honest = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, 4, 10], bytes: Data(count: 160))))
    let prefix = honest + [UInt8](repeating: 0, count: NumPyFile.maximumPrefixLength)
    var zip = Self.archive()
    zip.members[1] = .init(
      name: "layer/h1.npy", data: TestZip.storedBlocks(prefix) + TestZip.invalidBlock, method: 8, crc32: 0,
      uncompressedSize: 50 << 20)
    let message = try #require(try Self.importError(zip))
    #expect(message.contains("uncompressed size") && message.contains("implies \(honest.count)"), "\(message)")
  }

  /// A zip bomb: 8 MiB of honestly declared zeros in a few kilobytes. Under the limit it reads;
  /// over it, it is refused before anything is inflated.
  @Test("deflated members are bounded by the inflated-byte limit")
  func inflatedLimit() throws {
    let count = 2 << 20
    let bomb = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, 4, count / 4], bytes: Data(count: count * 4))))
    var zip = Self.archive()
    zip.members[1] = .deflated("layer/h1.npy", bomb)
    #expect(zip.bytes.count < 64 << 10)
    #expect(try Self.importError(zip, limit: bomb.count) == nil)
    let message = try #require(try Self.importError(zip, limit: bomb.count - 1))
    #expect(message.contains("deflated members") && message.contains("declared \(bomb.count)"), "\(message)")
  }
}
