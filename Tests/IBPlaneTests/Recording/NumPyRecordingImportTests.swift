import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

@Suite("NumPy import")
struct NumPyRecordingImportTests {
  static let make = """
    import numpy as np, os
    rng = np.random.default_rng(5)
    E, N = 4, 9
    x = rng.normal(size=(N, 3))
    y = rng.integers(0, 3, N)
    a = rng.normal(size=(E, N, 5)).astype(np.float32)
    b = rng.normal(size=(E, N, 2))
    ep = np.array([0, 1, 4, 16])
    np.savez('stored.npz', inputs=x, labels=y, epochs=ep, **{'layer/h10': a, 'layer/h2': b})
    np.savez_compressed('deflated.npz', inputs=x, labels=y, epochs=ep, **{'layer/h10': a, 'layer/h2': b})
    np.savez('targets.npz', labels=rng.normal(size=(N, 2)), **{'layer/h10': a})
    os.makedirs('folder/layer')
    np.save('folder/inputs.npy', x); np.save('folder/labels.npy', y); np.save('folder/epochs.npy', ep)
    np.save('folder/layer/h10.npy', a); np.save('folder/layer/h2.npy', b)
    with open('folder/layer/order.txt', 'w') as f: f.write('h10\\nh2\\n')
    np.save('x.npy', x.astype(np.float32)); np.save('a.npy', a); np.save('b.npy', b.astype(np.float32))
    # malformed sources
    np.savez('nolabels.npz', inputs=x, **{'layer/h1': a})
    np.savez('nolayers.npz', labels=y)
    np.savez('badlayer.npz', labels=y, **{'layer/h1': a[:, :5, :]})
    np.savez('badepochs.npz', labels=y, epochs=np.arange(3), **{'layer/h1': a})
    np.savez('fortran.npz', labels=y, **{'layer/h1': np.asfortranarray(a)})
    np.savez('bigendian.npz', labels=y, **{'layer/h1': a.astype('>f4')})
    np.savez('object.npz', labels=np.array([{}, 1, 'x'] * 3, dtype=object), **{'layer/h1': a})
    np.savez('intlayer.npz', labels=y, **{'layer/h1': np.ones((E, N, 2), dtype=np.int64)})
    np.savez('mismatch.npz', labels=y, **{'layer/h1': a, 'layer/h2': b[:3]})
    with open('notzip.npz', 'wb') as f: f.write(b'PK\\x03\\x04' + b'\\x00' * 40)
    """

