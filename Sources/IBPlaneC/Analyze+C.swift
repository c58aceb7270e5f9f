import Foundation
import IBPlane

/// The options object of `ibplane_analyze`: the flags of `ibplane analyze`, as JSON values.
struct AnalyzeOptions {
  static let keys = [
    "estimators", "out", "unit", "layers", "epochs", "bootstrap", "confidence", "seed", "resume", "shard", "threads",
    "reports", "interval",
  ]
  var estimators = EstimatorRegistry.defaultPlaneSpecifications
  var out: String?
  var plane = PlaneAnalysisOptions()
  var layerNames: [Any]?
  var resume = false
  var reports = true

  /// Reads `text` (NULL means every default). Every key is type-checked; an unknown key is an
  /// error, so a misspelt option cannot be silently ignored.
  init(json text: String?, layers: [LayerSpec]) throws {
    guard let text, !text.isEmpty else { return }
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    } catch {
      throw CArgumentError("options is not valid JSON: expected an object such as {\"estimators\": [\"kde\"]}")
    }
    guard let o = object as? [String: Any] else { throw CArgumentError("options is not a JSON object") }
    for key in o.keys.sorted() where !Self.keys.contains(key) {
      throw CArgumentError("options: unknown key \"\(key)\": expected one of \(Self.keys.joined(separator: ", "))")
    }
    if let v = o["estimators"] {
      guard let list = v as? [String], !list.isEmpty else {
        throw CArgumentError("options.estimators: expected a non-empty list of specifications such as [\"kde:sigma2=0.05\"]")
      }
      estimators = list
    }
    if let v = o["out"] { out = try Self.text(v, "out") }
    if let v = o["unit"] {
      let s = try Self.text(v, "unit")
      guard let unit = InformationUnit(rawValue: s) else { throw CArgumentError("options.unit is \"\(s)\": expected \"bits\" or \"nats\"") }
      plane.unit = unit
    }
    if let v = o["layers"] { plane.layers = try Self.layerIndices(v, layers) }
    if let v = o["epochs"] { plane.epochs = try EpochSelection(parsing: try Self.text(v, "epochs")) }
    if let v = o["bootstrap"] { plane.bootstrapResamples = try Self.integer(v, "bootstrap", 0...PlaneBootstrap.maximumResamples) }
    guard plane.bootstrapResamples == 0 || plane.bootstrapResamples >= 2 else {
      throw CArgumentError("options.bootstrap must be 0 or at least 2, got \(plane.bootstrapResamples)")
    }
    if let v = o["interval"] {
      let s = try Self.text(v, "interval")
      do { plane.intervalMethod = try PlaneIntervalSettings.Method(parsing: s) } catch {
        throw CArgumentError("options.interval is \"\(s)\": expected \"jackknife\" (half-sample jackknife, the default) or \"bootstrap\" (percentile bootstrap)")
      }
    }
    if let v = o["confidence"] {
      guard let c = Self.number(v), c > 0, c < 1 else {
        throw CArgumentError("options.confidence: expected a number in (0, 1), got \(v)")
      }
      plane.confidenceLevel = c
    }
    if let v = o["seed"] { plane.seed = UInt64(try Self.integer(v, "seed", 0...Int.max)) }
    if let v = o["resume"] { resume = try Self.flag(v, "resume") }
    if let v = o["reports"] { reports = try Self.flag(v, "reports") }
    if let v = o["shard"] { plane.shard = try PlaneShard(parsing: try Self.text(v, "shard")) }
    if let v = o["threads"] { plane.threads = try Self.integer(v, "threads", 1...4096) }
  }

  private static func text(_ v: Any, _ key: String) throws -> String {
    guard let s = v as? String else { throw CArgumentError("options.\(key): expected a string, got \(v)") }
    return s
  }

  private static func integer(_ v: Any, _ key: String, _ range: ClosedRange<Int>) throws -> Int {
    guard let d = number(v), d >= Double(range.lowerBound), d <= Double(range.upperBound), let i = Int(exactly: d) else {
      throw CArgumentError("options.\(key): expected an integer in \(range.lowerBound)…\(range.upperBound), got \(v)")
    }
    return i
  }

  private static func flag(_ v: Any, _ key: String) throws -> Bool {
    guard let n = v as? NSNumber, isBoolean(n) else { throw CArgumentError("options.\(key): expected true or false, got \(v)") }
    return n.boolValue
  }

  /// A JSON number (not true/false, which Foundation also hands over as an `NSNumber`).
  private static func number(_ v: Any) -> Double? {
    guard let n = v as? NSNumber, !isBoolean(n) else { return nil }
    return n.doubleValue
  }

  /// JSONSerialization stores true/false as a boolean `NSNumber` (type code "c"), numbers as "i", "q" or "d".
  private static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

  /// Layer names or 0-based indices, as `ibplane analyze --layers`.
  private static func layerIndices(_ v: Any, _ layers: [LayerSpec]) throws -> [Int] {
    guard let list = v as? [Any], !list.isEmpty else {
      throw CArgumentError("options.layers: expected a non-empty list of layer names or 0-based indices")
    }
    return try list.map { item -> Int in
      if let name = item as? String, let k = layers.firstIndex(where: { $0.name == name }) { return k }
      if let d = number(item), let k = Int(exactly: d), layers.indices.contains(k) { return k }
      throw CArgumentError(
        "options.layers: no layer \(item); the recording has \(layers.enumerated().map { "\($0.offset):\($0.element.name)" }.joined(separator: ", "))")
    }
  }
}

