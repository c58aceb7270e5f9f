import Foundation
import IBPlane
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

  @Test("stored and deflated .npz and a folder import to the same recording")
  func importSources() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try runPython(Self.make, in: dir.url)
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
    "malformed NumPy sources are refused with the member named",
    arguments: [
      ("nolabels.npz", "labels"), ("nolayers.npz", "layer/<name>"), ("badlayer.npz", "layer/h1"),
      ("badepochs.npz", "epochs"), ("fortran.npz", "fortran_order"), ("bigendian.npz", "big-endian"),
      ("object.npz", "object dtype"), ("intlayer.npz", "float32 or float64"), ("mismatch.npz", "layer/h2"),
      ("notzip.npz", "archive"),
    ])
  func malformed(file: String, phrase: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try runPython(Self.make, in: dir.url)
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
}
