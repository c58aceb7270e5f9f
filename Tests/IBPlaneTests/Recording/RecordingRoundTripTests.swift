import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// Deterministic test activations: value k of snapshot s of layer l.
func testLayer(rows: Int, columns: Int, seed: Int) -> Matrix<Float> {
  var m = Matrix<Float>(rows: rows, columns: columns)
  for k in 0..<(rows * columns) { m.elements[k] = Float(sin(Double(k * 7 + seed * 131) * 0.37)) * Float(1 + seed % 5) }
  return m
}

@Suite("Recording round trip")
struct RecordingRoundTripTests {
  let specs = [LayerSpec(name: "h1", width: 5), LayerSpec(name: "h2", width: 3), LayerSpec(name: "out", width: 2)]
  let n = 17

  func layers(_ s: Int) -> [Matrix<Float>] {
    specs.enumerated().map { testLayer(rows: n, columns: $1.width, seed: s * 10 + $0) }
  }

  @Test("float32: header, inputs, labels, metrics and every layer come back bit-exact")
  func float32RoundTrip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("a.bin")
    let x = testLayer(rows: n, columns: 4, seed: 99)
    let y = (0..<n).map { $0 % 3 }
    let rec = try Recorder(
      creating: url, layers: specs, inputs: x, labels: .classes(y, classCount: 3), run: ["activation": "tanh", "seed": "3"])
    for s in 0..<4 { try rec.record(epoch: s, step: 100 * s, layers: layers(s), metrics: ["loss": 1.0 / Double(s + 1), "accuracy": 0.5]) }
    let r = try Recording(contentsOf: url)
    #expect(r.layers == specs)
    #expect(r.sampleCount == n)
    #expect(r.storage == .float32)
    #expect(r.run == ["activation": "tanh", "seed": "3"])
    #expect(r.labels == .classes(y, classCount: 3))
    #expect(try r.inputs == x)
    #expect(r.warnings.isEmpty)
    #expect(r.snapshots.map(\.epoch) == [0, 1, 2, 3])
    #expect(r.snapshots.map(\.step) == [0, 100, 200, 300])
    #expect(r.snapshots[2].metrics == ["loss": 1.0 / 3, "accuracy": 0.5])
    for s in 0..<4 { for l in 0..<3 { #expect(try r.layer(l, snapshot: s) == layers(s)[l]) } }
    // Record lengths are exactly as the spec says: 36 + metrics + payload.
    let metricBytes = (2 + 4 + 8) + (2 + 8 + 8)
    #expect(r.snapshots.allSatisfy { $0.length == 36 + metricBytes + n * 10 * 4 })
    #expect(r.fileSize == r.snapshots.last!.offset! + r.snapshots.last!.length!)
    let context = try r.makePlaneContext()
    #expect(context.inputs == x && context.sampleCount == n)
  }

  @Test("float16: values are the IEEE binary16 roundings, regression targets, no inputs")
  func float16RoundTrip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("h.bin")
    let t = testLayer(rows: n, columns: 2, seed: 5)
    let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: .targets(t), storage: .float16)
    for s in 0..<2 { try rec.record(epoch: s, step: s, layers: layers(s)) }
    let r = try Recording(contentsOf: url)
    #expect(r.storage == .float16)
    #expect(try r.inputs == nil)
    #expect(r.labels == .targets(t))
    for s in 0..<2 {
      for l in 0..<3 {
        let got = try r.layer(l, snapshot: s).elements
        let want = layers(s)[l].elements
        #expect(got == want.map { Float(Float16($0)) })
        // binary16 has an 11-bit significand: relative error ≤ 2^-11 for normal numbers.
        #expect(zip(got, want).allSatisfy { abs($0 - $1) <= abs($1) * 0x1p-11 + 0x1p-24 })
      }
    }
    #expect(r.snapshots[0].length == 36 + n * 10 * 2)
  }

  @Test("append continues after the last complete record and drops a truncated tail")
  func appendAfterTruncatedTail() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("k.bin")
    do {
      let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: .classes([Int](repeating: 0, count: n), classCount: 1))
      for s in 0..<3 { try rec.record(epoch: s, step: s, layers: layers(s)) }
    }
    // Simulate a run killed in the middle of snapshot 3.
    let full = try Data(contentsOf: url)
    let rec3 = try Recorder.append(to: url)
    try rec3.record(epoch: 3, step: 3, layers: layers(3))
    let withFour = try Data(contentsOf: url)
    try withFour.prefix(full.count + 50).write(to: url)
    let cut = try Recording(contentsOf: url)
    #expect(cut.snapshots.count == 3 && cut.hasTruncatedTail)
    let again = try Recorder.append(to: url)
    #expect(again.snapshotCount == 3)
    for s in 3..<5 { try again.record(epoch: s, step: s, layers: layers(s)) }
    let r = try Recording(contentsOf: url)
    #expect(r.warnings.isEmpty)
    #expect(r.snapshots.map(\.epoch) == [0, 1, 2, 3, 4])
    for s in 0..<5 { for l in 0..<3 { #expect(try r.layer(l, snapshot: s) == layers(s)[l]) } }
  }

  @Test("the writer refuses wrong shapes, float16 overflow and an existing file")
  func writerRefusals() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("w.bin")
    let labels = Labels.classes([Int](repeating: 1, count: n), classCount: 2)
    let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: labels, storage: .float16)
    var wrong = layers(0)
    wrong[1] = testLayer(rows: n, columns: 4, seed: 1)
    #expect(throws: RecordingError.shapeMismatch(file: url.path, field: "layer 'h2'", expected: "17 × 3, got 17 × 4")) {
      try rec.record(epoch: 0, step: 0, layers: wrong)
    }
    #expect(throws: RecordingError.self) { try rec.record(epoch: 0, step: 0, layers: Array(layers(0).prefix(2))) }
    var big = layers(0)
    big[0].elements[3] = 70_000
    #expect(throws: RecordingError.self) { try rec.record(epoch: 0, step: 0, layers: big) }
    #expect(try Recording(contentsOf: url).snapshots.isEmpty)
    #expect(throws: RecordingError.self) { try Recorder(creating: url, layers: specs, inputs: nil, labels: labels) }
    _ = try Recorder(creating: url, layers: specs, inputs: nil, labels: labels, overwrite: true)
    #expect(throws: RecordingError.self) {
      try Recorder(creating: dir.file("x.bin"), layers: specs + [specs[0]], inputs: nil, labels: labels)
    }
    #expect(throws: RecordingError.self) {
      try Recorder(creating: dir.file("y.bin"), layers: specs, inputs: testLayer(rows: n + 1, columns: 2, seed: 0), labels: labels)
    }
  }

  @Test("out-of-range indices are errors, not traps")
  func indices() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("i.bin")
    let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: .classes([Int](repeating: 0, count: n), classCount: 1))
    try rec.record(epoch: 0, step: 0, layers: layers(0))
    let r = try Recording(contentsOf: url)
    #expect(throws: RecordingError.indexOutOfRange(file: url.path, field: "snapshot", index: 1, count: 1)) { try r.layer(0, snapshot: 1) }
    #expect(throws: RecordingError.indexOutOfRange(file: url.path, field: "layer", index: 3, count: 3)) { try r.layer(3, snapshot: 0) }
    #expect(throws: RecordingError.self) { try r.layer(-1, snapshot: 0) }
  }
}