  @Test("stored and deflated .npz and a folder import to the same recording", .requires(.numpy))
  func importSources() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Oracles.run(Self.make, in: dir.url)
    let a = try NumPyFile.read(dir.file("a.npy")).doubles().map(Float.init)
    let b = try NumPyFile.read(dir.file("b.npy")).doubles().map(Float.init)
    var written: [Data] = []
    for source in [try NumPyRecordingSource.npz(dir.file("stored.npz")), try .npz(dir.file("deflated.npz")), try .folder(dir.file("folder"))] {
      #expect(source.layers == [LayerSpec(name: "h10", width: 5), LayerSpec(name: "h2", width: 2)])
      #expect(source.epochs == [0, 1, 4, 16])
      #expect(source.inputs == (try NumPyFile.read(dir.file("x.npy")).matrix(Float.self)))
      let out = dir.file("out\(written.count).bin")
      try source.write(to: out, run: ["imported_from": "test"])
      let r = try Recording(contentsOf: out)
      #expect(r.snapshots.map(\.epoch) == [0, 1, 4, 16])
      for s in 0..<4 {
        #expect(try r.layer(0, snapshot: s).elements == Array(a[(s * 45)..<((s + 1) * 45)]))
        #expect(try r.layer(1, snapshot: s).elements == Array(b[(s * 18)..<((s + 1) * 18)]))
      }
      written.append(try Data(contentsOf: out))
    }
    #expect(written[0] == written[1] && written[1] == written[2])
    let targets = try NumPyRecordingSource.npz(dir.file("targets.npz"))
    guard case .targets(let t) = targets.labels else { Issue.record("expected targets"); return }
    #expect(t.rows == 9 && t.columns == 2)
    #expect(targets.epochs == [0, 1, 2, 3] && targets.inputs == nil)
  }

  @Test(
    "malformed NumPy sources are refused with the member named", .requires(.numpy),
    arguments: [
      ("nolabels.npz", "labels"), ("nolayers.npz", "layer/<name>"), ("badlayer.npz", "layer/h1"),
      ("badepochs.npz", "epochs"), ("fortran.npz", "fortran_order"), ("bigendian.npz", "big-endian"),
      ("object.npz", "object dtype"), ("intlayer.npz", "float32 or float64"), ("mismatch.npz", "layer/h2"),
      ("notzip.npz", "archive"),
    ])
  func malformed(file: String, phrase: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Oracles.run(Self.make, in: dir.url)
    do {
      _ = try NumPyRecordingSource.npz(dir.file(file))
      Issue.record("\(file) imported")
    } catch let e as RecordingError {
      #expect(e.kind == "importFailure" && e.description.contains(phrase), "\(e)")
    } catch let e as NumPyError {
      #expect(e.description.contains(phrase) && e.description.contains(file), "\(e)")
    }
  }

  @Test("a .npy whose shape lies about its length is refused before reading")
  func lyingShape() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try FileManager.default.createDirectory(at: dir.file("f/layer"), withIntermediateDirectories: true)
    try NumPyFile.write(NumPyArray(int64: [0, 1, 1]), to: dir.file("f/labels.npy"))
    let honest = NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, 3, 2], bytes: Data(count: 24)))
    var bytes = [UInt8](honest)
    let at = try #require(bytes.indices.first { Array(bytes[$0..<min($0 + 9, bytes.count)]) == Array("(1, 3, 2)".utf8) })
    bytes[at + 7] = UInt8(ascii: "9")  // the header now claims 27 elements; the data holds 6
    try Data(bytes).write(to: dir.file("f/layer/h.npy"))
    #expect(throws: NumPyError.self) { try NumPyRecordingSource.folder(dir.file("f")) }
    do { _ = try NumPyRecordingSource.folder(dir.file("f")) } catch let e as NumPyError {
      #expect(e.field == "shape", "\(e)")
      #expect(e.description.contains("h.npy"), "\(e)")
    }
  }

  /// N = 40 samples of a 3-unit layer that depends on a binary label, and the label.
  static func labelledLayer() -> (binary: [Int], layer: [Float]) {
    let binary: [Int] = (0..<40).map { ($0 * 7 + $0 / 3) % 2 }
    var layer: [Float] = []
    for i in 0..<40 {
      for j in 0..<3 {
        let jitter = Float((i * 5 + j * 3) % 7) * 0.05
        layer.append(Float(binary[i]) * 0.8 + jitter - 0.4)
      }
    }
    return (binary, layer)
  }

  /// A stored `.npz` (built by hand) and a `.npy` folder holding `ids` and the layer.
  static func sources(ids: [Int], layer: [Float], in dir: TemporaryDirectory) throws -> [NumPyRecordingSource] {
    let labels = [UInt8](NumPyFile.encode(NumPyArray(int64: ids)))
    let array = try NumPyArray(dtype: .float32, shape: [1, ids.count, 3], bytes: layer.withUnsafeBufferPointer { Data(buffer: $0) })
    let npz = try dir.write(TestZip(members: [.stored("labels.npy", labels), .stored("layer/h.npy", [UInt8](NumPyFile.encode(array)))]).bytes, "l.npz")
    let folder = dir.file("l")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("layer"), withIntermediateDirectories: true)
    try NumPyFile.write(NumPyArray(int64: ids), to: folder.appendingPathComponent("labels.npy"))
    try NumPyFile.write(array, to: folder.appendingPathComponent("layer/h.npy"))
    return [try NumPyRecordingSource.npz(npz), try NumPyRecordingSource.folder(folder)]
  }

  /// Class ids of any value are re-coded to the classes present, so the plane point does not
  /// depend on them. Before: ids {0, 2⁶²} gave I(T;Y) = 0 with binning and crashed the
  /// Gaussian estimator; {0, 10⁶} allocated terabytes; {−1, 1} was refused.
  @Test("class ids are re-coded and recorded as class_ids", arguments: [1 << 62, 1_000_000, -1])
  func recodedClassIDs(other: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (binary, values) = Self.labelledLayer()
    let layer = try Matrix(rows: 40, columns: 3, elements: values)
    let estimators: [any InformationPlaneEstimator] = [BinningEstimator(), try GaussianPlaneEstimator()]
    let reference = try PlaneContext(inputs: nil, labels: .classes(binary, classCount: 2))
    let expected = try estimators.map { try $0.point(layer: layer, context: reference) }
    #expect(expected[0].labelInformation.nats > 0.5)
    for source in try Self.sources(ids: binary.map { $0 == 1 ? other : 0 }, layer: values, in: dir) {
      #expect(source.run["class_ids"] == (other < 0 ? "\(other),0" : "0,\(other)"))
      guard case .classes(_, let k) = source.labels else { Issue.record("expected classes"); continue }
      #expect(k == 2)
      let context = try source.makePlaneContext()
      let points = try estimators.map { try $0.point(layer: try source.layer(0, snapshot: 0), context: context) }
      for (p, e) in zip(points, expected) {
        #expect(abs(p.labelInformation.nats - e.labelInformation.nats) < 1e-12, "\(p) vs \(e)")
        #expect(abs(p.inputInformation.nats - e.inputInformation.nats) < 1e-12)
      }
      let out = dir.file("r\(other).bin")
      try source.write(to: out, overwrite: true)
      #expect(try Recording(contentsOf: out).run["class_ids"] == source.run["class_ids"])
    }
  }

  @Test("dense class ids are kept as they are, with no class_ids")
  func denseClassIDs() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (binary, values) = Self.labelledLayer()
    for source in try Self.sources(ids: binary, layer: values, in: dir) {
      #expect(source.labels == .classes(binary, classCount: 2) && source.run["class_ids"] == nil)
    }
  }

  @Test("more distinct class ids than Labels.maximumClassCount are refused")
  func tooManyClasses() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let n = Labels.maximumClassCount + 1
    let labels = [UInt8](NumPyFile.encode(NumPyArray(int64: Array(0..<n))))
    let layer = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, n, 1], bytes: Data(count: 4 * n))))
    let url = try dir.write(TestZip(members: [.stored("labels.npy", labels), .stored("layer/h.npy", layer)]).bytes, "many.npz")
    #expect(throws: RecordingError.importFailure(
      file: url.path, field: "labels", expected: "at most 65536 distinct class ids (Labels.maximumClassCount)")) {
      try NumPyRecordingSource.npz(url)
    }
  }

  @Test("inputs and targets with no columns are refused")
  func noColumns() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let layer = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [1, 2, 1], bytes: Data(count: 8))))
    let noColumns = [UInt8](NumPyFile.encode(try NumPyArray(dtype: .float32, shape: [2, 0], bytes: Data())))
    let labels = [UInt8](NumPyFile.encode(NumPyArray(int64: [0, 1])))
    for (name, members) in [
      ("inputs", [TestZip.Member.stored("labels.npy", labels), .stored("inputs.npy", noColumns), .stored("layer/h.npy", layer)]),
      ("labels", [.stored("labels.npy", noColumns), .stored("layer/h.npy", layer)]),
    ] {
      let url = try dir.write(TestZip(members: members).bytes, "\(name).npz")
      do {
        _ = try NumPyRecordingSource.npz(url)
        Issue.record("\(name) with no columns was imported")
      } catch {
        #expect("\(error)".contains("no columns") || "\(error)".contains("d ≥ 1"), "\(error)")
      }
    }
  }
}
