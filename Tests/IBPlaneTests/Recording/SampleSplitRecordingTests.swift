import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

@Suite("Recording split")
struct SampleSplitRecordingTests {
  let specs = [LayerSpec(name: "h1", width: 3), LayerSpec(name: "h2", width: 2)]
  let n = 10

  func write(_ url: URL, split: SampleSplit?) throws {
    let rec = try Recorder(
      creating: url, layers: specs, inputs: testLayer(rows: n, columns: 2, seed: 5),
      labels: .classes((0..<n).map { $0 % 2 }, classCount: 2), run: ["seed": "1"], split: split)
    for s in 0..<2 { try rec.record(epoch: s, step: s, layers: specs.enumerated().map { testLayer(rows: n, columns: $1.width, seed: s * 10 + $0) }) }
  }

  @Test("A split survives the round trip, counts and indices included")
  func roundTrip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let split = try SampleSplit(count: n, train: [0, 1, 2, 3, 5, 8], test: [4, 6, 9])
    try write(dir.file("a.bin"), split: split)
    let r = try Recording(contentsOf: dir.file("a.bin"))
    #expect(r.split == split)
    #expect(r.split?.indices(of: .test) == [4, 6, 9])
    #expect(r.split?.count(of: .train) == 6 && r.split?.count(of: .unused) == 1)
    let json = r.inspect().jsonObject(r, file: "a.bin")["split"] as? [String: Int]
    #expect(json == ["train": 6, "test": 3, "unused": 1])
  }

  @Test("Without a split: nil, and the file's bytes are those of a writer that knows no split")
  func noSplit() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try write(dir.file("a.bin"), split: nil)
    let r = try Recording(contentsOf: dir.file("a.bin"))
    #expect(r.split == nil)
    let header = try #require(String(data: try Data(contentsOf: dir.file("a.bin")).prefix(400), encoding: .isoLatin1))
    #expect(!header.contains("\"split\""))
    // An old file (no split key, hand-built to the spec) still reads, as "split unknown".
    let old = try dir.write(RawRecording().bytes(), "old.bin")
    #expect(try Recording(contentsOf: old).split == nil)
  }

  @Test("A split of the wrong length or shape is refused by the writer")
  func writerChecks() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    #expect(throws: RecordingError.self) { try write(dir.file("a.bin"), split: SampleSplit(roles: [.train])) }
    #expect(throws: RecordingError.self) { try SampleSplit(count: 3, train: [0, 1], test: [1]) }
    #expect(throws: RecordingError.self) { try SampleSplit(count: 3, train: [3], test: []) }
  }

  /// The hand-built file (`RawRecording`, N = 4) with `split` set to `value`.
  func opening(split value: Any, headerCRC: UInt32? = nil) throws -> String {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var raw = RawRecording()
    raw.headerObject["split"] = value
    raw.headerCRC = headerCRC
    let url = try dir.write(raw.bytes(), "bad.bin")
    do {
      _ = try Recording(contentsOf: url)
      return "opened"
    } catch {
      return "\(error)"
    }
  }

  @Test("A corrupt split is refused with the file and the field")
  func corrupt() throws {
    #expect(try opening(split: "TTE") .contains("split"))
    #expect(try opening(split: "TTE").contains("one character per sample (4), got 3"))
    #expect(try opening(split: "TTEEE").contains("got 5"))
    #expect(try opening(split: "TTxE").contains("split[2]"))
    #expect(try opening(split: 7).contains("split"))
    #expect(try opening(split: "TTEE", headerCRC: 1).contains("header"))
    #expect(try opening(split: "TTEE", headerCRC: 1).contains("bad.bin"))
    #expect(try opening(split: "TTEU") == "opened")
  }
}
