import Foundation
import IBPlane
import Testing

/// The NumPy inputs of the hardening issue, end to end through the `ibplane` binary: the right
/// number with exit 0, or one line on stderr with exit 2 — never a crash or a silent change.
@Suite struct NumPyImportCLITests {
  /// A stored (uncompressed) zip of `.npy` members, as `np.savez` writes one.
  static func npz(_ members: [(String, Data)]) -> Data {
    var out = Data()
    var directory = Data()
    func le<T: FixedWidthInteger>(_ v: T, _ d: inout Data) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    for (name, content) in members {
      let offset = UInt32(out.count)
      let crc = crc32(content)
      let n = Data(name.utf8)
      le(UInt32(0x0403_4B50), &out); le(UInt16(20), &out); le(UInt32(0), &out); le(UInt32(0), &out)
      le(crc, &out); le(UInt32(content.count), &out); le(UInt32(content.count), &out); le(UInt16(n.count), &out); le(UInt16(0), &out)
      out += n + content
      le(UInt32(0x0201_4B50), &directory); le(UInt16(20), &directory); le(UInt16(20), &directory); le(UInt32(0), &directory)
      le(UInt32(0), &directory); le(crc, &directory); le(UInt32(content.count), &directory); le(UInt32(content.count), &directory)
      le(UInt16(n.count), &directory); le(UInt64(0), &directory); le(UInt32(0), &directory); le(offset, &directory)
      directory += n
    }
    let directoryOffset = UInt32(out.count)
    out += directory
    le(UInt32(0x0605_4B50), &out); le(UInt32(0), &out); le(UInt16(members.count), &out); le(UInt16(members.count), &out)
    le(UInt32(directory.count), &out); le(directoryOffset, &out); le(UInt16(0), &out)
    return out
  }

  /// CRC-32 (zip polynomial), bit by bit: the test must not share the reader's implementation.
  static func crc32(_ data: Data) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for byte in data {
      c ^= UInt32(byte)
      for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return ~c
  }

  /// 60 samples, a 2-unit layer at 2 snapshots that separates the two classes; labels `ids`.
  static func archive(ids: (Int, Int)) throws -> Data {
    let binary = (0..<60).map { ($0 * 5 + $0 / 4) % 2 }
    var values: [Float] = []
    for s in 0..<2 {
      for i in 0..<60 { values += [Float(binary[i]) - 0.5 + Float(i % 7) * 0.03, Float(s) * 0.1 + Float(i % 5) * 0.02] }
    }
    let layer = try NumPyArray(dtype: .float32, shape: [2, 60, 2], bytes: values.withUnsafeBufferPointer { Data(buffer: $0) })
    let labels = NumPyArray(int64: binary.map { $0 == 1 ? ids.1 : ids.0 })
    return npz([("labels.npy", NumPyFile.encode(labels)), ("layer/h.npy", NumPyFile.encode(layer))])
  }

  /// The i_xt, i_ty columns of every row of `plane.csv`.
  static func values(_ dir: URL) throws -> [String] {
    let csv = try String(contentsOf: dir.appendingPathComponent("plane.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    guard let header = lines.first else { return [] }
    let columns = ["epoch", "step", "layer", "estimator", "i_xt", "i_ty"].compactMap { header.firstIndex(of: $0) }
    guard columns.count == 6 else { return [] }
    return lines.dropFirst().map { row in columns.map { row[$0] }.joined(separator: ",") }.sorted()
  }

  @Test("class ids {0, 2⁶²} and {−1, 1} give the plane of {0, 1}")
  func hugeAndNegativeClassIDs() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var planes: [[String]] = []
    for (k, ids) in [(0, 1), (0, 1 << 62), (-1, 1)].enumerated() {
      let file = dir.appendingPathComponent("a\(k).npz")
      try Self.archive(ids: ids).write(to: file)
      let out = dir.appendingPathComponent("out\(k)")
      let r = try CLI.run(["analyze", file.path, "--out", out.path, "--estimator", "binning", "--estimator", "gaussian", "--quiet"])
      #expect(r.status == 0, "\(ids): \(r.stderr)")
      planes.append(try Self.values(out))
    }
    #expect(planes[0].count == 4)
    #expect(planes[1] == planes[0] && planes[2] == planes[0], "\(planes)")
  }

  @Test("a flipped float byte in a .npz member exits 2 naming the member")
  func flippedByte() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    var bytes = try Self.archive(ids: (0, 1))
    let marker = try #require(bytes.range(of: Data("layer/h.npy".utf8)))
    bytes[marker.upperBound + 300] ^= 0x40  // inside the layer's float data
    let file = dir.appendingPathComponent("flip.npz")
    try bytes.write(to: file)
    let r = try CLI.run(["convert", file.path, dir.appendingPathComponent("flip.bin").path])
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("error:") && r.stderr.contains("layer/h.npy") && r.stderr.contains("crc32"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("flip.bin").path))
  }

  @Test("a .npy header length of 256 MiB exits 2 at once with a short message")
  func hugeHeader() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("big.npy")
    try Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0, 0, 0, 0x10]).write(to: file)
    let r = try CLI.run(["estimate", "--estimator", "gaussian", file.path, file.path])
    #expect(r.status == 2 && r.stderr.contains("header_len") && r.stderr.count < 300, "\(r.stderr)")
  }
}