@_cdecl("ibplane_analyze")
public func ibplane_analyze(
  _ path: UnsafePointer<CChar>?, _ options: UnsafePointer<CChar>?, _ result: CStringOut?, _ error: CStringOut?
) -> Int32 {
  callC(error) {
    result?.pointee = nil
    guard result != nil else { throw CArgumentError("result is NULL: expected a char ** to receive the JSON") }
    let (source, warnings) = try openSource(try string(path, "path"))
    let o = try AnalyzeOptions(json: try options.map { try string($0, "options") }, layers: source.layers)
    let made = try o.estimators.map { try EstimatorRegistry.makePlane($0) }
    let directory = URL(fileURLWithPath: o.out ?? "reports/\(source.name)")
    let analysis = try PlaneAnalysis(source: source, estimators: made, options: o.plane)
    guard !analysis.allJobs.isEmpty else {
      throw CArgumentError("no jobs: the layer and epoch selection matches no snapshot")
    }
    let summary = try analysis.run(directory: directory, resume: o.resume)
    var reports: [String] = []
    if o.plane.shard.isWhole, o.reports {
      reports = try PlaneReport.write(summary.rows, manifest: analysis.manifest, to: directory)
        .map { directory.appendingPathComponent($0).path }
    }
    // What the CSV's i_*_ci_lo/_hi columns hold (null without resamples): the same as the
    // rows' ci_* columns and the manifest's bootstrap fields.
    let interval: Any = PlaneIntervalSettings(manifest: analysis.manifest).map {
      ["method": $0.method.rawValue, "level": $0.level, "resamples": $0.resamples, "seed": $0.seed] as [String: Any]
    } ?? NSNull()
    try deliver(
      try json([
        "interval": interval, "csv": summary.csv.path, "manifest": summary.manifest.path, "reports": reports,
        "rows": summary.rows.count, "computed": summary.computed, "skipped": summary.skipped,
        "seconds": summary.seconds, "unit": o.plane.unit.rawValue, "shard": o.plane.shard.description,
        "estimators": made.map { ["name": $0.name, "label": EstimatorRegistry.label(of: $0), "params": EstimatorRegistry.parameters(of: $0)] },
        "warnings": warnings,
      ]), to: result)
  }
}
