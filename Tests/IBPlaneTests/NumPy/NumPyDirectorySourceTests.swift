import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// The `recording.json` directory layout (`NumPyDirectorySource`) on hostile input.
@Suite struct NumPyDirectorySourceTests {
  /// A directory with one layer of width 2, two snapshots' worth of header, one layer file.
  static func directory(json: String? = nil, labels: [Int] = [0, 1 << 62, 1 << 62], in dir: TemporaryDirectory) throws -> URL {
    let d = dir.file("rec")
    try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    let header = json ?? #"{"layers": [{"name": "h", "width": 2}], "snapshots": [{"epoch": 0, "step": 0, "metrics": {}}]}"#
    try Data(header.utf8).write(to: d.appendingPathComponent("recording.json"))
    try NumPyFile.write(NumPyArray(int64: labels), to: d.appendingPathComponent("labels.npy"))
    try NumPyFile.write(NumPyArray(try Matrix<Float>(rows: labels.count, columns: 2, elements: [0, 1, 2, 3, 4, 5])), to: d.appendingPathComponent("snapshot-0-layer-0.npy"))
    return d
  }

  @Test func classIDsAreRecoded() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let source = try NumPyDirectorySource(directory: try Self.directory(in: dir))
    #expect(try source.makePlaneContext().labels == .classes([0, 1, 1], classCount: 2))
    #expect(source.run["class_ids"] == "0,\(1 << 62)")
    #expect(try source.layer(0, snapshot: 0).columns == 2)
  }

  /// Indices past the header used to trap in `layers[layerIndex]`.
  @Test(arguments: [(1, 0), (0, 1), (-1, 0)])
  func layerIndexOutOfRange(layer: Int, snapshot: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let source = try NumPyDirectorySource(directory: try Self.directory(in: dir))
    #expect(throws: NumPyError.self) { try source.layer(layer, snapshot: snapshot) }
  }

  @Test("widths outside 1…2³¹ − 1 are refused", arguments: [0, 1 << 40, -3])
  func width(width: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let json = #"{"layers": [{"name": "h", "width": \#(width)}], "snapshots": []}"#
    #expect(throws: NumPyError.self) { try NumPyDirectorySource(directory: try Self.directory(json: json, in: dir)) }
  }

  /// A recording.json over the limit is refused from its size (a sparse file: nothing is read).
  @Test func oversizedHeader() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let d = try Self.directory(in: dir)
    let handle = try FileHandle(forWritingTo: d.appendingPathComponent("recording.json"))
    try handle.truncate(atOffset: UInt64(NumPyDirectorySource.maximumHeaderBytes + 1))
    try handle.close()
    do {
      _ = try NumPyDirectorySource(directory: d)
      Issue.record("accepted")
    } catch let e as NumPyError {
      #expect(e.field == "file" && e.message.contains("at most \(NumPyDirectorySource.maximumHeaderBytes)"), "\(e)")
    }
  }

  @Test func layerFileOfTheWrongShapeIsRefusedBeforeConversion() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let d = try Self.directory(in: dir)
    try NumPyFile.write(NumPyArray(int64: [1, 2, 3, 4, 5, 6]), to: d.appendingPathComponent("snapshot-0-layer-0.npy"))
    let source = try NumPyDirectorySource(directory: d)
    #expect(throws: NumPyError.self) { try source.layer(0, snapshot: 0) }
  }
}
