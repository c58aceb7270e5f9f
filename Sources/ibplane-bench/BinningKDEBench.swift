import Foundation
import IBPlane

/// `ibplane-bench binning-kde --data DIR [--snapshots S] [--kde-snapshots K]`
///
/// Times the information-plane points of the fixed-binning (`floor`, `idnns`) and KDE
/// estimators on the activations written by `bench/bench_binning_kde.py` (`layer0.npy` …
/// `layer5.npy`, each snapshots × N × width float32, and `labels.npy`), one job
/// (snapshot × layer) at a time, and prints one JSON object: per estimator the job count,
/// total seconds, seconds per job and every job's (I(X;T), I(T;Y)) in nats, so the script can
/// compare values and times with numpy in the same run.
enum BinningKDEBench {
  struct Failure: Error, CustomStringConvertible { var description: String }

  static func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
  }

  static func run(_ args: [String]) throws {
    guard let dir = option("--data", args) else { throw Failure(description: "binning-kde needs --data DIR") }
    let root = URL(fileURLWithPath: dir)
    let labels = try NumPyFile.read(root.appendingPathComponent("labels.npy")).integers(file: "labels.npy")
    var layers: [(snapshots: Int, width: Int, values: [Float])] = []
    for l in 0..<6 {
      let name = "layer\(l).npy"
      let a = try NumPyFile.read(root.appendingPathComponent(name))
      guard a.dtype == .float32, a.shape.count == 3, a.shape[1] == labels.count else {
        throw Failure(description: "\(name): expected float32 snapshots × \(labels.count) × width, got \(a.dtype) \(a.shape)")
      }
      let values = a.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
      layers.append((a.shape[0], a.shape[2], values))
    }
    let n = labels.count
    let snapshots = min(Int(option("--snapshots", args) ?? "") ?? layers[0].snapshots, layers[0].snapshots)
    let kdeSnapshots = min(Int(option("--kde-snapshots", args) ?? "") ?? snapshots, snapshots)
    let context = try PlaneContext(inputs: nil, labels: .classes(labels, classCount: (labels.max() ?? 0) + 1))
    func matrix(_ l: Int, _ s: Int) throws -> Matrix<Float> {
      let w = layers[l].width
      return try Matrix(rows: n, columns: w, elements: Array(layers[l].values[(s * n * w)..<((s + 1) * n * w)]))
    }
    // Slice every job's matrix up front so only estimation is timed.
    var jobs: [[Matrix<Float>]] = []
    for s in 0..<snapshots { jobs.append(try (0..<6).map { try matrix($0, s) }) }
    let estimators: [(String, any InformationPlaneEstimator, Int)] = [
      ("floor", BinningEstimator(convention: .floor(binSize: 0.07)), snapshots),
      ("idnns", BinningEstimator(convention: .idnns(bins: 30)), snapshots),
      ("kde", KDEEstimator(noiseVariance: 0.1), kdeSnapshots),
    ]
    var report: [String: Any] = ["n": n, "threads": Parallel.defaultThreads]
    for (name, estimator, count) in estimators {
      _ = try estimator.point(layer: jobs[0][0], context: context)  // warm the context cache
      var values: [[Double]] = []
      let clock = ContinuousClock()
      let elapsed = try clock.measure {
        for s in 0..<count {
          for l in 0..<6 {
            let p = try estimator.point(layer: jobs[s][l], context: context)
            values.append([p.inputInformation.nats, p.labelInformation.nats])
          }
        }
      }
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      report[name] = ["jobs": count * 6, "seconds": seconds, "per_job": seconds / Double(count * 6), "values": values]
    }
    let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
  }
}
