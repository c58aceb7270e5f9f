import Foundation
import IBPlaneCore
import IBPlaneEstimators
import IBPlaneNumerics

/// Progress of a running analysis, reported after every finished job.
public struct PlaneProgress: Sendable {
  /// Jobs finished in this run (skipped ones not counted) and jobs this run has to do.
  public var finished: Int
  public var total: Int
  /// Jobs found already done in the CSV (`resume`).
  public var skipped: Int
  public var elapsedSeconds: Double
  public var lastRow: PlaneRow
}

/// The information plane of a recording: every (snapshot, layer, estimator) job once.
///
/// Jobs are grouped by (snapshot, layer) so a layer matrix is read once for all
/// estimators, and the groups run in parallel through `Parallel.forEach`, all sharing one
/// `PlaneContext` (so what depends only on X and Y is computed once per recording). With
/// `bootstrapResamples = B > 0` every point also gets percentile intervals
/// (see `PlaneBootstrap` for what they capture and what they do not).
///
/// Output streams: `run(csv:resume:)` appends each finished row to the CSV with one
/// `write(2)`, so a killed analysis keeps every finished row; with `resume` the rows
/// already there are skipped (a last row cut short by the kill is truncated). When every
/// job is done the file is rewritten in the canonical job order (snapshot by step, layer,
/// estimator), atomically, and a manifest (`plane.json`) is written next to it — so a
/// resumed run ends with the same file as an uninterrupted one, apart from `seconds`.
///
/// ```swift
/// let analysis = try PlaneAnalysis(source: recording, estimators: [GaussianPlaneEstimator()])
/// let rows = try analysis.run()          // in memory, no file
/// ```
public final class PlaneAnalysis: Sendable {
  public let source: SnapshotSource
  public let estimators: [InformationPlaneEstimator]
  public let options: PlaneAnalysisOptions
  public let table: PlaneTable
  /// Every job of the analysis in canonical order, before sharding.
  public let allJobs: [PlaneJobKey]
  /// The jobs of this shard.
  public let jobs: [PlaneJobKey]
  public let context: PlaneContext
  /// The content fingerprint of `source`, written in every row and in the manifest.
  public let fingerprint: RecordingFingerprint
  let bootstrap: PlaneBootstrap?
  private let layerIndices: [Int]
  private let snapshotIndices: [Int]

