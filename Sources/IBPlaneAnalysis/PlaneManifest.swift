import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Written next to a finished CSV: what was computed, so `merge` can check completeness
/// and render reports without the recording.
public struct PlaneManifest: Codable, Sendable, Equatable {
  public struct EstimatorSpec: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var params: String
  }
  public var recording: String
  /// The recording's `RecordingFingerprint` (16 hex digits); `nil` in manifests written
  /// before fingerprints existed, which `merge` refuses.
  public var recordingFingerprint: String?
  public var run: [String: String]
  public var sampleCount: Int
  public var layers: [LayerSpec]
  public var analysedLayers: [Int]
  public var epochs: String
  public var estimators: [EstimatorSpec]
  public var unit: InformationUnit
  public var bootstrapResamples: Int
  public var confidenceLevel: Double
  public var seed: UInt64
  /// The resampling interval's method when `bootstrapResamples` > 0; `nil` without an interval
  /// and in manifests written before the half-sample jackknife, which meant the percentile bootstrap.
  public var intervalMethod: PlaneIntervalSettings.Method? = nil
  public var shardIndex: Int
  public var shardCount: Int
  /// Jobs in this shard, and in the whole analysis.
  public var jobCount: Int
  public var totalJobCount: Int
  public var metricNames: [String]
  public var ibplaneVersion: String
  /// The samples analysed (`--samples`): "train" or "test"; absent (nil) for all samples, so
  /// manifests of whole-recording analyses keep their bytes.
  public var samples: String? = nil
  /// H(Y) of the analysed samples' class labels in `unit`: the ceiling of I(T;Y) that the
  /// figures draw. Absent for regression targets and in manifests written before it existed.
  public var labelEntropy: Double? = nil

  /// plane.json's keys are snake_case, like every `--json` and CSV column of ibplane. Manifests
  /// written before (camelCase keys) are still read (`read`), so `--resume` and `merge` work
  /// on outputs of earlier versions.
  enum CodingKeys: String, CodingKey {
    case recording, run, layers, epochs, estimators, unit, seed, samples
    case recordingFingerprint = "recording_fingerprint", sampleCount = "sample_count"
    case analysedLayers = "analysed_layers", bootstrapResamples = "bootstrap_resamples"
    case confidenceLevel = "confidence_level", intervalMethod = "interval_method"
    case shardIndex = "shard_index", shardCount = "shard_count", jobCount = "job_count"
    case totalJobCount = "total_job_count", metricNames = "metric_names"
    case ibplaneVersion = "ibplane_version", labelEntropy = "label_entropy"
  }

  /// The same analysis with the shard fields blanked: shards of one analysis compare equal.
  public var analysisIdentity: PlaneManifest {
    var m = self
    m.shardIndex = 0
    m.jobCount = 0
    return m
  }

  public func encoded() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try e.encode(self)
  }

  public static func read(_ url: URL) throws -> PlaneManifest {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw CSVError(file: url.path, line: 0, field: "manifest", message: "cannot be read: \(FileErrorCause.text(error))")
    }
    do { return try JSONDecoder().decode(PlaneManifest.self, from: legacyKeysRenamed(data)) } catch {
      throw CSVError(file: url.path, line: 0, field: "manifest", message: "is not a plane manifest (\(error))")
    }
  }

  /// The camelCase keys of manifests written by earlier versions, and their names now.
  static let legacyKeys: [(old: String, new: String)] = [
    ("recordingFingerprint", "recording_fingerprint"), ("sampleCount", "sample_count"), ("analysedLayers", "analysed_layers"),
    ("bootstrapResamples", "bootstrap_resamples"), ("confidenceLevel", "confidence_level"), ("intervalMethod", "interval_method"),
    ("shardIndex", "shard_index"), ("shardCount", "shard_count"), ("jobCount", "job_count"), ("totalJobCount", "total_job_count"),
    ("metricNames", "metric_names"), ("ibplaneVersion", "ibplane_version"), ("labelEntropy", "label_entropy"),
  ]

  /// A manifest of an earlier version (recognised by its `"sampleCount"` key) with those keys
  /// renamed in the text, so every value keeps its exact digits (a re-encoded double could
  /// change in its last bit and make `--resume` see another analysis); other data unchanged.
  static func legacyKeysRenamed(_ data: Data) -> Data {
    var text = String(decoding: data, as: UTF8.self)
    guard text.contains("\"sampleCount\"") else { return data }
    for (old, new) in legacyKeys {
      text = text.replacingOccurrences(of: "\"\(old)\" :", with: "\"\(new)\" :")
        .replacingOccurrences(of: "\"\(old)\":", with: "\"\(new)\":")
    }
    return Data(text.utf8)
  }
}
