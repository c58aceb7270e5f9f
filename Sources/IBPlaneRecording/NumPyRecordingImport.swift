import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Activations saved with NumPy, ready to be written as a recording. The convention (also in
/// `docs/activations-format.md`): `labels` (N; integers → classes, floats → targets, or N × k
/// floats), optional `inputs` (N × d), optional `epochs` and `steps` (E integers), and one
/// array `layer/<name>` of shape E × N × width per layer. Other members are ignored.
///
/// Sources: a `.npz` archive (stored or deflated, read by `_NPZArchive`, which checks every
/// member's CRC-32 and sizes; layer order = member order) or a folder of `.npy` files with the
/// same names (layer order = `layer/order.txt`, else numeric-aware name order). Stored members
/// and `.npy` files are memory-mapped; deflated members are inflated into memory, at most
/// `defaultInflatedByteLimit` bytes in all unless the caller gives another limit.
///
/// Integer labels are class ids of any value (negative, sparse): they are re-coded to classes
/// 0..<K in increasing id order (`ClassRecoding`), and when that changes them the original
/// ids are kept in the run metadata as `class_ids` ("-1,1": class 0 was id −1).
public struct NumPyRecordingSource: SnapshotSource {
  public var layers: [LayerSpec]
  public var inputs: Matrix<Float>?
  public var labels: Labels
  public var epochs: [Int]
  public var steps: [Int]
  /// The original id of each class when the labels were re-coded (nil when they were
  /// already 0..<K, or are targets).
  public var classIDs: [Int]?
  /// The per-sample split from the optional `split` array (0 train, 1 test, 2 unused).
  public var split: SampleSplit?
  /// One E × N × width array per layer, in `layers` order.
  var layerArrays: [NumPyArray]
  let source: String

  /// The default bound on the bytes deflated `.npz` members may inflate to, together: half the
  /// physical memory, since they are held in memory until written.
  public static var defaultInflatedByteLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 2) }

  public var snapshotCount: Int { epochs.count }
  public var sampleCount: Int { labels.sampleCount }
  /// The archive's or folder's name without extension.
  public var name: String { URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent }
  public var run: [String: String] {
    var run = ["imported_from": URL(fileURLWithPath: source).lastPathComponent]
    if let classIDs { run[ClassRecoding.runMetadataKey] = ClassRecoding.runMetadataValue(classIDs) }
    return run
  }
  public var snapshots: [SnapshotInfo] { zip(epochs, steps).map { SnapshotInfo(epoch: $0, step: $1) } }

  public func makePlaneContext() throws -> PlaneContext { try PlaneContext(inputs: inputs, labels: labels) }

  /// True when `url` is a folder following the `.npy` convention (holds `labels.npy` and `layer/`).
  public static func isFolderSource(_ url: URL) -> Bool {
    let fm = FileManager.default
    return fm.fileExists(atPath: url.appendingPathComponent("labels.npy").path)
      && fm.fileExists(atPath: url.appendingPathComponent("layer").path)
  }

  /// Reads a `.npz` archive. Deflated members are refused before anything is inflated when
  /// their declared sizes together exceed `inflatedByteLimit` bytes.
  public static func npz(_ url: URL, inflatedByteLimit: Int = defaultInflatedByteLimit) throws -> NumPyRecordingSource {
    let archive = try _NPZArchive(url: url)
    let wanted = archive.members.filter { isConventionName(arrayName($0.name)) }
    var seen = Set<String>()
    for m in wanted where !seen.insert(arrayName(m.name)).inserted {
      throw RecordingError.importFailure(
        file: url.path, field: NumPyError.quoted(m.name), expected: "each array once; '\(NumPyError.quoted(arrayName(m.name)))' appears twice")
    }
    let inflated = archive.inflatedByteCount(of: wanted)
    guard inflated <= inflatedByteLimit else {
      throw RecordingError.importFailure(
        file: url.path, field: "deflated members",
        expected: "at most \(inflatedByteLimit) bytes once inflated (they are held in memory; the default limit is half the "
          + "physical memory), declared \(inflated); save with np.savez (stored members are memory-mapped) or as a folder of .npy files")
    }
    let members = try wanted.map { (arrayName($0.name), try archive.array($0)) }
    return try assemble(members, source: url.path)
  }

  /// The array name of a `.npz` member: `np.savez` appends `.npy` to each keyword.
  package static func arrayName(_ member: String) -> String { member.hasSuffix(".npy") ? String(member.dropLast(4)) : member }

  package static func isConventionName(_ name: String) -> Bool {
    ["labels", "inputs", "epochs", "steps", "split"].contains(name) || name.hasPrefix("layer/")
  }

  /// Reads a folder of `.npy` files.
  public static func folder(_ url: URL) throws -> NumPyRecordingSource {
    let fm = FileManager.default
    var members: [(String, NumPyArray)] = []
    for name in ["labels", "inputs", "epochs", "steps", "split"] {
      let f = url.appendingPathComponent(name + ".npy")
      if fm.fileExists(atPath: f.path) { members.append((name, try NumPyFile.read(f))) }
    }
    let layerDir = url.appendingPathComponent("layer")
    let files = ((try? fm.contentsOfDirectory(atPath: layerDir.path)) ?? []).filter { $0.hasSuffix(".npy") }
    var names = files.map { String($0.dropLast(4)) }
    let orderFile = layerDir.appendingPathComponent("order.txt")
    if let text = try? String(contentsOf: orderFile, encoding: .utf8) {
      let order = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      guard Set(order) == Set(names), order.count == names.count else {
        throw RecordingError.importFailure(
          file: orderFile.path, field: "layer order",
          expected: "exactly the layer files' names \(NumPyError.quoted("\(names.sorted())")), got \(NumPyError.quoted("\(order)"))")
      }
      names = order
    } else {
      names.sort { $0.compare($1, options: .numeric) == .orderedAscending }
    }
    for n in names { members.append(("layer/" + n, try NumPyFile.read(layerDir.appendingPathComponent(n + ".npy")))) }
    return try assemble(members, source: url.path)
  }

  static func assemble(_ members: [(String, NumPyArray)], source: String) throws -> NumPyRecordingSource {
    func fail(_ field: String, _ expected: String) -> RecordingError { .importFailure(file: source, field: field, expected: expected) }
    let byName = Dictionary(members, uniquingKeysWith: { a, _ in a })
    guard let y = byName["labels"] else { throw fail("labels", "a 'labels' array (N class indices or N × k targets); it is missing") }
    let labels: Labels
    var classIDs: [Int]?
    switch (y.dtype, y.shape.count) {
    case (.int64, 1), (.int32, 1), (.uint8, 1), (.bool, 1):
      guard let recoding = ClassRecoding(ids: try y.integers(file: "\(source):labels")) else {
        throw fail("labels", "at most \(Labels.maximumClassCount) distinct class ids (Labels.maximumClassCount)")
      }
      labels = recoding.labels
      classIDs = recoding.isIdentity ? nil : recoding.classIDs
    case (.float32, 1), (.float64, 1), (.float32, 2), (.float64, 2):
      labels = .targets(try y.matrix(Float.self, file: "\(source):labels"))
    default:
      throw fail("labels", "shape (N,) or (N, k), got \(NumPyError.quoted("\(y.shape)")) of \(y.dtype.rawValue)")
    }
    let n = labels.sampleCount
    guard n > 0 else { throw fail("labels", "at least one sample") }
    var inputs: Matrix<Float>?
    if let x = byName["inputs"] {
      guard x.shape.count == 2, x.shape[0] == n, x.shape[1] >= 1 else {
        throw fail("inputs", "shape (\(n), d) with d ≥ 1, got \(NumPyError.quoted("\(x.shape)"))")
      }
      inputs = try x.matrix(Float.self, file: "\(source):inputs")
    }
    let split = try byName["split"].map { try importedSplit($0, sampleCount: n, source: source) }
    var layers: [LayerSpec] = []
    var arrays: [NumPyArray] = []
    var e: Int?
    for (name, a) in members where name.hasPrefix("layer/") {
      let layer = String(name.dropFirst("layer/".count))
      guard !layer.isEmpty else { throw fail(name, "a layer name after 'layer/'") }
      guard a.shape.count == 3, a.shape[1] == n, a.shape[2] >= 1, a.shape[0] >= 1 else {
        throw fail(NumPyError.quoted(name), "shape (E, \(n), width), got \(NumPyError.quoted("\(a.shape)"))")
      }
      guard [.float32, .float64].contains(a.dtype) else {
        throw fail(NumPyError.quoted(name), "float32 or float64 values, got \(a.dtype.rawValue)")
      }
      if let e, a.shape[0] != e { throw fail(NumPyError.quoted(name), "\(e) snapshots like the layers before it, got \(a.shape[0])") }
      e = a.shape[0]
      layers.append(LayerSpec(name: layer, width: a.shape[2]))
      arrays.append(a)
    }
    guard let e else { throw fail("layer/<name>", "at least one layer array of shape (E, N, width)") }
    func counters(_ key: String, default value: (Int) -> Int) throws -> [Int] {
      guard let a = byName[key] else { return (0..<e).map(value) }
      guard a.shape == [e] else { throw fail(key, "shape (\(e),), got \(NumPyError.quoted("\(a.shape)"))") }
      return try a.integers(file: "\(source):\(key)")
    }
    return NumPyRecordingSource(
      layers: layers, inputs: inputs, labels: labels, epochs: try counters("epochs") { $0 },
      steps: try counters("steps") { _ in 0 }, classIDs: classIDs, split: split, layerArrays: arrays, source: source)
  }

  /// The `split` array: N integers (int64, int32 or uint8), 0 = train, 1 = test, 2 = unused. A
  /// bool array is refused because it cannot say which of True/False means train.
  static func importedSplit(_ a: NumPyArray, sampleCount n: Int, source: String) throws -> SampleSplit {
    func fail(_ expected: String) -> RecordingError { .importFailure(file: source, field: "split", expected: expected) }
    guard [.int64, .int32, .uint8].contains(a.dtype) else {
      throw fail("integers 0 (train), 1 (test) or 2 (unused), got \(a.dtype.rawValue) (for a bool is_train array save np.where(is_train, 0, 1))")
    }
    guard a.shape == [n] else { throw fail("shape (\(n),), one value per sample, got \(NumPyError.quoted("\(a.shape)"))") }
    let values = try a.integers(file: "\(source):split")
    let table: [SampleRole] = [.train, .test, .unused]
    return SampleSplit(roles: try values.enumerated().map { i, v in
      guard (0...2).contains(v) else {
        throw RecordingError.importFailure(
          file: source, field: "split[\(i)]", expected: "0 (train), 1 (test) or 2 (unused), got \(v)")
      }
      return table[v]
    })
  }

  /// Layer `l` at snapshot `s`, N × width, as float32.
  public func layer(_ l: Int, snapshot s: Int) throws -> Matrix<Float> {
    guard layers.indices.contains(l) else { throw RecordingError.indexOutOfRange(file: source, field: "layer", index: l, count: layers.count) }
    guard (0..<snapshotCount).contains(s) else {
      throw RecordingError.indexOutOfRange(file: source, field: "snapshot", index: s, count: snapshotCount)
    }
    let a = layerArrays[l]
    let count = a.shape[1] * a.shape[2]
    let values = a.bytes.withUnsafeBytes { raw -> [Float] in
      switch a.dtype {
      case .float32:
        return _Decode.float32(UnsafeRawBufferPointer(rebasing: raw[(s * count * 4)..<((s + 1) * count * 4)]))
      default:
        return (0..<count).map { Float(Double(bitPattern: raw.le((s * count + $0) * 8, as: UInt64.self))) }
      }
    }
    return try Matrix(rows: a.shape[1], columns: a.shape[2], elements: values)
  }

  /// Writes every snapshot to a new recording.
  public func write(to url: URL, storage: StorageType = .float32, run: [String: String] = [:], overwrite: Bool = false) throws {
    var meta = self.run
    meta.merge(run) { _, given in given }
    let recorder = try Recorder(
      creating: url, layers: layers, inputs: inputs, labels: labels, storage: storage, run: meta, split: split,
      overwrite: overwrite)
    for s in 0..<snapshotCount {
      try recorder.record(epoch: epochs[s], step: steps[s], layers: try layers.indices.map { try layer($0, snapshot: s) })
    }
  }
}
