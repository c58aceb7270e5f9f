import Foundation
import Testing
@testable import IBPlane

@Suite struct NumPyFileTests {
  static func header(_ dict: String, version: UInt8 = 1) -> Data {
    var h = dict
    let prefix = version == 1 ? 10 : 12
    let total = ((prefix + h.utf8.count + 1 + 63) / 64) * 64
    h += String(repeating: " ", count: total - prefix - h.utf8.count - 1) + "\n"
    var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
    let n = h.utf8.count
    if version == 1 { d.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)]) } else {
      d.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8), 0, 0])
    }
    d.append(contentsOf: Array(h.utf8))
    return d
  }

  @Test func roundTripEveryDType() throws {
    let m = try Matrix<Double>([[1.5, -2], [3, 4e-300]])
    for array in [NumPyArray(m), NumPyArray(m.converted(to: Float.self)), NumPyArray(int64: [1, -2, 3])] {
      let back = try NumPyFile.parse(NumPyFile.encode(array), file: "t.npy")
      #expect(back == array)
    }
    let back = try NumPyFile.parse(NumPyFile.encode(NumPyArray(m)), file: "t.npy").matrix(Double.self)
    #expect(back == m)
    // int32, uint8, bool built by hand
    for (descr, bytes, expect) in [
      ("<i4", Data([0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0]), [-1.0, 2]), ("|u1", Data([7, 200]), [7, 200]),
      ("|b1", Data([1, 0]), [1, 0]),
    ] {
      var d = Self.header("{'descr': '\(descr)', 'fortran_order': False, 'shape': (2,), }")
      d.append(bytes)
      #expect(try NumPyFile.parse(d, file: "t.npy").doubles() == expect)
    }
  }

  @Test(arguments: [UInt8(2), 3])
  func readsVersions2And3(version: UInt8) throws {
    var d = Self.header("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", version: version)
    d.append(contentsOf: [1.0, 2.0].withUnsafeBufferPointer { Data(buffer: $0) })
    let a = try NumPyFile.parse(d, file: "v.npy")
    #expect(a.shape == [1, 2] && a.doubles() == [1, 2])
  }

  /// Every refused case names the file and the field.
  @Test(arguments: [
    ("bad magic", Data("NOTNUMPY0000".utf8), "magic"),
    ("short", Data([0x93, 0x4E]), "magic"),
    ("future version", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 9, 0, 0, 0]), "version"),
    ("header past EOF", Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0xFF, 0x7F]), "header_len"),
    ("fortran", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': True, 'shape': (0,), }"), "fortran_order"),
    ("big-endian", NumPyFileTests.header("{'descr': '>f8', 'fortran_order': False, 'shape': (0,), }"), "descr"),
    ("object", NumPyFileTests.header("{'descr': '|O', 'fortran_order': False, 'shape': (0,), }"), "descr"),
    ("complex", NumPyFileTests.header("{'descr': '<c16', 'fortran_order': False, 'shape': (0,), }"), "descr"),
    ("lying shape", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }") + Data(count: 16), "shape"),
    ("trailing bytes", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }") + Data(count: 16), "shape"),
    ("negative shape", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }"), "shape"),
    ("overflowing shape", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 4), }"), "shape"),
    ("missing descr", NumPyFileTests.header("{'fortran_order': False, 'shape': (0,), }"), "descr"),
    ("garbage header", NumPyFileTests.header("{'descr': <f8}"), "header"),
  ])
  func refusesMalformedFiles(name: String, data: Data, field: String) {
    do {
      _ = try NumPyFile.parse(data, file: "bad.npy")
      Issue.record("\(name) was accepted")
    } catch let e as NumPyError {
      #expect(e.field == field, "\(name): \(e)")
      #expect(e.file == "bad.npy")
      #expect(!e.message.isEmpty)
    } catch {
      Issue.record("\(name): unexpected error \(error)")
    }
  }

  @Test func readWriteFileAndMissingFile() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("a.npy")
    let m = RandomSource(seed: 2).normalMatrix(rows: 100, columns: 3)
    try NumPyFile.write(NumPyArray(m), to: url)
    #expect(try NumPyFile.read(url).matrix(Double.self) == m)
    #expect(throws: NumPyError.self) { try NumPyFile.read(dir.appendingPathComponent("missing.npy")) }
  }

  @Test func integerLabelsFromFloatsMustBeIntegers() throws {
    let ok = NumPyArray(try Matrix<Double>([[0], [2]]))
    #expect(try ok.integers() == [0, 2])
    let bad = NumPyArray(try Matrix<Double>([[0.5]]))
    #expect(throws: NumPyError.self) { try bad.integers() }
  }
}
