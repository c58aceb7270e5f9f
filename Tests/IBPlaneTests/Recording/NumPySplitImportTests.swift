import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// The optional `split` array of the NumPy import: N integers, 0 train, 1 test, 2 unused.
@Suite("NumPy split import")
struct NumPySplitImportTests {
  let n = 5

  func archive(_ split: NumPyArray?, in dir: TemporaryDirectory, name: String) throws -> URL {
    let labels = [UInt8](NumPyFile.encode(NumPyArray(int64: [0, 1, 0, 1, 1])))
    let layer = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, n, 1], bytes: Data(count: 4 * n))))
    var members: [TestZip.Member] = [.stored("labels.npy", labels), .stored("layer/h.npy", layer)]
    if let split { members.append(.stored("split.npy", [UInt8](NumPyFile.encode(split)))) }
    return try dir.write(TestZip(members: members).bytes, name)
  }

  @Test("An integer split (.npz or folder) is imported and written into the recording")
  func imported() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let values = [0, 1, 2, 0, 1]
    let expected = SampleSplit(roles: [.train, .test, .unused, .train, .test])
    let source = try NumPyRecordingSource.npz(try archive(NumPyArray(int64: values), in: dir, name: "a.npz"))
    #expect(source.split == expected)
    try source.write(to: dir.file("a.bin"))
    #expect(try Recording(contentsOf: dir.file("a.bin")).split == expected)
    let uint8 = try NumPyArray(dtype: .uint8, shape: [n], bytes: Data(values.map(UInt8.init)))
    #expect(try NumPyRecordingSource.npz(try archive(uint8, in: dir, name: "u.npz")).split == expected)
    // No split array: none in the recording.
    #expect(try NumPyRecordingSource.npz(try archive(nil, in: dir, name: "none.npz")).split == nil)
    // A folder reads split.npy the same way.
    let folder = dir.file("f")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("layer"), withIntermediateDirectories: true)
    try NumPyFile.write(NumPyArray(int64: [0, 1, 0, 1, 1]), to: folder.appendingPathComponent("labels.npy"))
    try NumPyFile.write(try NumPyArray(dtype: .float32, shape: [1, n, 1], bytes: Data(count: 4 * n)), to: folder.appendingPathComponent("layer/h.npy"))
    try NumPyFile.write(NumPyArray(int64: values), to: folder.appendingPathComponent("split.npy"))
    #expect(try NumPyRecordingSource.folder(folder).split == expected)
  }

  @Test("A bad split is refused naming the file and the field")
  func refused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let cases: [(NumPyArray, String)] = [
      (NumPyArray(int64: [0, 1, 3, 0, 1]), "split[2]"),
      (NumPyArray(int64: [0, 1, -1, 0, 1]), "split[2]"),
      (NumPyArray(int64: [0, 1, 0, 1]), "shape (5,)"),
      (try NumPyArray(dtype: .bool, shape: [n], bytes: Data([1, 0, 1, 1, 0])), "np.where(is_train, 0, 1)"),
      (try NumPyArray(dtype: .float64, shape: [n], bytes: Data(count: 8 * n)), "integers 0 (train)"),
    ]
    for (k, (array, phrase)) in cases.enumerated() {
      let url = try archive(array, in: dir, name: "bad\(k).npz")
      #expect {
        _ = try NumPyRecordingSource.npz(url)
      } throws: { "\($0)".contains(phrase) && "\($0)".contains("bad\(k).npz") && "\($0)".contains("split") }
    }
  }
}