@Suite("Recording streaming")
struct RecordingStreamingTests {
  @Test("forEachSnapshot lends the same values as layer(_:snapshot:), with NaN counts, for 1 and 2 decoding threads",
    arguments: [StorageType.float32, .float16], [1, 2])
  func sameValues(storage: StorageType, threads: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("s.bin")
    let specs = [LayerSpec(name: "a", width: 3), LayerSpec(name: "b", width: 70_000)]  // b spans several chunks
    let n = 5
    let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: .classes([0, 1, 0, 1, 0], classCount: 2), storage: storage)
    for s in 0..<3 {
      var layers = specs.enumerated().map { testLayer(rows: n, columns: $1.width, seed: s * 3 + $0) }
      if s == 1 { layers[1].elements[123_456] = .nan; layers[1].elements[7] = -.infinity }
      try rec.record(epoch: s, step: s, layers: layers)
    }
    let r = try Recording(contentsOf: url)
    var seen = 0
    try r.forEachSnapshot(threads: threads) { view in
      #expect(view.index == seen)  // in file order
      for l in 0..<2 {
        let owned = try r.layer(l, snapshot: view.index, allowNonFinite: true)
        #expect(Array(view.layers[l]).map(\.bitPattern) == owned.elements.map(\.bitPattern))
      }
      #expect(view.nonFiniteCounts == (view.index == 1 ? [0, 2] : [0, 0]))
      seen += 1
    }
    #expect(seen == 3)
    #expect(throws: RecordingError.nonFiniteValues(file: url.path, snapshot: 1, epoch: 1, step: 1, layer: "b", count: 2)) { try r.layer(1, snapshot: 1) }
  }

  @Test("forEachSnapshot stops at a damaged record before lending it")
  func damaged() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    raw.records[1][60] ^= 0x01
    let url = try dir.write(raw.bytes(), "d.bin")
    let r = try Recording(contentsOf: url)
    for threads in [1, 2] {
      var lent: [Int] = []
      #expect(throws: RecordingError.self) { try r.forEachSnapshot(threads: threads) { lent.append($0.index) } }
      #expect(lent == [0])
    }
  }
}

