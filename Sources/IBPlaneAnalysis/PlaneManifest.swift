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
    do { return try JSONDecoder().decode(PlaneManifest.self, from: data) } catch {
      throw CSVError(file: url.path, line: 0, field: "manifest", message: "is not a plane manifest (\(error))")
    }
  }
}
