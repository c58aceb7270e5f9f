import Foundation
import IBPlaneCore

/// Two recordings given to one multi-run analysis that are not runs of one design: which
/// two (as the user named them) and what differs. Bad input: the CLI exits with 2.
public struct RecordingMismatchError: Error, Equatable, CustomStringConvertible {
  public var first: String
  public var second: String
  public var difference: String
  public var description: String {
    "\(second) cannot be analysed together with \(first): \(difference); give recordings of one design (same data, layers and schedule)"
  }
}

/// The samples of a recording, for checking that several recordings are runs on the same
/// data: the sample count and a checksum of the inputs X and the labels Y, in sample order
/// (the `RecordingFingerprint` of X and Y alone, without metadata or snapshots).
///
/// "Same samples" means byte-identical X and Y in the same order. `ibplane train --seeds`
/// on ib12, ib12-g1/-g2 or mnist10k records the same patterns for every seed (the data
/// set is read from a file; the seed changes only the initialisation and the batch order),
/// so its recordings agree; on gaussian-mixture the seed also draws the data, so recordings
/// of different seeds have different samples and are refused, as they should be: their
/// I(X;T) are estimates on different X.
struct RecordingSamples: Equatable {
  var count: Int
  var checksum: UInt64

  init(_ analysis: PlaneAnalysis) {
    var hasher = _FingerprintHasher()
    let context = analysis.context
    hasher.add(context: context)
    count = analysis.source.sampleCount
    checksum = hasher.value
  }
}

extension PlaneAnalysis {
  /// The name of the recording in messages: the user's path (`sourceDescription`) or its name.
  var described: String { options.sourceDescription ?? source.name }

  /// Throws `RecordingMismatchError` unless every analysis is a run of one design as the
  /// first: the same analysed epochs (snapshots are aligned by epoch), the same layers
  /// (names and widths, in order), the same samples (`RecordingSamples`), the same estimators
  /// and unit; and no recording twice (equal `RecordingFingerprint`).
  public static func checkOneDesign(_ analyses: [PlaneAnalysis]) throws {
    guard let a = analyses.first else { return }
    let epochs = Self.epochs(a), samples = RecordingSamples(a)
    var seen: [RecordingFingerprint: PlaneAnalysis] = [a.fingerprint: a]
    for b in analyses.dropFirst() {
      func refuse(_ difference: String) -> RecordingMismatchError {
        RecordingMismatchError(first: a.described, second: b.described, difference: difference)
      }
      if let twin = seen[b.fingerprint] {
        throw RecordingMismatchError(
          first: twin.described, second: b.described, difference: "they are the same recording (fingerprint \(b.fingerprint))")
      }
      seen[b.fingerprint] = b
      if a.source.layers != b.source.layers {
        func list(_ l: [LayerSpec]) -> String { l.map { "\($0.name) (\($0.width))" }.joined(separator: ", ") }
        throw refuse("the layers differ (\(list(a.source.layers)) versus \(list(b.source.layers)))")
      }
      let other = Self.epochs(b)
      if epochs != other {
        let only = Set(epochs).symmetricDifference(other).sorted().prefix(5).map(String.init).joined(separator: ", ")
        throw refuse("the analysed epochs differ (\(epochs.count) versus \(other.count) snapshots; e.g. epoch \(only) is in one only)")
      }
      let s = RecordingSamples(b)
      if samples.count != s.count { throw refuse("the sample counts differ (\(samples.count) versus \(s.count))") }
      if samples != s { throw refuse("the samples differ (their inputs or labels are not the same, in the same order)") }
      if a.options.unit != b.options.unit || a.allJobs.map(\.estimator) != b.allJobs.map(\.estimator) {
        throw refuse("the estimators or the unit differ")
      }
    }
  }

  /// The analysed epochs in order, one per snapshot.
  private static func epochs(_ a: PlaneAnalysis) -> [Int] {
    var out: [Int] = []
    for j in a.allJobs where out.last != j.epoch { out.append(j.epoch) }
    return out
  }