@Suite("Recording writers on failure")
struct RecorderFailureTests {
  let specs = [LayerSpec(name: "h1", width: 3)]
  let labels = Labels.classes([0, 1, 1, 0], classCount: 2)

  func write(_ url: URL, epochs: [Int], overwrite: Bool = false) throws {
    let rec = try Recorder(creating: url, layers: specs, inputs: nil, labels: labels, overwrite: overwrite)
    for e in epochs { try rec.record(epoch: e, step: e, layers: [testLayer(rows: 4, columns: 3, seed: e)]) }
  }

  @Test("a full disk (/dev/full) is a systemFailure naming the file, a runtime failure")
  func diskFull() throws {
    let url = URL(fileURLWithPath: "/dev/full")
    do {
      try write(url, epochs: [0], overwrite: true)
      Issue.record("wrote to /dev/full")
    } catch let e as RecordingError {
      #expect(e.kind == "systemFailure", "\(e)")
      #expect(e.isRuntimeFailure)
      #expect(e.description.hasPrefix("/dev/full: cannot write: "), "\(e)")
    }
    #expect(!RecordingError.io(file: "x", operation: "create", reason: "the file exists").isRuntimeFailure)
  }

  @Test("overwrite unlinks the old file: a Recording still open on it keeps reading it")
  func overwriteKeepsOpenReaders() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("r.bin")
    try write(url, epochs: [0, 1, 2])
    let old = try Recording(contentsOf: url)
    // Truncating in place would make the mapped pages of `old` vanish (SIGBUS on the next read).
    try write(url, epochs: [7], overwrite: true)
    #expect(try old.layer(0, snapshot: 2) == testLayer(rows: 4, columns: 3, seed: 2))
    #expect(try Recording(contentsOf: url).snapshots.map(\.epoch) == [7])
  }

  @Test("writeReplacing replaces only a complete recording; a failure leaves the old file and no partial file")
  func writeReplacing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("out.bin")
    try write(url, epochs: [0, 1])
    let before = try Data(contentsOf: url)
    struct Interrupted: Error {}
    #expect(throws: Interrupted.self) {
      try Recorder.writeReplacing(url, overwrite: true) { temporary in
        try write(temporary, epochs: [5])
        throw Interrupted()
      }
    }
    #expect(try Data(contentsOf: url) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["out.bin"])
    // Without overwrite the existing file is refused before anything is written.
    var called = false
    #expect(throws: RecordingError.self) { try Recorder.writeReplacing(url, overwrite: false) { _ in called = true } }
    #expect(!called)
    #expect(throws: RecordingError.self) { try Recorder.writeReplacing(dir.url, overwrite: true) { _ in called = true } }
    #expect(!called)
    // A temporary file that is not a valid recording is not moved into place.
    #expect(throws: RecordingError.self) {
      try Recorder.writeReplacing(url, overwrite: true) { try Data("not a recording".utf8).write(to: $0) }
    }
    #expect(try Data(contentsOf: url) == before)
    // Re-encoding a recording onto its own path: the input stays readable until the rename.
    let written = try Recorder.writeReplacing(url, overwrite: true) { temporary in
      let r = try Recording(contentsOf: url)
      let out = try Recorder(creating: temporary, layers: r.layers, inputs: nil, labels: r.labels, storage: .float16)
      for s in r.snapshots.indices { try out.record(epoch: s, step: s, layers: [try r.layer(0, snapshot: s)]) }
    }
    #expect(written.url == url && written.storage == .float16 && written.snapshots.count == 2)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["out.bin"])
  }
}
