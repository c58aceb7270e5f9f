import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// activations.bin bytes with a chosen JSON header and no records, for the CLI tests (the
/// library tests have the field-by-field `RawRecording`; this target does not link it).
enum HostileRecording {
  /// CRC-32 of zlib (reflected polynomial 0xEDB88320), bit by bit: test files are tiny.
  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      c ^= UInt32(b)
      for _ in 0..<8 { c = c & 1 == 1 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
    }
    return ~c
  }
  static func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

  /// Preamble, `header` and its CRC, then the inputs block (when given) and `labels`, each
  /// followed by its CRC.
  static func bytes(header: [String: Any], inputs: [Float]? = nil, labels: [UInt8]) throws -> [UInt8] {
    let json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    var out: [UInt8] = [0x89, 0x49, 0x42, 0x50, 0x52, 0x45, 0x43, 0x0A] + le(UInt32(1)) + le(UInt32(json.count))
    out += json + le(crc32(json))
    if let inputs {
      let block = inputs.flatMap { le($0.bitPattern) }
      out += block + le(crc32(block))
    }
    return out + labels + le(crc32(labels))
  }
}

@Suite("ibplane on hostile recordings")
struct HostileRecordingCLITests {
  static let big = Int(Int32.max)
  /// Headers whose derived sizes overflowed or drove huge allocations in the -Ounchecked build.
  // nonisolated(unsafe): an immutable literal, only read; `Any` is what JSONSerialization takes.
  nonisolated(unsafe) static let headers: [(String, [String: Any], String)] = [
    ("targets", ["sample_count": big, "storage": "float32", "layers": [["name": "a", "width": 1]],
      "labels": ["kind": "targets", "width": big]], "header field 'labels.width'"),
    ("record", ["sample_count": 2_147_483_646, "storage": "float32", "layers": [["name": "a", "width": 1_073_741_825]],
      "labels": ["kind": "classes", "class_count": 1]], "header field 'layers'"),
    ("classes", ["sample_count": 4, "storage": "float32", "layers": [["name": "a", "width": 2]],
      "labels": ["kind": "classes", "class_count": big]], "header field 'labels.class_count'"),
  ]

  @Test("inspect, analyze and convert exit 2 naming the header field (were SIGSEGV / SIGABRT)", arguments: 0..<3)
  func overflowingHeaders(_ i: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (name, header, field) = Self.headers[i]
    let url = dir.file("\(name).bin")
    try Data(try HostileRecording.bytes(header: header, labels: [UInt8](repeating: 0, count: 700))).write(to: url)
    for args in [["inspect", url.path], ["analyze", url.path, "--estimator", "binning", "--out", dir.file("plane").path],
      ["convert", url.path, dir.file("c.bin").path]] {
      let r = try CLI.run(args)
      #expect(r.status == 2, "\(args[0]) \(name): exit \(r.status): \(r.stderr)")
      #expect(r.stderr.contains("\(url.path): \(field)"), "\(args[0]) \(name): \(r.stderr)")
    }
  }