  /// Runs several analyses of one design (`checkOneDesign`) into one `DIR/plane.csv`:
  /// the rows of each recording in canonical order, recording after recording (in the
  /// order given). Each row carries its recording's name and fingerprint.
  ///
  /// Resume key: (recording fingerprint, job). With `resume`, every row already in the CSV
  /// must belong to one of the analyses (by fingerprint), be one of its jobs, match its
  /// unit and interval settings, and appear once; exactly those rows are skipped. One
  /// `OutputLock` guards the CSV for all of them. Sharding is for one recording:
  /// every analysis must be whole. The manifest `plane.json` describes the first recording's
  /// analysis, with `recording` naming all of them, `recordingFingerprint` their
  /// fingerprints joined by `,`, and the job counts summed.
  public static func run(
    _ analyses: [PlaneAnalysis], directory: URL, resume: Bool, progress: ((PlaneProgress) -> Void)? = nil
  ) throws -> Summary {
    guard let first = analyses.first else {
      throw EstimatorError.invalidParameter(name: "recordings", value: "none", expected: "at least one recording")
    }
    if analyses.count == 1 { return try first.run(directory: directory, resume: resume, progress: progress) }
    guard analyses.allSatisfy({ $0.options.shard.isWhole }) else {
      throw EstimatorError.invalidParameter(name: "shard", value: "\(first.options.shard)", expected: "no sharding when several recordings are analysed together")
    }
    try checkOneDesign(analyses)
    let start = Date()
    try OutputFiles.createDirectory(directory)
    let lock = try OutputLock.acquire(first.options.shard.csvFileName, in: directory)
    defer { lock.release() }
    let table = PlaneTable(metricNames: analyses.flatMap(\.table.metricNames))
    let csv = directory.appendingPathComponent(first.options.shard.csvFileName)
    let manifestURL = directory.appendingPathComponent(first.options.shard.manifestFileName)
    if resume { try first.checkSameSamples(resumingIn: directory) }
    let existing = resume && FileManager.default.fileExists(atPath: csv.path) ? try resumableRows(csv, analyses, table) : []
    if existing.isEmpty { try OutputFiles.write(Data(table.headerLine.utf8), to: csv) }
    if FileManager.default.fileExists(atPath: manifestURL.path) {
      do { try FileManager.default.removeItem(at: manifestURL) } catch {
        throw OutputError(path: manifestURL.path, action: "remove the previous manifest", error: error)
      }
    }
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
    var all: [PlaneRow] = []
    var computed = 0
    for a in analyses {
      let mine = existing.filter { $0.recordingFingerprint == a.fingerprint.description }
      let rows = try a.execute(
        skipping: Set(mine.map(\.key)), skippedCount: existing.count,
        emit: { row in
          writeLock.lock()
          defer { writeLock.unlock() }
          guard writeError == nil else { return }
          do { try handle.write(contentsOf: Data(table.line(row).utf8)) } catch {
            writeError = OutputError(path: csv.path, action: "write", error: error)
          }
        },
        progress: progress)
      if let e = writeError { throw e }
      computed += rows.count
      all += (mine + rows).sorted { a.order($0.key) < a.order($1.key) }
    }
    do { try handle.close() } catch { throw OutputError(path: csv.path, action: "write", error: error) }
    try OutputFiles.write(Data(table.text(all).utf8), to: csv, atomic: true)
    var manifest = first.manifest
    manifest.recording = analyses.map(\.source.name).joined(separator: ", ")
    manifest.recordingFingerprint = analyses.map(\.fingerprint.description).joined(separator: ",")
    manifest.jobCount = analyses.reduce(0) { $0 + $1.jobs.count }
    manifest.totalJobCount = analyses.reduce(0) { $0 + $1.allJobs.count }
    manifest.metricNames = table.metricNames
    let manifestData: Data
    do { manifestData = try manifest.encoded() } catch {
      throw OutputError(path: manifestURL.path, action: "encode", error: error)
    }
    try OutputFiles.write(manifestData, to: manifestURL)
    return Summary(
      csv: csv, manifest: manifestURL, rows: all, computed: computed, skipped: existing.count,
      seconds: Date().timeIntervalSince(start))
  }

  /// The complete rows of an interrupted multi-recording CSV, each checked against the
  /// analysis of its fingerprint; a last row cut short by a kill is truncated away.
  private static func resumableRows(_ csv: URL, _ analyses: [PlaneAnalysis], _ table: PlaneTable) throws -> [PlaneRow] {
    let data = try OutputFiles.read(csv)
    let (found, rows, completeBytes) = try PlaneTable.parse(String(decoding: data, as: UTF8.self), file: csv.path)
    let byFingerprint = Dictionary(uniqueKeysWithValues: analyses.map { ($0.fingerprint.description, $0) })
    let jobs = Dictionary(uniqueKeysWithValues: analyses.map { ($0.fingerprint.description, Set($0.jobs)) })
    for (k, r) in rows.enumerated() where byFingerprint[r.recordingFingerprint] == nil {
      throw CSVError(
        file: csv.path, line: k + 2, field: "recording_fingerprint",
        message: "holds results of recording \"\(r.recording)\" with fingerprint \(r.recordingFingerprint), which is none of the \(analyses.count) recordings given (\(analyses.map { "\($0.described): \($0.fingerprint)" }.joined(separator: "; "))); analyse into another --out, or without --resume to replace the CSV")
    }
    guard found == table else {
      throw CSVError(
        file: csv.path, line: 1, field: "header", message: "differs from this analysis (\(table.header.joined(separator: ","))); use another --out")
    }
    var seen = Set<String>()
    for (k, r) in rows.enumerated() {
      let a = byFingerprint[r.recordingFingerprint]!
      guard r.unit == a.options.unit else {
        throw CSVError(file: csv.path, line: k + 2, field: "unit", message: "is \(r.unit.rawValue), this analysis writes \(a.options.unit.rawValue)")
      }
      if let column = PlaneIntervalSettings.differingColumn(r.interval?.settings, a.bootstrap?.settings) {
        throw CSVError(
          file: csv.path, line: k + 2, field: column,
          message: "says the row has \(PlaneIntervalSettings.describe(r.interval?.settings)), but this analysis makes \(PlaneIntervalSettings.describe(a.bootstrap?.settings)); use another --out, or run without --resume")
      }
      guard jobs[r.recordingFingerprint]!.contains(r.key), r.recording == a.source.name else {
        throw CSVError(file: csv.path, line: k + 2, field: "row", message: "\(r.key) of \(r.recording) is not a job of this analysis; use another --out")
      }
      guard seen.insert("\(r.recordingFingerprint)|\(r.key)").inserted else {
        throw CSVError(file: csv.path, line: k + 2, field: "row", message: "\(r.key) of \(r.recording) appears twice")
      }
    }
    if completeBytes < data.count { try OutputFiles.truncateCutShortRow(csv, to: completeBytes) }
    return rows
  }
}
