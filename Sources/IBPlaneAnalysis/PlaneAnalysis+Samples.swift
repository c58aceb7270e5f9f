import Foundation
import IBPlaneCore
import IBPlaneNumerics
import IBPlaneRecording

/// Which samples an analysis uses (`ibplane analyze --samples`): all of them, or the train or
/// test samples of the recording's split (`docs/activations-format.md`, header key `split`).
public enum SampleSubset: String, Sendable, Codable, CaseIterable {
  case all, train, test

  var role: SampleRole? {
    switch self {
    case .all: nil
    case .train: .train
    case .test: .test
    }
  }
}

/// A source that knows the train/test split of its samples.
public protocol SampleSplitSource: SnapshotSource {
  /// nil when the samples carry no split.
  var split: SampleSplit? { get }
}

extension Recording: SampleSplitSource {}
extension NumPyRecordingSource: SampleSplitSource {}

/// The samples of `base` whose role is `role`, in increasing index order: the layer rows, the
/// inputs X and the labels Y all restricted to them, so every estimate — and the log₂ N ceiling
/// of I(X;T) — is over the subset. Its `run` carries `samples` = the subset's name, so its
/// fingerprint differs from the whole recording's even when the subset is every sample.
public struct SampleSubsetSource: SnapshotSource {
  public let base: SnapshotSource
  public let subset: SampleSubset
  /// The base's sample indices kept.
  public let rows: [Int]

  /// Throws `invalidParameter` naming `samples` when `base` has no split, or no sample in the subset.
  public init(base: SnapshotSource, subset: SampleSubset, described: String) throws {
    guard let role = subset.role else {
      throw EstimatorError.invalidParameter(name: "samples", value: subset.rawValue, expected: "train or test for a subset")
    }
    guard let split = (base as? SampleSplitSource)?.split else {
      throw EstimatorError.invalidParameter(
        name: "samples", value: subset.rawValue,
        expected: "all: \(described) records no train/test split (record one with `ibplane train`, a `split` array in NumPy, or `split=` in python/ibplane_recorder.py)")
    }
    guard split.count == base.sampleCount else {
      throw EstimatorError.shapeMismatch("\(described): the split has \(split.count) samples but the recording \(base.sampleCount)")
    }
    let rows = split.indices(of: role)
    guard !rows.isEmpty else {
      throw EstimatorError.invalidParameter(
        name: "samples", value: subset.rawValue, expected: "a subset with at least one sample; \(described) has no \(role.name) samples")
    }
    self.base = base
    self.subset = subset
    self.rows = rows
  }

  public var name: String { base.name }
  public var layers: [LayerSpec] { base.layers }
  public var sampleCount: Int { rows.count }
  public var snapshots: [SnapshotInfo] { base.snapshots }
  public var run: [String: String] {
    var r = base.run
    r["samples"] = subset.rawValue
    return r
  }

  public func layer(_ layerIndex: Int, snapshot: Int) throws -> Matrix<Float> {
    try base.layer(layerIndex, snapshot: snapshot).selectingRows(rows)
  }

  public func makePlaneContext() throws -> PlaneContext {
    let whole = try base.makePlaneContext()
    let labels: Labels
    switch whole.labels {
    case .classes(let c, let k): labels = .classes(rows.map { c[$0] }, classCount: k)
    case .targets(let m): labels = .targets(m.selectingRows(rows))
    }
    return try PlaneContext(inputs: whole.inputs?.selectingRows(rows), labels: labels)
  }
}

extension PlaneAnalysis {
  /// `source`, or its subset when `options.samples` is train or test.
  static func selectingSamples(_ source: SnapshotSource, _ options: PlaneAnalysisOptions) throws -> SnapshotSource {
    guard options.samples != .all else { return source }
    return try SampleSubsetSource(base: source, subset: options.samples, described: options.sourceDescription ?? source.name)
  }

  /// Refuses to resume into `directory` when its finished manifest was analysed with another
  /// sample subset (rows of another subset would also fail the fingerprint check, but this
  /// names the actual difference).
  func checkSameSamples(resumingIn directory: URL) throws {
    let url = directory.appendingPathComponent(options.shard.manifestFileName)
    guard FileManager.default.fileExists(atPath: url.path) else { return }
    let previous = try PlaneManifest.read(url)
    let before = previous.samples ?? SampleSubset.all.rawValue
    guard before == options.samples.rawValue else {
      throw CSVError(
        file: url.path, line: 0, field: "samples",
        message: "says the analysis there used --samples \(before), but this one uses --samples \(options.samples.rawValue); analyse into another --out, or run without --resume")
    }
  }
}