  @Test("a repeated (epoch, step): inspect says invalid (exit 2) as analyze refuses it, both naming the offsets")
  func repeatedSnapshot() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("repeat.bin")
    let rec = try Recorder(creating: url, layers: [LayerSpec(name: "h", width: 2)], inputs: nil, labels: .classes([0, 1, 1, 0], classCount: 2))
    for e in [0, 1, 1] { try rec.record(epoch: e, step: 5 * e, layers: [Matrix(rows: 4, columns: 2, elements: (0..<8).map { Float($0 * (e + 1)) })]) }
    let offsets = try Recording(contentsOf: url).snapshots.compactMap(\.offset)
    let phrase = "snapshot 2 at offset \(offsets[2]): (epoch 1, step 5)"
    let text = try CLI.run(["inspect", url.path])
    #expect(text.status == 2)
    #expect(text.stdout.contains("status: invalid"))
    #expect(text.stderr.contains(phrase) && text.stderr.contains("snapshot 1 at offset \(offsets[1]) has it too"), "\(text.stderr)")
    let json = try CLI.run(["inspect", url.path, "--json"])
    #expect(json.status == 2)
    #expect(try CLI.json(json.stdout)["status"] as? String == "invalid")
    let analyze = try CLI.run(["analyze", url.path, "--estimator", "binning", "--out", dir.file("plane").path])
    #expect(analyze.status == 2)
    #expect(analyze.stderr.contains(phrase), "\(analyze.stderr)")
  }

  @Test("analyze names the file, snapshot, epoch, step and layer of a NaN")
  func nonFiniteNamed() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("nan.bin")
    let rec = try Recorder(creating: url, layers: [LayerSpec(name: "hidden", width: 2)], inputs: nil, labels: .classes([0, 1, 1, 0], classCount: 2))
    for e in [3, 7] {
      var m = try Matrix<Float>(rows: 4, columns: 2, elements: (0..<8).map { Float($0 + e) })
      if e == 7 { m.elements[5] = .nan }
      try rec.record(epoch: e, step: 10 * e, layers: [m])
    }
    let analyze = try CLI.run(["analyze", url.path, "--estimator", "binning", "--out", dir.file("plane").path])
    #expect(analyze.status == 2)
    #expect(analyze.stderr.contains("\(url.path): snapshot 1 (epoch 7, step 70), layer 'hidden': 1 NaN/Inf value"), "\(analyze.stderr)")
  }

  @Test("convert never opens its input for writing: onto itself it re-encodes or refuses, and a failure keeps OUTPUT")
  func convertOntoItself() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("x.bin")
    let rec = try Recorder(creating: url, layers: [LayerSpec(name: "h", width: 2)], inputs: nil, labels: .classes([0, 1, 1, 0], classCount: 2))
    for e in 0..<3 { try rec.record(epoch: e, step: e, layers: [Matrix(rows: 4, columns: 2, elements: (0..<8).map { Float($0 + e) })]) }
    let original = try Data(contentsOf: url)
    // Without --overwrite: refused, untouched.
    #expect(try CLI.run(["convert", url.path, url.path]).status == 2)
    #expect(try Data(contentsOf: url) == original)
    // With --overwrite: re-encoded in place (was: exit 2 and the file cut to its header).
    let inPlace = try CLI.run(["convert", url.path, url.path, "--storage", "float16", "--overwrite"])
    #expect(inPlace.status == 0, "\(inPlace.stderr)")
    let r = try Recording(contentsOf: url)
    #expect(r.storage == .float16 && r.snapshots.map(\.epoch) == [0, 1, 2])
    #expect(try r.layer(0, snapshot: 2).elements == (0..<8).map { Float($0 + 2) })
    // A conversion that fails (an infinite input) leaves an existing OUTPUT byte for byte.
    let header: [String: Any] = ["sample_count": 2, "storage": "float32", "input_width": 1, "layers": [["name": "h", "width": 1]],
      "labels": ["kind": "classes", "class_count": 1]]
    let bad = try HostileRecording.bytes(header: header, inputs: [1, .infinity], labels: [UInt8](repeating: 0, count: 8))
    try Data(bad).write(to: dir.file("bad.bin"))
    let before = try Data(contentsOf: url)
    let failed = try CLI.run(["convert", dir.file("bad.bin").path, url.path, "--overwrite"])
    #expect(failed.status == 2)
    #expect(failed.stderr.contains("inputs[1][0]: expected a finite input"), "\(failed.stderr)")
    #expect(try Data(contentsOf: url) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["bad.bin", "x.bin"])
    // A NumPy source is never replaced by the recording made from it.
    let npz = dir.file("run.npz")
    try Data("an archive".utf8).write(to: npz)
    let onto = try CLI.run(["convert", npz.path, npz.path, "--overwrite"])
    #expect(onto.status == 2 && onto.stderr.contains("is the input .npz archive"), "\(onto.stderr)")
    #expect(try Data(contentsOf: npz) == Data("an archive".utf8))
    let folder = dir.file("numpy")
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("layer"), withIntermediateDirectories: true)
    #expect(try CLI.run(["convert", folder.path, folder.path, "--overwrite"]).status == 2)
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("layer").path))
  }

  @Test("train --record on a full disk exits 1 naming the file, and keeps every complete snapshot")
  func recordOnFullDisk() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("run.bin")
    // A file-size limit of about 1 MB (2 MB where ulimit counts KiB): the header (133 KB) and a
    // few 384 KB snapshots fit, a later one does not. SIGXFSZ is ignored (inherited through
    // exec), so write(2) fails with EFBIG, as it fails with ENOSPC on a full disk.
    let script = "trap '' XFSZ; ulimit -f 1953; exec \"$0\" train --dataset gaussian-mixture --epochs 40 --record \"$1\" --quiet"
    let r = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", script, try CLI.binary.path, url.path])
    #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
    #expect(r.stderr.contains("\(url.path): cannot write: "), "\(r.stderr)")
    let recording = try Recording(contentsOf: url)
    #expect(recording.hasTruncatedTail && !recording.snapshots.isEmpty)
    #expect(try CLI.run(["inspect", url.path]).status == 1)
  }
}
