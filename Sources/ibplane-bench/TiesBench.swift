import Foundation
import IBPlane

/// Exact ties in KSG 1 and Ross (Gao et al. 2017 rule): value against the closed-form MI and the
/// time against continuous data of the same size and dimension in the same run.
/// `ibplane-bench ksg-ties` (N from `IBPLANE_BENCH_N`, default 10,000).
func benchKSGTies() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 10_000
  print("== KSG-1 / Ross with exact ties, N = \(n), k = 3, max-norm; values in nats ==")
  let widths = [34, 10, 10, 10, 12, 14]
  print(row(["case", "Î", "truth", "tied", "time (s)", "time / cont."], widths: widths))
  let rng = RandomSource(seed: 7)
  // Continuous reference: Gaussian 1×1, ρ = 0.6.
  var gx = Matrix<Double>(rows: n, columns: 1)
  var gy = Matrix<Double>(rows: n, columns: 1)
  for i in 0..<n {
    gx[i, 0] = rng.normal()
    gy[i, 0] = 0.6 * gx[i, 0] + 0.8 * rng.normal()
  }
  // Binary symmetric channel p = 0.1 and the atom/Gaussian mixture (T = Y w.p. ½, else N(2Y − 1, 1)).
  var bx = Matrix<Double>(rows: n, columns: 1)
  var bt = Matrix<Double>(rows: n, columns: 1)
  var mt = Matrix<Double>(rows: n, columns: 1)
  var my = Matrix<Double>(rows: n, columns: 1)
  var labels = [Int](repeating: 0, count: n)
  for i in 0..<n {
    let b = rng.bernoulli(0.5)
    bx[i, 0] = Double(b)
    bt[i, 0] = Double(b ^ rng.bernoulli(0.1))
    labels[i] = rng.bernoulli(0.5)
    my[i, 0] = Double(labels[i])
    mt[i, 0] = rng.bernoulli(0.5) == 1 ? Double(labels[i]) : Double(2 * labels[i] - 1) + rng.normal()
  }
  let bsc = Foundation.log(2) + 0.1 * Foundation.log(0.1) + 0.9 * Foundation.log(0.9)
  let mixture = 0.5 * Foundation.log(2) + 0.5 * 0.336_83  // I_c of the ±1 Gaussian mixture (quadrature)
  let cases: [(String, Double, () throws -> Estimate)] = [
    ("continuous gaussian ρ=0.6 (ref)", -0.5 * Foundation.log(1 - 0.36), { try KSGEstimator().estimate(gx, gy) }),
    ("BSC p=0.1, all tied", bsc, { try KSGEstimator().estimate(bx, bt) }),
    ("mixture ½ atoms, KSG-1", mixture, { try KSGEstimator().estimate(mt, my) }),
    ("mixture ½ atoms, Ross", mixture, { try DiscreteContinuousMI().estimate(mt, labels: labels) }),
    ("T = Y (Ross), all tied", Foundation.log(2), { try DiscreteContinuousMI().estimate(my, labels: labels) }),
  ]
  var reference = 0.0
  for (name, truth, run) in cases {
    var e = Estimate(nats: .nan)
    let t = try bestTime(repeats: 3) { e = try run() }
    if reference == 0 { reference = t }
    print(row([
      name, String(format: "%.4f", e.nats), String(format: "%.4f", truth), String(format: "%.0f", e.diagnostics["tied_samples"] ?? -1),
      String(format: "%.4f", t), String(format: "%.1f×", t / reference),
    ], widths: widths))
  }
  print("(threads: \(Parallel.defaultThreads) pool workers)")
}
