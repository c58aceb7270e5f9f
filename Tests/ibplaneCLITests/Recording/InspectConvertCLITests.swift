import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

@Suite("ibplane inspect and convert")
struct InspectConvertCLITests {
  func makeRecording(_ url: URL, snapshots: Int = 3, nanAt: Int? = nil) throws {
    let specs = [LayerSpec(name: "h1", width: 4), LayerSpec(name: "h2", width: 2)]
    let n = 8
    let rec = try Recorder(
      creating: url, layers: specs, inputs: nil, labels: .classes((0..<n).map { $0 % 2 }, classCount: 2), run: ["seed": "1"])
    for s in 0..<snapshots {
      var layers = specs.map { spec in
        (try? Matrix<Float>(rows: n, columns: spec.width, elements: (0..<(n * spec.width)).map { Float($0 + s) })) ?? Matrix(rows: n, columns: spec.width)
      }
      if nanAt == s { layers[1].elements[3] = .infinity }
      try rec.record(epoch: s * 2, step: s, layers: layers, metrics: ["loss": 1])
    }
  }

  @Test("inspect: exit 0 for a valid file, with the summary in text and JSON")
  func valid() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("ok.bin")
    try makeRecording(url, nanAt: 1)
    let text = try CLI.run(["inspect", url.path])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("samples (N): 8"))
    #expect(text.stdout.contains("layers: h1 (4), h2 (2)"))
    #expect(text.stdout.contains("snapshots: 3, epochs 0…4, checksums: 3 ok, 0 damaged"))
    #expect(text.stdout.contains("layer 'h2': 1 NaN/Inf"))
    let json = try CLI.run(["inspect", url.path, "--json"])
    #expect(json.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["snapshot_count"] as? Int == 3)
    #expect(object["non_finite_total"] as? Int == 1)
    #expect(object["status"] as? String == "valid")
    #expect(object["epoch_range"] as? [Int] == [0, 4])
  }

  @Test("inspect: exit 1 for a truncated tail or a bad checksum, 2 for an invalid file")
  func damaged() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("d.bin")
    try makeRecording(url)
    let bytes = try Data(contentsOf: url)
    let r = try Recording(contentsOf: url)
    let offsets = r.snapshots.compactMap(\.offset)
    #expect(offsets.count == 3)
    try bytes.prefix(bytes.count - 5).write(to: dir.file("tail.bin"))
    let tail = try CLI.run(["inspect", dir.file("tail.bin").path])
    #expect(tail.status == 1)
    #expect(tail.stdout.contains("snapshot 2 at offset \(offsets[2]) is incomplete"))
    var flipped = bytes
    flipped[offsets[1] + 40] ^= 1
    try flipped.write(to: dir.file("crc.bin"))
    let crc = try CLI.run(["inspect", dir.file("crc.bin").path, "--json"])
    #expect(crc.status == 1)
    #expect(crc.stdout.contains("\"damaged_snapshot_count\" : 1"))
    var marker = bytes
    marker[offsets[2]] = 0
    try marker.write(to: dir.file("marker.bin"))
    #expect(try CLI.run(["inspect", dir.file("marker.bin").path]).status == 1)
    try bytes.prefix(30).write(to: dir.file("header.bin"))
    let bad = try CLI.run(["inspect", dir.file("header.bin").path])
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("header.bin: offset 16"))
    #expect(try CLI.run(["inspect", dir.file("missing.bin").path]).status == 2)
  }

  @Test("convert: re-encodes a recording to float16 and refuses to overwrite")
  func convert() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let url = dir.file("in.bin")
    try makeRecording(url)
    let out = dir.file("out.bin")
    let c = try CLI.run(["convert", url.path, out.path, "--storage", "float16"])
    #expect(c.status == 0, "\(c.stderr)")
    let a = try Recording(contentsOf: url)
    let b = try Recording(contentsOf: out)
    #expect(b.storage == .float16 && b.snapshots.count == 3)
    // Integers up to 2048 are exact in float16.
    for s in 0..<3 { for l in 0..<2 { #expect(try a.layer(l, snapshot: s) == b.layer(l, snapshot: s)) } }
    #expect(try CLI.run(["convert", url.path, out.path]).status == 2)
    #expect(try CLI.run(["convert", url.path, out.path, "--storage", "float64"]).status == 2)
  }
}

@Suite("train --record and analyze through recordings")
struct RecordingPipelineCLITests {
  @Test("ibplane train --record writes a valid recording that analyze reads, like its .npz export")
  func trainRecordAnalyze() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let bin = dir.file("run.bin")
    let train = try CLI.run(["train", "--dataset", "gaussian-mixture", "--epochs", "6", "--record", bin.path, "--quiet"])
    #expect(train.status == 0, "\(train.stderr)")
    let r = try Recording(contentsOf: bin)
    #expect(r.layers.map(\.name).last == "output" && r.snapshots.count >= 2 && r.inputWidth > 0)
    #expect(try CLI.run(["inspect", bin.path]).status == 0)
    let out = dir.file("plane")
    let analyze = try CLI.run(["analyze", bin.path, "--estimator", "binning", "--out", out.path])
    #expect(analyze.status == 0, "\(analyze.stderr)")
    let csv = try String(contentsOf: out.appendingPathComponent("plane.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 1 + r.snapshots.count * r.layers.count)
    // Refusing to record over an existing file happens before any training.
    let again = try CLI.run(["train", "--dataset", "gaussian-mixture", "--epochs", "6", "--record", bin.path, "--quiet"])
    #expect(again.status == 2 && again.stderr.contains("exists"))
  }
}
