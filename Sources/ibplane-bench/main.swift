import Foundation
import IBPlane

// Release-mode benchmarks. Each prints ratios against a reference measured in the same run
// (our own baseline, or a numpy peer run as a subprocess); absolute seconds on shared
// machines are noise, ratios are the result.
//
// Usage: ibplane-bench [NAME ...]   (no name: all benchmarks)

/// Best-of-`repeats` wall time of `body`, in seconds.
func bestTime(repeats: Int = 3, _ body: () throws -> Void) rethrows -> Double {
  var best = Double.infinity
  for _ in 0..<repeats {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
  }
  return best
}

/// Runs `python3 script args…` and decodes its one-line JSON answer; nil when python/numpy is missing.
func runPython(_ script: String, _ args: [String]) -> [String: Double]? {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  p.arguments = ["python3", script] + args
  let out = Pipe()
  p.standardOutput = out
  p.standardError = FileHandle.standardError
  do { try p.run() } catch { return nil }
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  guard p.terminationStatus == 0,
    let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
  else { return nil }
  return obj.compactMapValues { ($0 as? NSNumber)?.doubleValue }
}

func row(_ cells: [String], widths: [Int]) -> String {
  zip(cells, widths).map { c, w in c.padding(toLength: max(w, c.count), withPad: " ", startingAt: 0) }.joined(separator: "  ")
}

/// The tiled kernel-sum engine against a naive O(N²) double loop and against numpy's full-matrix sum.
func benchKernelSums() throws {
  print("== tiled kernel sums: r_i = Σ_j exp(−γ‖x_i − x_j‖²), d = 10, Double ==")
  let widths = [7, 12, 12, 12, 14, 14]
  print(row(["N", "tiled (s)", "naive (s)", "numpy (s)", "naive/tiled", "numpy/tiled"], widths: widths))
  let gamma = 0.05
  for n in [2048, 4096, 8192] {
    let x = RandomSource(seed: 1).normalMatrix(rows: n, columns: 10)
    let engine = TiledKernelSums()
    var tiledSum = 0.0
    let tTiled = try bestTime { tiledSum = try engine.gaussianRowSums(x, gammas: [gamma])[0].reduce(0, +) }
    var naiveSum = 0.0
    let tNaive = bestTime(repeats: 1) {
      naiveSum = 0
      x.elements.withUnsafeBufferPointer { e in
        for i in 0..<n {
          for j in 0..<n {
            var d = 0.0
            for k in 0..<10 { let t = e[i * 10 + k] - e[j * 10 + k]; d += t * t }
            naiveSum += exp(-gamma * d)
          }
        }
      }
    }
    precondition(abs(naiveSum - tiledSum) / naiveSum < 1e-9, "tiled and naive sums disagree")
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ibplane-bench-x-\(n).npy")
    try NumPyFile.write(NumPyArray(x), to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let numpy = runPython("bench/kernel_sums.py", [file.path, String(gamma)])
    if let c = numpy?["checksum"] { precondition(abs(c - tiledSum) / tiledSum < 1e-9, "numpy and tiled sums disagree") }
    let tNumpy = numpy?["seconds"]
    print(row([
      "\(n)", String(format: "%.4f", tTiled), String(format: "%.4f", tNaive),
      tNumpy.map { String(format: "%.4f", $0) } ?? "n/a",
      String(format: "%.1f×", tNaive / tTiled), tNumpy.map { String(format: "%.1f×", $0 / tTiled) } ?? "n/a",
    ], widths: widths))
  }
  print("(threads: \(Parallel.defaultThreads) Dispatch workers, OpenBLAS 1 thread per call)")
}

/// One pass of the engine at N = 100,000, d = 10 (Float storage): for peak-memory measurement with
/// `/usr/bin/time -v .build/release/ibplane-bench kernel-sums-100k`.
func benchKernelSumsScale() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 100_000
  let x = RandomSource(seed: 1).normalMatrix(rows: n, columns: 10).converted(to: Float.self)
  func rss() -> String { (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("VmRSS") }.map(String.init) ?? "" }
  print("after data:", rss())
  var total = 0.0
  defer { print("after sums:", rss()) }
  let t = try bestTime(repeats: 1) { total = try TiledKernelSums().gaussianRowSums(x, gammas: [0.05])[0].reduce(0, +) }
  print("== tiled kernel sums at N = \(n), d = 10: \(String(format: "%.1f", t)) s, Σ r = \(total) ==")
}

let benchmarks: [(String, () throws -> Void)] = [
  ("kernel-sums", benchKernelSums),
  ("ksg", { try benchKSG(sizes: [10_000]) }),
]
/// Run only when named.
let onDemand: [(String, () throws -> Void)] = [
  ("kernel-sums-100k", benchKernelSumsScale),
  ("knn-rule", benchKNNRule),
  ("ksg-profile", benchKSGProfile),
  ("lossy-images", benchLossyImages),
  ("ksg-100k", { try benchKSG(sizes: [10_000, 100_000]) }),
]

let wanted = Set(CommandLine.arguments.dropFirst())
for (name, run) in benchmarks + onDemand where wanted.contains(name) || (wanted.isEmpty && benchmarks.contains { $0.0 == name }) {
  do { try run() } catch {
    FileHandle.standardError.write(Data("benchmark \(name) failed: \(error)\n".utf8))
    exit(1)
  }
  print()
}
