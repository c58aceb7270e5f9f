import Foundation
import IBPlane
import IBPlaneTestSupport
import Testing

/// plane.json has snake_case keys; a manifest of an earlier version (camelCase keys) is still
/// read by `analyze --resume` and `merge`.
@Suite struct PlaneManifestKeysCLITests {
  static let camel = [
    "recording_fingerprint": "recordingFingerprint", "sample_count": "sampleCount", "analysed_layers": "analysedLayers",
    "bootstrap_resamples": "bootstrapResamples", "confidence_level": "confidenceLevel", "shard_index": "shardIndex",
    "shard_count": "shardCount", "job_count": "jobCount", "total_job_count": "totalJobCount", "metric_names": "metricNames",
    "ibplane_version": "ibplaneVersion", "label_entropy": "labelEntropy",
  ]

  /// Rewrites a manifest with the keys earlier versions wrote; returns the old-style text.
  func makeOldStyle(_ url: URL) throws -> String {
    var text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    for (new, old) in Self.camel { text = text.replacingOccurrences(of: "\"\(new)\" :", with: "\"\(old)\" :") }
    try Data(text.utf8).write(to: url)
    return text
  }

  @Test func snakeCaseKeysAndOldManifestsStillRead() throws {
    let fixture = AnalyzeCLITests()
    let rec = try fixture.recording()
    let out = fixture.temporary().appendingPathComponent("out")
    let args = fixture.estimatorArguments + ["--quiet"]
    #expect(try CLI.run(["analyze", rec.path, "--out", out.path] + args).status == 0)
    let manifest = out.appendingPathComponent("plane.json")
    let fresh = try CLI.json(String(decoding: try Data(contentsOf: manifest), as: UTF8.self))
    #expect(fresh["sample_count"] as? Int == 300 && fresh["total_job_count"] as? Int == 24 && fresh["label_entropy"] is Double)
    #expect(fresh.keys.allSatisfy { $0.allSatisfy { $0.isLowercase || $0 == "_" } }, "\(fresh.keys.sorted())")
    let decoded = try PlaneManifest.read(manifest)

    // An earlier version's plane.json: same manifest, and --resume accepts the output.
    let old = try makeOldStyle(manifest)
    #expect(old.contains("\"sampleCount\" :") && old.contains("\"labelEntropy\" :"))
    #expect(try PlaneManifest.read(manifest) == decoded)
    let r = try CLI.run(["analyze", rec.path, "--out", out.path, "--resume", "--json"] + args)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try CLI.json(r.stdout)["skipped"] as? Int == 24)

    // Shards whose manifests are old-style merge.
    let shards = fixture.temporary().appendingPathComponent("shards")
    for k in 1...2 {
      #expect(try CLI.run(["analyze", rec.path, "--out", shards.path, "--shard", "\(k)/2"] + args).status == 0)
      _ = try makeOldStyle(shards.appendingPathComponent("plane-shard-\(k)-of-2.json"))
    }
    let m = try CLI.run(["merge", shards.path, "--quiet"])
    #expect(m.status == 0, "\(m.stderr)")
    #expect(try PlaneManifest.read(shards.appendingPathComponent("plane.json")).analysisIdentity == decoded.analysisIdentity)
  }
}