  public init(
    source: SnapshotSource, estimators: [InformationPlaneEstimator], options: PlaneAnalysisOptions = PlaneAnalysisOptions(),
    context: PlaneContext? = nil
  ) throws {
    // `--samples train|test`: from here on the source is the subset (rows, X, Y and N).
    let source = try Self.selectingSamples(source, options)
    guard !estimators.isEmpty else {
      throw EstimatorError.invalidParameter(name: "estimators", value: "none", expected: "at least one estimator")
    }
    var seen = Set<String>()
    for e in estimators where !seen.insert("\(Self.label(e))|\(Self.params(e))").inserted {
      throw EstimatorError.invalidParameter(
        name: "estimators", value: "\(Self.label(e)) (\(Self.params(e))) twice", expected: "each estimator once")
    }
    let layers = options.layers ?? Array(source.layers.indices)
    for j in layers where !source.layers.indices.contains(j) {
      throw EstimatorError.invalidParameter(name: "layers", value: "\(j)", expected: "a layer index in 0..<\(source.layers.count)")
    }
    self.layerIndices = Array(Set(layers)).sorted()
    self.snapshotIndices = source.snapshots.indices.filter { options.epochs.contains(source.snapshots[$0].epoch) }
      .sorted { (source.snapshots[$0].step, source.snapshots[$0].epoch, $0) < (source.snapshots[$1].step, source.snapshots[$1].epoch, $1) }
    self.source = source
    self.estimators = estimators
    self.options = options
    self.table = PlaneTable(metricNames: source.snapshots.flatMap { $0.metrics.keys })
    let params = estimators.map { Self.params($0) }
    var all: [PlaneJobKey] = []
    for s in snapshotIndices {
      for j in layerIndices {
        for (e, est) in estimators.enumerated() {
          all.append(PlaneJobKey(
            epoch: source.snapshots[s].epoch, step: source.snapshots[s].step, layerIndex: j,
            estimator: Self.label(est), params: params[e]))
        }
      }
    }
    try Self.checkUniqueSnapshots(source, snapshotIndices, described: options.sourceDescription ?? source.name)
    try Self.checkShard(options.shard, jobCount: all.count)
    self.allJobs = all
    self.jobOrder = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1, $0) })
    self.jobs = all.enumerated().filter { $0.offset % options.shard.count == options.shard.index - 1 }.map(\.element)
    self.context = try context ?? source.makePlaneContext()
    guard self.context.sampleCount == source.sampleCount else {
      throw EstimatorError.shapeMismatch(
        "context has \(self.context.sampleCount) samples but the recording has \(source.sampleCount)")
    }
    self.fingerprint = try RecordingFingerprint(source: source, context: self.context)
    // Checked even without a bootstrap: the level is written into the manifest.
    try PlaneBootstrap.validate(level: options.confidenceLevel)
    self.bootstrap = options.bootstrapResamples > 0
      ? try PlaneBootstrap(
        resamples: options.bootstrapResamples, level: options.confidenceLevel, seed: options.seed, context: self.context,
        method: options.intervalMethod)
      : nil
  }

  /// The `params` column: the estimator's canonical parameter string (every parameter as
  /// used, `key=value,…`; `EstimatorRegistry`), so `estimator` and `params` rebuild the row's
  /// estimator. The bootstrap settings are not estimator parameters: they are in the manifest.
  static func params(_ e: InformationPlaneEstimator) -> String { EstimatorRegistry.parameters(of: e) }

  /// The `estimator` column: the estimator's label (`EstimatorRegistry.label(of:)`), distinct
  /// for distinct parameterisations and itself a specification of the estimator.
  static func label(_ e: InformationPlaneEstimator) -> String { EstimatorRegistry.label(of: e) }

  /// The manifest describing this analysis (written when a CSV run completes).
  public var manifest: PlaneManifest {
    PlaneManifest(
      recording: source.name, recordingFingerprint: fingerprint.description, run: source.run, sampleCount: source.sampleCount, layers: source.layers,
      analysedLayers: layerIndices, epochs: options.epochs.description,
      estimators: estimators.map { .init(name: Self.label($0), params: Self.params($0)) }, unit: options.unit,
      bootstrapResamples: options.bootstrapResamples, confidenceLevel: options.confidenceLevel, seed: options.seed,
      intervalMethod: options.bootstrapResamples > 0 ? options.intervalMethod : nil,
      shardIndex: options.shard.index, shardCount: options.shard.count, jobCount: jobs.count,
      totalJobCount: allJobs.count, metricNames: table.metricNames, ibplaneVersion: IBPlaneVersion.string,
      samples: options.samples == .all ? nil : options.samples.rawValue,
      labelEntropy: Self.labelEntropy(context.labels).map(options.unit.fromNats))
  }

  /// The plug-in entropy (nats) of class labels (nil for regression targets): H(Y) of the
  /// analysed samples, the ceiling of every I(T;Y).
  static func labelEntropy(_ labels: Labels) -> Double? {
    guard case .classes(let y, let k) = labels, !y.isEmpty else { return nil }
    var counts = [Int](repeating: 0, count: k)
    for c in y where c >= 0 && c < k { counts[c] += 1 }
    let n = Double(y.count)
    return counts.reduce(0.0) { h, c in c == 0 ? h : h - Double(c) / n * log(Double(c) / n) }
  }

  /// Runs this shard's jobs in memory and returns the rows in canonical order.
  public func run(progress: ((PlaneProgress) -> Void)? = nil) throws -> [PlaneRow] {
    try execute(skipping: [], skippedCount: 0, emit: { _ in }, progress: progress)
  }

  /// What a CSV run did.
  public struct Summary: Sendable {
    public var csv: URL
    public var manifest: URL
    public var rows: [PlaneRow]
    public var computed: Int
    public var skipped: Int
    public var seconds: Double
  }

  /// Runs this shard's jobs, streaming rows to `DIR/plane.csv` (or the shard's CSV).
  ///
  /// Holds the output's `OutputLock` while it runs (another process writing the same CSV
  /// gets an `OutputLockError`). Without `resume` an existing CSV is replaced. With
  /// `resume`, its rows must carry this recording's fingerprint, its header and unit must
  /// match this analysis, and every row must be one of its jobs. File failures throw an
  /// `OutputError` naming the file.
  public func run(
    directory: URL, resume: Bool, progress: ((PlaneProgress) -> Void)? = nil
  ) throws -> Summary {
    let start = Date()
    try OutputFiles.createDirectory(directory)
    let lock = try OutputLock.acquire(options.shard.csvFileName, in: directory)
    defer { lock.release() }
    let csv = directory.appendingPathComponent(options.shard.csvFileName)
    let manifestURL = directory.appendingPathComponent(options.shard.manifestFileName)
    if resume { try checkSameSamples(resumingIn: directory) }
    let existing = resume && FileManager.default.fileExists(atPath: csv.path) ? try resumableRows(csv) : []
    if existing.isEmpty {
      try OutputFiles.write(Data(table.headerLine.utf8), to: csv)
    }
    if FileManager.default.fileExists(atPath: manifestURL.path) {
      do { try FileManager.default.removeItem(at: manifestURL) } catch {
        throw OutputError(path: manifestURL.path, action: "remove the previous manifest", error: error)
      }
    }
    let done = Set(existing.map(\.key))
    let handle: FileHandle
    do {
      handle = try FileHandle(forWritingTo: csv)
      try handle.seekToEnd()
    } catch {
      throw OutputError(path: csv.path, action: "open for appending", error: error)
    }
    defer { try? handle.close() }
    let writeLock = NSLock()
    var writeError: Error?
    let computed = try execute(
      skipping: done, skippedCount: existing.count,
      emit: { row in
        writeLock.lock()
        defer { writeLock.unlock() }
        guard writeError == nil else { return }
        do { try handle.write(contentsOf: Data(self.table.line(row).utf8)) } catch {
          writeError = OutputError(path: csv.path, action: "write", error: error)
        }
      },
      progress: progress)
    if let e = writeError { throw e }
    let all = (existing + computed).sorted { order($0.key) < order($1.key) }
    do { try handle.close() } catch { throw OutputError(path: csv.path, action: "write", error: error) }
    try OutputFiles.write(Data(table.text(all).utf8), to: csv, atomic: true)
    let manifestData: Data
    do { manifestData = try manifest.encoded() } catch {
      throw OutputError(path: manifestURL.path, action: "encode", error: error)
    }
    try OutputFiles.write(manifestData, to: manifestURL)
    return Summary(
      csv: csv, manifest: manifestURL, rows: all, computed: computed.count, skipped: existing.count,
      seconds: Date().timeIntervalSince(start))
  }

  /// The complete rows of an interrupted run's CSV, checked against this analysis; a last
  /// row cut short by a kill is truncated away.
  private func resumableRows(_ csv: URL) throws -> [PlaneRow] {
    let data = try OutputFiles.read(csv)
    let (found, rows, completeBytes) = try PlaneTable.parse(String(decoding: data, as: UTF8.self), file: csv.path)
    let described = options.sourceDescription ?? source.name
    for (k, r) in rows.enumerated() where r.recordingFingerprint != fingerprint.description {
      throw CSVError(
        file: csv.path, line: k + 2, field: "recording_fingerprint",
        message: "holds results of recording \"\(r.recording)\" with fingerprint \(r.recordingFingerprint), but \(described) has fingerprint \(fingerprint): they are different recordings; analyse into another --out, or without --resume to replace the CSV")
    }
    guard found == table else {
      throw CSVError(
        file: csv.path, line: 1, field: "header",
        message: "differs from this analysis (\(table.header.joined(separator: ","))); use another --out")
    }
    let mine = Set(jobs)
    var seen = Set<PlaneJobKey>()
    for (k, r) in rows.enumerated() {
      guard r.unit == options.unit else {
        throw CSVError(file: csv.path, line: k + 2, field: "unit", message: "is \(r.unit.rawValue), this analysis writes \(options.unit.rawValue)")
      }
      if let column = PlaneIntervalSettings.differingColumn(r.interval?.settings, bootstrap?.settings) {
        throw CSVError(
          file: csv.path, line: k + 2, field: column,
          message: "says the row has \(PlaneIntervalSettings.describe(r.interval?.settings)), but this analysis makes \(PlaneIntervalSettings.describe(bootstrap?.settings)); use another --out, or run without --resume")
      }
      guard mine.contains(r.key), r.recording == source.name else {
        throw CSVError(file: csv.path, line: k + 2, field: "row", message: "\(r.key) of \(r.recording) is not a job of this analysis; use another --out")
      }
      guard seen.insert(r.key).inserted else {
        throw CSVError(file: csv.path, line: k + 2, field: "row", message: "\(r.key) appears twice")
      }
    }
    if completeBytes < data.count { try OutputFiles.truncateCutShortRow(csv, to: completeBytes) }
    return rows
  }

  private let jobOrder: [PlaneJobKey: Int]
  func order(_ k: PlaneJobKey) -> Int { jobOrder[k] ?? Int.max }

  /// Runs the jobs not in `done`; calls `emit` for each finished row as it finishes.
  func execute(
    skipping done: Set<PlaneJobKey>, skippedCount: Int, emit: @escaping (PlaneRow) -> Void,
    progress: ((PlaneProgress) -> Void)?
  ) throws -> [PlaneRow] {
    let estimatorIndex = Dictionary(
      uniqueKeysWithValues: estimators.enumerated().map { ("\(Self.label($1))|\(Self.params($1))", $0) })
    let snapshotIndex = Dictionary(
      uniqueKeysWithValues: snapshotIndices.map { ("\(source.snapshots[$0].epoch)|\(source.snapshots[$0].step)", $0) })
    // Group pending jobs by (snapshot, layer), keeping canonical order.
    var groups: [(snapshot: Int, layer: Int, jobs: [(PlaneJobKey, Int)])] = []
    for key in jobs where !done.contains(key) {
      let s = snapshotIndex["\(key.epoch)|\(key.step)"]!
      let e = estimatorIndex["\(key.estimator)|\(key.params)"]!
      if let last = groups.last, last.snapshot == s, last.layer == key.layerIndex {
        groups[groups.count - 1].jobs.append((key, e))
      } else {
        groups.append((s, key.layerIndex, [(key, e)]))
      }
    }
    let total = groups.reduce(0) { $0 + $1.jobs.count }
    let lock = NSLock()
    var results: [PlaneRow] = []
    var firstError: Error?
    var finished = 0
    let start = Date()
    Parallel.forEach(groups.count, threads: options.threads) { g in
      lock.lock()
      let stop = firstError != nil
      lock.unlock()
      if stop { return }
      do {
        let group = groups[g]
        let layer = try source.layer(group.layer, snapshot: group.snapshot)
        // The KDE and adaptive-KDE jobs of this layer from one kernel pass (the same points,
        // bit for bit, as each estimator's own `point`); its time is split evenly among them.
        let sharedClock = Date()
        let shared = _KDEPlane.sharedPoints(group.jobs.map { estimators[$0.1] }, layer: layer, context: context)
        let sharedSeconds = shared.isEmpty ? 0 : Date().timeIntervalSince(sharedClock) / Double(shared.count)
        for (k, (key, e)) in group.jobs.enumerated() {
          let row = try compute(
            key: key, estimator: estimators[e], layer: layer, snapshot: group.snapshot, point: shared[k],
            sharedSeconds: shared[k] == nil ? 0 : sharedSeconds)
          emit(row)
          lock.lock()
          results.append(row)
          finished += 1
          let p = PlaneProgress(
            finished: finished, total: total, skipped: skippedCount,
            elapsedSeconds: Date().timeIntervalSince(start), lastRow: row)
          progress?(p)
          lock.unlock()
        }
      } catch {
        lock.lock()
        firstError = firstError ?? error
        lock.unlock()
      }
    }
    if let e = firstError { throw e }
    return results.sorted { order($0.key) < order($1.key) }
  }

  /// One row; `point`, when given, is the estimator's point already computed (shared pass).
  private func compute(
    key: PlaneJobKey, estimator: InformationPlaneEstimator, layer: Matrix<Float>, snapshot: Int, point shared: PlanePoint? = nil,
    sharedSeconds: Double = 0
  ) throws -> PlaneRow {
    let clock = Date()
    let point = try shared ?? estimator.point(layer: layer, context: context)
    let conditional = try ConditionalInputInformation.nats(point: point, layer: layer, context: context, estimator: estimator)
    let unit = options.unit
    var row = PlaneRow(
      recording: source.name, recordingFingerprint: fingerprint.description, epoch: key.epoch, step: key.step, layer: source.layers[key.layerIndex].name,
      layerIndex: key.layerIndex, width: layer.columns, estimator: key.estimator, params: key.params, unit: unit,
      inputInformation: point.inputInformation.value(in: unit), labelInformation: point.labelInformation.value(in: unit),
      inputInformationLowerBound: point.inputInformation.lower(in: unit), inputInformationUpperBound: point.inputInformation.upper(in: unit),
      labelInformationLowerBound: point.labelInformation.lower(in: unit), labelInformationUpperBound: point.labelInformation.upper(in: unit),
      n: layer.rows, seconds: 0, metrics: source.snapshots[snapshot].metrics,
      clippedFraction: point.inputInformation.diagnostics["clipped_fraction"],
      conditionalInputInformation: conditional.map(unit.fromNats))
    // The estimator's own bounds stay in their columns; the interval gets its own.
    row.interval = try bootstrap?.interval(
      layer: layer, estimator: estimator, unit: unit,
      estimate: (point.inputInformation.nats, point.labelInformation.nats, conditional: conditional))
    row.seconds = Date().timeIntervalSince(clock) + sharedSeconds
    return row
  }
}
