import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

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

  @Test func floatMatrixReadsAsTheMappedRouteDoes() throws {
    // The direct read (float files whose header and size check out) against `read` then
    // `matrix`: the same matrices, float32 kept or widened, 1-D as a column; every other file
    // through the mapped route, with its errors.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ibplane-floatMatrix-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let m = try Matrix<Double>(rows: 5, columns: 3, elements: (0..<15).map { Double($0) * 0.1 - 0.7 })
    let cases: [(String, NumPyArray)] = [
      ("f8.npy", NumPyArray(m)), ("f4.npy", NumPyArray(m.converted(to: Float.self))),
      ("f4-1d.npy", NumPyArray(m.converted(to: Float.self), vector: true)), ("i8.npy", NumPyArray(int64: [1, -2, 3])),
      ("empty.npy", NumPyArray(try Matrix<Double>(rows: 0, columns: 2, elements: []))),
    ]
    for (name, array) in cases {
      let url = dir.appendingPathComponent(name)
      try NumPyFile.write(array, to: url)
      for keepFloat in [true, false] {
        let got = try NumPyFile.floatMatrix(url, file: name, keepFloat: keepFloat)
        switch got {
        case .float(let f):
          #expect(keepFloat && array.dtype == .float32, "\(name)")
          #expect(f == (try NumPyFile.read(url).matrix(Float.self, file: name)), "\(name)")
        case .double(let d):
          #expect(!(keepFloat && array.dtype == .float32), "\(name)")
          #expect(d == (try NumPyFile.read(url).matrix(Double.self, file: name)), "\(name)")
        }
      }
    }
    // Truncated, one byte long, no columns, three dimensions: the mapped route's errors.
    let whole = NumPyFile.encode(NumPyArray(m.converted(to: Float.self)))
    var bad: [(String, Data)] = [("short.npy", whole.dropLast(3)), ("long.npy", whole + Data([0])), ("tiny.npy", Data([0x93]))]
    var noColumns = Self.header("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }")
    noColumns.append(Data())
    bad.append(("nocols.npy", noColumns))
    var cube = Self.header("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }")
    cube.append(Data(count: 8))
    bad.append(("cube.npy", cube))
    for (name, data) in bad {
      let url = dir.appendingPathComponent(name)
      try data.write(to: url)
      let mapped: String
      do {
        _ = try NumPyFile.read(url).matrix(Double.self, file: name)
        mapped = "no error"
      } catch { mapped = "\(error)" }
      for keepFloat in [true, false] {
        #expect(throws: (any Error).self, "\(name)") { try NumPyFile.floatMatrix(url, file: name, keepFloat: keepFloat) }
        do {
          _ = try NumPyFile.floatMatrix(url, file: name, keepFloat: keepFloat)
        } catch { #expect("\(error)" == mapped, "\(name)") }
      }
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
    // 2⁶¹ doubles: the element count fits an Int, its byte size does not.
    ("byte size overflows", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }"), "shape"),
    ("65 dimensions", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (\(String(repeating: "1, ", count: 65))), }"), "shape"),
    ("non-ASCII digits", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (\u{663},), }", version: 3), "header"),
    ("header over the limit", NumPyFileTests.header("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), 'pad': '\(String(repeating: "x", count: 10_000))'}", version: 2), "header_len"),
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

  /// A 256 MiB v2 header took > 60 s and 5 GB and echoed itself into a 268 MB error. Only the
  /// 12-byte preamble is written here: the length is refused before anything else is read.
  @Test func hugeHeaderLengthIsRefusedFromThePreamble() throws {
    let preamble = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0, 0, 0, 0x10])
    #expect(throws: NumPyError(
      file: "big.npy", field: "header_len",
      message: "header of 268435456 bytes at offset 12 is longer than the 10000 bytes a .npy header may have")) {
      try NumPyFile.parse(preamble, file: "big.npy")
    }
  }

  /// A header that fails to parse is quoted in the error, cut to 100 characters.
  @Test func quotedHeaderIsTruncated() throws {
    let junk = NumPyFileTests.header("{'descr': <<" + String(repeating: "B", count: 9_000))
    do {
      _ = try NumPyFile.parse(junk, file: "junk.npy")
      Issue.record("accepted")
    } catch let e as NumPyError {
      #expect(e.field == "header")
      #expect(e.message.hasSuffix("B…"), "\(e.message)")
      #expect(e.description.count < 250, "\(e.description.count) characters")
    }
    #expect(NumPyError.quoted(String(repeating: "é", count: 100)) == String(repeating: "é", count: 100))
    #expect(NumPyError.quoted(String(repeating: "é", count: 101)) == String(repeating: "é", count: 100) + "…")
  }

  /// Arrays with a zero dimension are valid, but a 2-D one with no columns claims rows no byte
  /// backs; it cannot become a matrix.
  @Test func zeroSizedDimensions() throws {
    let empty = try NumPyFile.parse(Self.header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }"), file: "e.npy")
    #expect(try empty.matrix(Float.self).rows == 0)
    let rowsOnly = try NumPyFile.parse(
      Self.header("{'descr': '<f4', 'fortran_order': False, 'shape': (1152921504606846976, 0), }"), file: "r.npy")
    #expect(rowsOnly.count == 0)
    #expect(throws: NumPyError.self) { try rowsOnly.matrix(Float.self, file: "r.npy") }
  }

  /// The public initialiser checks the byte size with overflow arithmetic (it trapped before).
  @Test func initialiserRefusesOverflowingShape() {
    #expect(throws: NumPyError.self) { try NumPyArray(dtype: .float64, shape: [1 << 61], bytes: Data()) }
    #expect(throws: NumPyError.self) { try NumPyArray(dtype: .uint8, shape: [1 << 62, 4], bytes: Data()) }
  }

  /// Arrays parsed from a larger buffer are slices of it and read correctly.
  @Test func parsesFromASlice() throws {
    let file = Data([1, 2, 3]) + NumPyFile.encode(NumPyArray(int64: [7, -8]))
    let a = try NumPyFile.parse(file[3...], file: "s.npy")
    #expect(try a.integers() == [7, -8])
  }

  @Test func readWriteFileAndMissingFile() throws {
    let scratch = try TemporaryDirectory("npy")
    defer { scratch.remove() }
    let dir = scratch.url
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
