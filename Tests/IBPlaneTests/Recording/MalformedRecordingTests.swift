import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// What reading a malformed file must produce: a specific error (kind + a phrase naming the
/// place), never a crash, a hang or a huge allocation.
enum MalformedOutcome: Sendable {
  /// `Recording(contentsOf:)` throws this kind, and its message contains the phrase.
  case openFails(String, String)
  /// The file opens, but reading the snapshots/inputs throws this kind with the phrase.
  case readFails(String, String)
  /// The file opens with a warning containing the phrase, and this many snapshots stay readable.
  case warns(String, readable: Int)
}

struct MalformedCase: Sendable, CustomTestStringConvertible {
  var name: String
  var bytes: @Sendable () -> [UInt8]
  var outcome: MalformedOutcome
  var testDescription: String { name }
}

private func raw(_ change: @escaping @Sendable (inout RawRecording) -> Void) -> @Sendable () -> [UInt8] {
  { var r = RawRecording(); change(&r); return r.bytes() }
}
private func header(_ change: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable () -> [UInt8] {
  raw { r in change(&r.headerObject) }
}
private let layerPayload = RawRecording.floats((0..<20).map { Float($0) })

let malformedCases: [MalformedCase] = [
  .init(name: "empty file", bytes: { [] }, outcome: .openFails("truncated", "preamble")),
  .init(name: "half a magic", bytes: { Array(RawRecording.magic.prefix(5)) }, outcome: .openFails("truncated", "preamble")),
  .init(name: "wrong magic", bytes: raw { $0.magic = Array("NOTIBPRC".utf8) }, outcome: .openFails("badMagic", "offset 0")),
  .init(name: "a .npy file", bytes: { [0x93] + Array("NUMPY".utf8) + [1, 0] + Array(repeating: 0x20, count: 60) }, outcome: .openFails("badMagic", "magic")),
  .init(name: "future version", bytes: raw { $0.version = 2 }, outcome: .openFails("unsupportedVersion", "version 2")),
  .init(name: "version 0", bytes: raw { $0.version = 0 }, outcome: .openFails("unsupportedVersion", "version 0")),
  .init(name: "file ends inside preamble", bytes: { Array(RawRecording().bytes().prefix(12)) }, outcome: .openFails("truncated", "preamble")),
  .init(name: "header length past EOF", bytes: raw { $0.headerLength = 5000; $0.inputs = nil; $0.labels = []; $0.records = [] }, outcome: .openFails("truncated", "5000 header bytes")),
  .init(name: "header length 0", bytes: raw { $0.headerLength = 0 }, outcome: .openFails("invalidBlock", "header length")),
  .init(name: "header length absurd (4 GiB)", bytes: raw { $0.headerLength = UInt32.max }, outcome: .openFails("invalidBlock", "header length")),
  .init(name: "header CRC mismatch", bytes: raw { $0.headerCRC = 12345 }, outcome: .openFails("checksumMismatch", "header at offset 16")),
  .init(name: "invalid JSON", bytes: raw { $0.headerText = Array("{\"sample_count\": 4,".utf8) }, outcome: .openFails("invalidHeader", "JSON")),
  .init(name: "header not UTF-8", bytes: raw { $0.headerText = [0x7B, 0xFF, 0xFE, 0x7D] }, outcome: .openFails("invalidHeader", "(header)")),
  .init(name: "JSON array at top level", bytes: raw { $0.headerText = Array("[1,2,3]".utf8) }, outcome: .openFails("invalidHeader", "JSON object")),
  .init(name: "missing sample_count", bytes: header { $0["sample_count"] = nil }, outcome: .openFails("invalidHeader", "'sample_count'")),
  .init(name: "missing layers", bytes: header { $0["layers"] = nil }, outcome: .openFails("invalidHeader", "'layers'")),
  .init(name: "missing labels", bytes: header { $0["labels"] = nil }, outcome: .openFails("invalidHeader", "'labels'")),
  .init(name: "missing storage", bytes: header { $0["storage"] = nil }, outcome: .openFails("invalidHeader", "'storage'")),
  .init(name: "unknown storage float64", bytes: header { $0["storage"] = "float64" }, outcome: .openFails("invalidHeader", "'storage'")),
  .init(name: "wrong format name", bytes: header { $0["format"] = "hdf5" }, outcome: .openFails("invalidHeader", "'format'")),
  .init(name: "N = 0", bytes: header { $0["sample_count"] = 0 }, outcome: .openFails("invalidHeader", "got 0")),
  .init(name: "N negative", bytes: header { $0["sample_count"] = -4 }, outcome: .openFails("invalidHeader", "got -4")),
  .init(name: "N absurd (10^15)", bytes: header { $0["sample_count"] = 1_000_000_000_000_000 }, outcome: .openFails("invalidHeader", "'sample_count'")),
  .init(name: "N a string", bytes: header { $0["sample_count"] = "4" }, outcome: .openFails("invalidHeader", "an integer")),
  .init(name: "N a boolean", bytes: header { $0["sample_count"] = true }, outcome: .openFails("invalidHeader", "an integer")),
  .init(name: "N fractional", bytes: header { $0["sample_count"] = 2.5 }, outcome: .openFails("invalidHeader", "an integer")),
  .init(name: "N large but the labels block is missing", bytes: header { $0["sample_count"] = Int(Int32.max) }, outcome: .openFails("truncated", "inputs block")),
  .init(name: "width 0", bytes: header { $0["layers"] = [["name": "a", "width": 0]] }, outcome: .openFails("invalidHeader", "layers[0].width")),
  .init(name: "width negative", bytes: header { $0["layers"] = [["name": "a", "width": -3]] }, outcome: .openFails("invalidHeader", "layers[0].width")),
  .init(name: "width absurd (2^40)", bytes: header { $0["layers"] = [["name": "a", "width": 1 << 40]] }, outcome: .openFails("invalidHeader", "layers[0].width")),
  .init(
    name: "N × widths overflows 64 bits",
    bytes: header {
      $0["sample_count"] = Int(Int32.max)
      $0["layers"] = (0..<3).map { ["name": "l\($0)", "width": Int(Int32.max)] }
    }, outcome: .openFails("invalidHeader", "64 bits")),
  // Sizes derived from the header are overflow-checked, then compared with the file size.
  .init(
    name: "targets block N × k × 4 overflows 64 bits (was a SIGSEGV)",
    bytes: header {
      $0["sample_count"] = Int(Int32.max)
      $0["labels"] = ["kind": "targets", "width": Int(Int32.max)]
    }, outcome: .openFails("invalidHeader", "'labels.width': expected N × label width × 4 bytes that fit in 64 bits")),
  .init(
    name: "record length 36 + M + P overflows 64 bits (was a SIGSEGV at a negative offset)",
    bytes: header {
      $0["sample_count"] = 2_147_483_646
      $0["layers"] = [["name": "a", "width": 1_073_741_825]]  // P = 4 × N × width = Int.max − 7
    }, outcome: .openFails("invalidHeader", "whose length fits in 64 bits")),
  .init(
    name: "record length wraps with N = 16,385 and 65,533 layers (was a SIGSEGV at a negative offset)",
    bytes: raw {
      // Σ widths = ⌊Int.max / (4N)⌋, so P = 4 × N × Σ widths = Int.max − 127 fits but 36 + M + P does not.
      let n = 16_385
      let total = Int.max / (4 * n)
      let count = 65_533
      $0.headerObject["sample_count"] = n
      $0.headerObject["input_width"] = 0
      $0.headerObject["labels"] = ["kind": "classes", "class_count": 1]
      $0.headerObject["layers"] = (0..<count).map { i in
        ["name": "l\(i)", "width": total / count + (i == count - 1 ? total % count : 0)] as [String: Any]
      }
      $0.inputs = nil
      $0.labels = [UInt8](repeating: 0, count: 4 * n)
      let metrics = RawRecording.metric(String(repeating: "m", count: 190), 1)
      $0.records = [Array(RawRecording.record(epoch: 0, step: 0, payload: [], metrics: metrics, payloadLength: UInt64(4 * n * total)) + [UInt8](repeating: 0, count: 64))]
    }, outcome: .openFails("invalidHeader", "whose length fits in 64 bits")),
  .init(
    name: "targets block of 2^62 bytes in a small file",
    bytes: raw {
      $0.headerObject["sample_count"] = Int(Int32.max)
      $0.headerObject["input_width"] = 0
      $0.headerObject["labels"] = ["kind": "targets", "width": 1 << 29]
      $0.inputs = nil
    }, outcome: .openFails("truncated", "labels block")),
  .init(
    name: "class_count 2^31 − 1 for N = 4 (was an 8.6 GB allocation)",
    bytes: header { $0["labels"] = ["kind": "classes", "class_count": Int(Int32.max)] },
    outcome: .openFails("invalidHeader", "at most max(N, 65,536)")),
  .init(
    name: "class_count 65,537 for N = 4",
    bytes: header { $0["labels"] = ["kind": "classes", "class_count": 65_537] }, outcome: .openFails("invalidHeader", "got 65537")),
  .init(
    name: "a NaN regression target",
    bytes: raw {
      $0.headerObject["labels"] = ["kind": "targets", "width": 2]
      $0.labels = RawRecording.floats([0, 1, 2, 3, .nan, 5, 6, 7])
    }, outcome: .openFails("invalidBlock", "labels[2][0]: expected a finite target")),
  .init(
    name: "an infinite input",
    bytes: raw { $0.inputs = RawRecording.floats([0, 1, 2, -.infinity, 4, 5, 6, 7]) },
    outcome: .readFails("invalidBlock", "inputs[1][1]: expected a finite input")),
  .init(name: "no layers", bytes: header { $0["layers"] = [] as [Any] }, outcome: .openFails("invalidHeader", "at least one layer")),
  .init(name: "layers not an array", bytes: header { $0["layers"] = "a,b" }, outcome: .openFails("invalidHeader", "'layers'")),
  .init(name: "duplicate layer names", bytes: header { $0["layers"] = [["name": "a", "width": 2], ["name": "a", "width": 3]] }, outcome: .openFails("invalidHeader", "'a' repeats")),
  .init(name: "empty layer name", bytes: header { $0["layers"] = [["name": "", "width": 5]] }, outcome: .openFails("invalidHeader", "layers[0].name")),
  .init(name: "unknown label kind", bytes: header { $0["labels"] = ["kind": "strings"] }, outcome: .openFails("invalidHeader", "labels.kind")),
  .init(name: "class_count 0", bytes: header { $0["labels"] = ["kind": "classes", "class_count": 0] }, outcome: .openFails("invalidHeader", "labels.class_count")),
  .init(name: "negative input_width", bytes: header { $0["input_width"] = -1 }, outcome: .openFails("invalidHeader", "input_width")),
  .init(name: "inputs block shorter than declared", bytes: raw { $0.inputs = Array(RawRecording.floats([1, 2, 3])); $0.labels = []; $0.records = [] }, outcome: .openFails("truncated", "inputs block")),
  .init(name: "labels block shorter than declared", bytes: raw { $0.labels = RawRecording.int32s([0, 1]); $0.records = [] }, outcome: .openFails("truncated", "labels block")),
  .init(name: "class label out of range", bytes: raw { $0.labels = RawRecording.int32s([0, 1, 5, 0]) }, outcome: .openFails("invalidBlock", "labels[2]")),
  .init(name: "negative class label", bytes: raw { $0.labels = RawRecording.int32s([0, -1, 1, 0]) }, outcome: .openFails("invalidBlock", "labels[1]")),
  .init(name: "labels CRC mismatch", bytes: raw { $0.labelsCRC = 1 }, outcome: .openFails("checksumMismatch", "labels")),
  .init(name: "inputs CRC mismatch", bytes: raw { $0.inputsCRC = 1 }, outcome: .readFails("checksumMismatch", "inputs")),
  .init(name: "truncated record header", bytes: raw { $0.tail = Array(RawRecording.record(epoch: 2, step: 20, payload: layerPayload).prefix(10)) }, outcome: .warns("32-byte record header", readable: 2)),
  .init(name: "truncated payload", bytes: raw { $0.tail = Array(RawRecording.record(epoch: 2, step: 20, payload: layerPayload).dropLast(7)) }, outcome: .warns("incomplete", readable: 2)),
  .init(name: "only a truncated record", bytes: raw { $0.records = [Array(RawRecording.record(epoch: 0, step: 0, payload: layerPayload).prefix(50))] }, outcome: .warns("snapshot 0 at offset", readable: 0)),
  .init(name: "record CRC mismatch", bytes: raw { $0.records[1] = RawRecording.record(epoch: 1, step: 1, payload: layerPayload, crc: 99) }, outcome: .readFails("checksumMismatch", "snapshot 1 at offset")),
  .init(name: "record payload bit flip", bytes: raw { $0.records[0][40] ^= 0x10 }, outcome: .readFails("checksumMismatch", "snapshot 0")),
  .init(name: "bad record marker", bytes: raw { $0.records[1] = RawRecording.record(epoch: 1, step: 1, payload: layerPayload, marker: Array("SNAQ".utf8)) }, outcome: .openFails("malformedRecord", "marker")),
  .init(name: "record payload length lies", bytes: raw { $0.records[0] = RawRecording.record(epoch: 0, step: 0, payload: layerPayload, payloadLength: 1 << 40) }, outcome: .openFails("malformedRecord", "payload length")),
  .init(name: "record metrics length absurd", bytes: raw { $0.records[0] = RawRecording.record(epoch: 0, step: 0, payload: layerPayload, metricsLength: UInt32.max) }, outcome: .openFails("malformedRecord", "metrics length")),
  .init(
    name: "metric name runs past its block",
    bytes: raw { $0.records[0] = RawRecording.record(epoch: 0, step: 0, payload: layerPayload, metrics: RawRecording.le(UInt16(500)) + Array("loss".utf8)) },
    outcome: .openFails("malformedRecord", "metric entry")),
  .init(
    name: "duplicate metric names",
    bytes: raw { $0.records[0] = RawRecording.record(epoch: 0, step: 0, payload: layerPayload, metrics: RawRecording.metric("loss", 1) + RawRecording.metric("loss", 2)) },
    outcome: .openFails("malformedRecord", "'loss' repeats")),
  .init(
    name: "float16 infinities in a layer",
    bytes: raw {
      $0.headerObject["storage"] = "float16"
      let halves: [UInt16] = [0x3C00, 0x7C00, 0xFC00] + [UInt16](repeating: 0x3800, count: 17)
      $0.records = [RawRecording.record(epoch: 0, step: 0, payload: RawRecording.halves(halves))]
    }, outcome: .readFails("nonFiniteValues", "snapshot 0 (epoch 0, step 0), layer 'a': 2 NaN/Inf values")),
  .init(
    name: "float32 NaN in a layer",
    bytes: raw { $0.records = [RawRecording.record(epoch: 0, step: 0, payload: RawRecording.floats([0, 0, 0, 0, 0, 0, 0, 0, .nan] + [Float](repeating: 1, count: 11)))] },
    outcome: .readFails("nonFiniteValues", "layer 'b': 1 NaN/Inf value")),
]

@Suite("Malformed recordings")
struct MalformedRecordingTests {
  @Test("The table has at least 30 cases") func tableSize() {
    #expect(malformedCases.count >= 30)
  }

  @Test("Each malformed file gets its specific answer", arguments: malformedCases)
  func malformed(_ c: MalformedCase) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = try dir.write(c.bytes(), "bad.bin")
    switch c.outcome {
    case .openFails(let kind, let phrase):
      do {
        let r = try Recording(contentsOf: url)
        Issue.record("opened with \(r.snapshots.count) snapshots; expected \(kind) error")
      } catch let e as RecordingError {
        #expect(e.kind == kind, "\(e)")
        #expect(e.description.contains(phrase), "\(e)")
        #expect(e.description.contains(url.path), "\(e)")
      }
    case .readFails(let kind, let phrase):
      let r = try Recording(contentsOf: url)
      do {
        _ = try r.inputs
        for s in r.snapshots.indices { for l in r.layers.indices { _ = try r.layer(l, snapshot: s) } }
        Issue.record("read everything; expected \(kind) error")
      } catch let e as RecordingError {
        #expect(e.kind == kind, "\(e)")
        #expect(e.description.contains(phrase), "\(e)")
      }
    case .warns(let phrase, let readable):
      let r = try Recording(contentsOf: url)
      #expect(r.snapshots.count == readable)
      #expect(r.hasTruncatedTail)
      #expect(r.warnings.count == 1)
      #expect(r.warnings.first?.contains(phrase) == true, "\(r.warnings)")
      for s in r.snapshots.indices { for l in r.layers.indices { _ = try r.layer(l, snapshot: s) } }
    }
  }

  @Test("skipDamaged skips a record with a bad CRC and keeps the others")
  func skipDamaged() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    raw.records.insert(RawRecording.record(epoch: 5, step: 5, payload: layerPayload, crc: 7), at: 1)
    let url = try dir.write(raw.bytes(), "damaged.bin")
    #expect(try Recording(contentsOf: url).snapshots.count == 3)
    let r = try Recording(contentsOf: url, skipDamaged: true)
    #expect(r.snapshots.map(\.epoch) == [0, 1])
    #expect(r.skippedRecordCount == 1)
    #expect(r.warnings.count == 1 && r.warnings[0].contains("snapshot 1"))
    #expect(try r.layer(1, snapshot: 1).elements == (0..<20).dropFirst(8).map { Float($0) * 2 })
  }

  @Test("A repeated (epoch, step) opens with a warning naming both records; inspection calls it invalid")
  func repeatedSnapshot() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    raw.records.append(RawRecording.record(epoch: 1, step: 10, payload: layerPayload))
    let url = try dir.write(raw.bytes(), "repeat.bin")
    let r = try Recording(contentsOf: url)
    #expect(r.snapshots.count == 3)
    let offsets = r.snapshots.compactMap(\.offset)
    let e = try #require(r.duplicateSnapshots.first)
    #expect(r.duplicateSnapshots.count == 1)
    #expect(e.kind == "malformedRecord")
    #expect(e.description.contains("\(url.path): snapshot 2 at offset \(offsets[2]): (epoch 1, step 10)"), "\(e)")
    #expect(e.description.contains("snapshot 1 at offset \(offsets[1]) has it too"), "\(e)")
    #expect(r.warnings == [e.description])
    let report = r.inspect()
    #expect(report.isInvalid && !report.isDamaged)
    #expect(report.problems == [e])
    // Every snapshot still reads: nothing is lost, the caller decides.
    for s in 0..<3 { _ = try r.layer(0, snapshot: s) }
  }

  @Test("class_count may reach max(N, 65,536)")
  func classCountLimit() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    raw.headerObject["labels"] = ["kind": "classes", "class_count": 65_536]
    let r = try Recording(contentsOf: try dir.write(raw.bytes(), "c.bin"))
    #expect(r.labels == .classes([0, 1, 1, 0], classCount: 65_536))
  }

  @Test("forEachSnapshot allocates nothing for a header that declares a huge payload but has no records")
  func hugeHeaderNoRecords() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    // 4 × 20,000 × (2³¹ − 1) float32 values: 687 TB, more than any address space.
    raw.headerObject["layers"] = (0..<20_000).map { ["name": "l\($0)", "width": Int(Int32.max)] }
    raw.records = []
    let r = try Recording(contentsOf: try dir.write(raw.bytes(), "huge.bin"))
    var lent = 0
    try r.forEachSnapshot { _ in lent += 1 }
    #expect(lent == 0 && r.snapshots.isEmpty)
    #expect(r.inspect().snapshots.isEmpty)
  }

  @Test("A directory or a missing file is an I/O error naming the path")
  func notAFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    for url in [dir.url, dir.file("missing.bin")] {
      #expect(throws: RecordingError.self) { try Recording(contentsOf: url) }
      do { _ = try Recording(contentsOf: url) } catch let e as RecordingError {
        #expect(e.kind == "io" && e.description.contains(url.path))
      }
    }
  }
}
