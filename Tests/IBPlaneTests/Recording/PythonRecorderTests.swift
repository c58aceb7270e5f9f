import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// The numpy-only writer (python/ibplane_recorder.py) and the Swift Recorder implement the same
/// spec independently: given the same arrays they must write identical bytes, and the Swift
/// reader must return exactly the values numpy stored.
@Suite("Python writer")
struct PythonRecorderTests {
  static let script = """
    import numpy as np
    from ibplane_recorder import Recorder
    rng = np.random.default_rng(11)
    N = 37
    x = rng.normal(size=(N, 3)).astype(np.float32)
    y = rng.integers(0, 4, N)
    np.save('x.npy', x); np.save('y.npy', y.astype(np.int64))
    widths = {'h1': 6, 'h2': 4}
    for storage in ('float32', 'float16'):
        with Recorder('py_%s.bin' % storage, list(widths.items()), y, inputs=x, storage=storage,
                      run={'activation': 'tanh', 'seed': 11}) as rec:
            for s in range(3):
                layers = [(rng.normal(size=(N, w)) * 3).astype(np.float32) for w in widths.values()]
                if s == 2 and storage == 'float32':
                    layers[1][5, 2] = np.nan
                for i, a in enumerate(layers):
                    np.save('%s_%d_%d.npy' % (storage, s, i), a)
                    np.save('%s_%d_%d_stored.npy' % (storage, s, i), a.astype(storage).astype(np.float32))
                rec.record(s, 7 * s, layers, metrics={'loss': 0.25 * s, 'accuracy': 0.5})
    """

  @Test("Swift reads the Python writer's files and writes the same bytes", .requires(.numpy), arguments: [StorageType.float32, .float16])
  func pythonWriter(storage: StorageType) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try Oracles.run(Self.script, in: dir.url, pythonPath: [Repository.file("python")])
    let x = try NumPyFile.read(dir.file("x.npy")).matrix(Float.self)
    let y = try NumPyFile.read(dir.file("y.npy")).integers()
    let py = try Recording(contentsOf: dir.file("py_\(storage.rawValue).bin"))
    #expect(py.warnings.isEmpty)
    #expect(py.storage == storage)
    #expect(py.layers == [LayerSpec(name: "h1", width: 6), LayerSpec(name: "h2", width: 4)])
    #expect(py.run == ["activation": "tanh", "seed": "11"])
    #expect(try py.inputs == x)
    #expect(py.labels == .classes(y, classCount: (y.max() ?? 0) + 1))
    #expect(py.snapshots.map(\.step) == [0, 7, 14])
    #expect(py.snapshots[1].metrics == ["loss": 0.25, "accuracy": 0.5])

    let swiftURL = dir.file("swift.bin")
    let rec = try Recorder(
      creating: swiftURL, layers: py.layers, inputs: x, labels: py.labels, storage: storage, run: ["activation": "tanh", "seed": "11"])
    for s in 0..<3 {
      var given: [Matrix<Float>] = []
      for l in 0..<2 {
        let stored = try NumPyFile.read(dir.file("\(storage.rawValue)_\(s)_\(l)_stored.npy")).matrix(Float.self)
        let got = try py.layer(l, snapshot: s, allowNonFinite: true)
        // Bit patterns, so that NaN compares equal to NaN.
        #expect(got.elements.map(\.bitPattern) == stored.elements.map(\.bitPattern))
        given.append(try NumPyFile.read(dir.file("\(storage.rawValue)_\(s)_\(l).npy")).matrix(Float.self))
      }
      try rec.record(epoch: s, step: 7 * s, layers: given, metrics: ["loss": 0.25 * Double(s), "accuracy": 0.5])
    }
    if storage == .float32 {
      #expect(throws: RecordingError.nonFiniteValues(file: py.url.path, snapshot: 2, epoch: 2, step: 14, layer: "h2", count: 1)) {
        try py.layer(1, snapshot: 2)
      }
    }
    let pythonBytes = try Data(contentsOf: py.url)
    let swiftBytes = try Data(contentsOf: swiftURL)
    #expect(pythonBytes == swiftBytes, "python \(pythonBytes.count) bytes, swift \(swiftBytes.count) bytes")
  }
}
