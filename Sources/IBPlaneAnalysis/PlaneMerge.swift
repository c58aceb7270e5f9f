import Foundation

/// Joins the shard CSVs of one analysis (`ibplane analyze --shard i/n`) into one table.
///
/// Checks, each failing with a `CSVError` naming the file: every shard CSV has its manifest
/// (written only when that shard finished); all manifests describe the same analysis; the
/// shard indices are exactly 1…n; each CSV holds exactly its manifest's job count; no job
/// appears twice (across or within files); every row's interval settings (`ci_*`) are the
/// manifest's bootstrap settings; and the union is the full grid of snapshots × layers ×
/// estimators the manifests promise. Rows are carried whole: bounds and intervals as read.
public enum PlaneMerge {
  /// The CSVs found in `inputs`: each input is a CSV file, or a directory holding
  /// `plane-shard-i-of-n.csv` files (a `plane.csv` beside them, an earlier merge, is
  /// ignored) or else a `plane.csv`.
  public static func csvFiles(in inputs: [URL]) throws -> [URL] {
    var out: [URL] = []
    let fm = FileManager.default
    for input in inputs {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: input.path, isDirectory: &isDirectory) else {
        throw CSVError(file: input.path, line: 0, field: "input", message: "does not exist")
      }
      if !isDirectory.boolValue {
        out.append(input)
        continue
      }
      let all = try fm.contentsOfDirectory(atPath: input.path)
      let shards = all.filter { $0.hasPrefix("plane-shard-") && $0.hasSuffix(".csv") }.sorted()
      // A plane.csv next to shard files is an earlier merge of them.
      let names = shards.isEmpty ? all.filter { $0 == "plane.csv" } : shards
      guard !names.isEmpty else {
        throw CSVError(file: input.path, line: 0, field: "directory", message: "holds no plane.csv or plane-shard-i-of-n.csv")
      }
      out += names.map { input.appendingPathComponent($0) }
    }
    return out
  }

  /// Reads and checks the shards; returns the merged manifest (shard 1 of 1) and the rows in
  /// canonical order (snapshot, layer, estimator).
  public static func merge(_ inputs: [URL]) throws -> (manifest: PlaneManifest, rows: [PlaneRow]) {
    let files = try csvFiles(in: inputs)
    var manifests: [(URL, PlaneManifest)] = []
    var rows: [PlaneRow] = []
    var origin: [PlaneJobKey: String] = [:]
    var table: PlaneTable?
    // A shard still being written holds its lock: refuse it rather than read a partial file.
    var shardLocks: [OutputLock] = []
    defer { for lock in shardLocks { lock.release() } }
    for csv in files {
      if let lock = try OutputLock.acquireIfPresent(csv.lastPathComponent, in: csv.deletingLastPathComponent()) {
        shardLocks.append(lock)
      }
      let manifestURL = csv.deletingPathExtension().appendingPathExtension("json")
      guard FileManager.default.fileExists(atPath: manifestURL.path) else {
        throw CSVError(
          file: csv.path, line: 0, field: "manifest",
          message: "\(manifestURL.lastPathComponent) is missing: this shard did not finish (rerun it with --resume)")
      }
      let manifest = try PlaneManifest.read(manifestURL)
      guard let fingerprint = manifest.recordingFingerprint else {
        throw CSVError(
          file: manifestURL.path, line: 0, field: "recordingFingerprint",
          message: "is missing: the shard was written by an older ibplane and cannot be tied to a recording; re-run the shards")
      }
      if let (firstURL, first) = manifests.first, first.recordingFingerprint != fingerprint {
        throw CSVError(
          file: manifestURL.path, line: 0, field: "recordingFingerprint",
          message: "is \(fingerprint) (recording \"\(manifest.recording)\"), but \(firstURL.path) has \(first.recordingFingerprint ?? "none") (recording \"\(first.recording)\"): the shards come from different recordings")
      }
      guard manifest.shardCount >= 1, (1...manifest.shardCount).contains(manifest.shardIndex),
        manifest.shardCount <= max(manifest.totalJobCount, 1)
      else {
        throw CSVError(
          file: manifestURL.path, line: 0, field: "shard",
          message: "\(manifest.shardIndex)/\(manifest.shardCount) is not a shard i/n with 1 ≤ i ≤ n ≤ \(manifest.totalJobCount) jobs")
      }
      if let first = manifests.first?.1, first.analysisIdentity != manifest.analysisIdentity {
        throw CSVError(
          file: manifestURL.path, line: 0, field: "manifest",
          message: "describes a different analysis than \(manifests[0].0.path) (recording, estimators, layers, epochs, unit, bootstrap or shard count differ)")
      }
      if let dup = manifests.first(where: { $0.1.shardIndex == manifest.shardIndex }) {
        throw CSVError(file: manifestURL.path, line: 0, field: "shard", message: "shard \(manifest.shardIndex) of \(manifest.shardCount) also in \(dup.0.path)")
      }
      manifests.append((manifestURL, manifest))
      let text = String(decoding: try OutputFiles.read(csv), as: UTF8.self)
      let parsed = try PlaneTable.parse(text, file: csv.path)
      if let t = table, t != parsed.table {
        throw CSVError(file: csv.path, line: 1, field: "header", message: "differs from the other shards")
      }
      table = parsed.table
      guard parsed.rows.count == manifest.jobCount else {
        throw CSVError(
          file: csv.path, line: 0, field: "rows",
          message: "has \(parsed.rows.count) rows but its manifest promises \(manifest.jobCount)")
      }
      for (k, r) in parsed.rows.enumerated() {
        guard r.recordingFingerprint == fingerprint else {
          throw CSVError(
            file: csv.path, line: k + 2, field: "recording_fingerprint",
            message: "is \(r.recordingFingerprint), but its manifest \(manifestURL.lastPathComponent) says \(fingerprint)")
        }
        guard manifest.analysedLayers.contains(r.layerIndex), manifest.layers.indices.contains(r.layerIndex),
          manifest.estimators.contains(.init(name: r.estimator, params: r.params)), r.unit == manifest.unit
        else {
          throw CSVError(
            file: csv.path, line: k + 2, field: "row",
            message: "\(r.key) in \(r.unit.rawValue) is not a job its manifest \(manifestURL.lastPathComponent) promises (layers \(manifest.analysedLayers), its estimators, \(manifest.unit.rawValue))")
        }
        // The interval columns (and the estimator's bounds) are carried as read; their
        // settings must be the ones the manifest promises.
        if let column = PlaneIntervalSettings.differingColumn(r.interval?.settings, PlaneIntervalSettings(manifest: manifest)) {
          throw CSVError(
            file: csv.path, line: k + 2, field: column,
            message: "says the row has \(PlaneIntervalSettings.describe(r.interval?.settings)), but its manifest \(manifestURL.lastPathComponent) promises \(PlaneIntervalSettings.describe(PlaneIntervalSettings(manifest: manifest)))")
        }
        if let other = origin[r.key] {
          throw CSVError(file: csv.path, line: k + 2, field: "row", message: "duplicate job \(r.key), also in \(other)")
        }
        origin[r.key] = "\(csv.path)"
        rows.append(r)
      }
    }
    guard var merged = manifests.first?.1 else {
      throw CSVError(file: inputs.first?.path ?? "-", line: 0, field: "input", message: "no CSV to merge")
    }
    // Shard indices are distinct and in 1…n (checked above), so all are present exactly when
    // there are n of them; otherwise name the first few missing (n may be large).
    if manifests.count < merged.shardCount {
      let present = Set(manifests.map(\.1.shardIndex))
      var missing: [Int] = []
      var i = 1
      while missing.count < 10, i <= merged.shardCount {
        if !present.contains(i) { missing.append(i) }
        i += 1
      }
      let more = merged.shardCount - manifests.count - missing.count
      throw CSVError(
        file: manifests[0].0.deletingLastPathComponent().path, line: 0, field: "shards",
        message: "missing shard(s) \(missing.map { "\($0)/\(merged.shardCount)" }.joined(separator: ", "))\(more > 0 ? " and \(more) more" : "")")
    }
    let snapshots = Set(rows.map { "\($0.epoch)|\($0.step)" }).count
    let layers = Set(rows.map(\.layerIndex)).count
    let estimators = Set(rows.map { "\($0.estimator)|\($0.params)" }).count
    guard rows.count == merged.totalJobCount, snapshots * layers * estimators == rows.count else {
      throw CSVError(
        file: manifests[0].0.deletingLastPathComponent().path, line: 0, field: "rows",
        message: "\(rows.count) rows do not form the promised grid of \(merged.totalJobCount) jobs (\(snapshots) snapshots × \(layers) layers × \(estimators) estimators)")
    }
    merged.shardIndex = 1
    merged.shardCount = 1
    merged.jobCount = rows.count
    // Canonical order: snapshot (step, epoch), layer, then the manifest's estimator order.
    let estimatorOrder = Dictionary(
      uniqueKeysWithValues: merged.estimators.enumerated().map { ("\($1.name)|\($1.params)", $0) })
    rows.sort {
      ($0.step, $0.epoch, $0.layerIndex, estimatorOrder["\($0.estimator)|\($0.params)"] ?? .max)
        < ($1.step, $1.epoch, $1.layerIndex, estimatorOrder["\($1.estimator)|\($1.params)"] ?? .max)
    }
    return (merged, rows)
  }

  /// Merges and writes `DIR/plane.csv` and `DIR/plane.json`.
  /// Holds `directory`'s `.plane.lock` (the lock of an unsharded analysis writing there) while
  /// it writes; file failures throw an `OutputError` naming the file.
  public static func write(_ inputs: [URL], to directory: URL) throws -> (manifest: PlaneManifest, rows: [PlaneRow]) {
    try OutputFiles.createDirectory(directory)
    let lock = try OutputLock.acquire(PlaneShard.whole.csvFileName, in: directory)
    defer { lock.release() }
    let (manifest, rows) = try merge(inputs)
    let table = PlaneTable(metricNames: manifest.metricNames)
    try OutputFiles.write(Data(table.text(rows).utf8), to: directory.appendingPathComponent("plane.csv"), atomic: true)
    let manifestURL = directory.appendingPathComponent("plane.json")
    let data: Data
    do { data = try manifest.encoded() } catch { throw OutputError(path: manifestURL.path, action: "encode", error: error) }
    try OutputFiles.write(data, to: manifestURL, atomic: true)
    return (manifest, rows)
  }
}
