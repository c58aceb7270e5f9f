import Foundation
import IBPlaneNumerics

// `ibplane-bench slq-product [N=20000] [rounds=2]`: the matrix-free kernel product behind
// `approx=slq` above the stored-Gram limit, Double (`gaussianProduct`, the path before issue
// 17's N = 10⁵ work) against single precision (`gaussianProductSingle`), alternated in one
// process on the same data (10-d and 5-d views, the joint kernel of `bench/renyi_slq.py`),
// for the deflation block width (32) and the probe block width (16). Reports process CPU
// seconds and wall seconds per product, their ratios, and the largest difference of the two
// results relative to max |Y|.
enum SLQProductBench {
  static func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
  }

  static func run(_ arguments: [String]) throws {
    let n = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
    let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 2 : 2
    let rng = RandomSource(seed: 1)
    let a = rng.normalMatrix(rows: n, columns: 10)
    let b = rng.normalMatrix(rows: n, columns: 5)
    let gammas = [1 / (2 * 2.0 * 2.0), 1 / (2 * 1.0 * 1.0)]
    let engine = TiledKernelSums()
    let plansD = [_DistancePlan(rows: a, columns: a), _DistancePlan(rows: b, columns: b)]
    let plansF = try _KernelExponentPlan(views: [(a, gammas[0]), (b, gammas[1])])
    print("== SLQ matrix-free product Y = K·X / N at N = \(n), joint kernel of a 10-d and a 5-d view, \(engine.threads) threads ==")
    print(row(["width", "double cpu s", "single cpu s", "cpu ratio", "double wall s", "single wall s", "wall ratio", "max |ΔY|/max|Y|"],
      widths: [6, 13, 13, 10, 14, 14, 10, 16]))
    for w in [32, 16] {
      let x = (0..<(n * w)).map { _ in rng.integer(below: 2) == 0 ? -1.0 : 1.0 }
      var yd = [Double](repeating: 0, count: n * w)
      var ys = [Double](repeating: 0, count: n * w)
      var (cpu, wall) = ([0.0, 0.0], [0.0, 0.0])
      for _ in 0..<rounds {
        for (k, single) in [false, true].enumerated() {
          let (c0, t0) = (cpuSeconds(), ContinuousClock.now)
          try x.withUnsafeBufferPointer { xp in
            if single {
              try ys.withUnsafeMutableBufferPointer { try engine.gaussianProductSingle(plansF, scale: 1 / Double(n), xp, width: w, into: $0) }
            } else {
              try yd.withUnsafeMutableBufferPointer { try engine.gaussianProduct(plansD, gammas: gammas, scale: 1 / Double(n), xp, width: w, into: $0) }
            }
          }
          let d = ContinuousClock.now - t0
          cpu[k] += cpuSeconds() - c0
          wall[k] += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
      }
      let top = yd.map { abs($0) }.max() ?? 1
      let diff = zip(yd, ys).map { abs($0 - $1) }.max() ?? 0
      let r = Double(rounds)
      print(row([
        "\(w)", String(format: "%.2f", cpu[0] / r), String(format: "%.2f", cpu[1] / r), String(format: "%.2f×", cpu[0] / cpu[1]),
        String(format: "%.2f", wall[0] / r), String(format: "%.2f", wall[1] / r), String(format: "%.2f×", wall[0] / wall[1]),
        String(format: "%.1e", diff / top),
      ], widths: [6, 13, 13, 10, 14, 14, 10, 16]))
    }
  }
}
