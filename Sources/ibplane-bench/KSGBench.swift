import Foundation
import IBPlane

/// Correlated Gaussian pair: Y = X + N(0, 1) per coordinate, X ~ N(0, I_d).
func ksgBenchData(n: Int, d: Int, seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
  let rng = RandomSource(seed: seed)
  let x = rng.normalMatrix(rows: n, columns: d)
  var y = rng.normalMatrix(rows: n, columns: d)
  for t in 0..<y.elements.count { y.elements[t] += x.elements[t] }
  return (x, y)
}

/// The measured rule of `NearestNeighbors.Algorithm.automatic`: k-d tree against blocked brute
/// force, k = 3 joint neighbours under the max-norm, N = 10⁴ Gaussian points.
func benchKNNRule() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 10_000
  print("== kNN engine: k-d tree vs brute force, N = \(n), k = 3, max-norm ==")
  let widths = [5, 12, 14, 16]
  print(row(["d", "kd-tree (s)", "brute (s)", "brute/kd-tree"], widths: widths))
  for d in [2, 4, 8, 12, 16, 20, 24, 32, 64] {
    let x = RandomSource(seed: UInt64(d)).normalMatrix(rows: n, columns: d)
    var a: NeighborList?
    var b: NeighborList?
    let tk = try bestTime(repeats: 1) { a = try NearestNeighbors(algorithm: .kdTree).kNearest(x, k: 3) }
    let tb = try bestTime(repeats: 1) { b = try NearestNeighbors(algorithm: .bruteForce).kNearest(x, k: 3) }
    precondition(a == b, "k-d tree and brute force disagree at d = \(d)")
    print(row(["\(d)", String(format: "%.3f", tk), String(format: "%.3f", tb), String(format: "%.2f×", tb / tk)], widths: widths))
  }
}

/// KSG (algorithm 1, k = 3, no preprocessing, no jitter) against the scikit-learn-based reference
/// `bench/ksg_reference.py` on the same data, in one run: ratio = reference time / ours.
func benchKSG(sizes: [Int]) throws {
  print("== KSG-1 (k = 3, max-norm) vs scikit-learn KDTree/NearestNeighbors reference ==")
  let widths = [8, 7, 11, 13, 9, 12]
  print(row(["N", "dims", "ours (s)", "sklearn (s)", "ratio", "|ΔI| nats"], widths: widths))
  let ksg = KSGEstimator(preprocessing: .none)
  for n in sizes {
    for d in [1, 5, 10] {
      let (x, y) = ksgBenchData(n: n, d: d, seed: UInt64(n + d))
      var ours = 0.0
      let t = try bestTime(repeats: n >= 100_000 ? 1 : 3) { ours = try ksg.estimate(x, y).nats }
      let dir = FileManager.default.temporaryDirectory
      let fx = dir.appendingPathComponent("ibplane-ksg-x-\(n)-\(d).npy")
      let fy = dir.appendingPathComponent("ibplane-ksg-y-\(n)-\(d).npy")
      try NumPyFile.write(NumPyArray(x), to: fx)
      try NumPyFile.write(NumPyArray(y), to: fy)
      defer {
        try? FileManager.default.removeItem(at: fx)
        try? FileManager.default.removeItem(at: fy)
      }
      let ref = runPython("bench/ksg_reference.py", [fx.path, fy.path, "3", "1", "1"])
      let tr = ref?["seconds"]
      print(row([
        "\(n)", "\(d)+\(d)", String(format: "%.3f", t), tr.map { String(format: "%.3f", $0) } ?? "n/a",
        tr.map { String(format: "%.1f×", $0 / t) } ?? "n/a",
        ref?["mi"].map { String(format: "%.1e", abs($0 - ours)) } ?? "n/a",
      ], widths: widths))
    }
  }
  print("(threads: \(Parallel.defaultThreads) Dispatch workers; scikit-learn single-threaded)")
}

/// KSG at one size, for profiling (`perf record .build/release/ibplane-bench ksg-profile`).
func benchKSGProfile() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 10_000
  let d = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_D"] ?? "") ?? 5
  let (x, y) = ksgBenchData(n: n, d: d, seed: 1)
  let joint = try x.concatenatingColumns(y)
  let engine = NearestNeighbors(threads: 1)
  var list: NeighborList?
  let tk = try bestTime(repeats: 1) { list = try engine.kNearest(joint, k: 3, blocks: [0..<d, d..<(2 * d)]) }
  let radii = (0..<n).map { list!.kthDistance($0) }
  let tc = try bestTime(repeats: 1) { _ = try engine.countWithinRadius(x, radii: radii, inclusive: false) }
  print("N = \(n), \(d)+\(d), 1 thread: joint kNN \(String(format: "%.3f", tk)) s, one marginal count \(String(format: "%.3f", tc)) s")
}
