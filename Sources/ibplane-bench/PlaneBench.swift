import Foundation
import IBPlane

/// Where the time of a whole information-plane analysis goes (issue 17): runs `ibplane analyze`
/// of one recording with a list of estimators, best of R runs, for the candidate binary and
/// optionally a baseline binary, alternately in one process so both see the same load; prints
/// the wall time and children's CPU time of each, and per estimator the sum of its rows'
/// `seconds` column (the wall time of each job inside its worker: with `--threads T` and T jobs
/// running at once, about the job's CPU seconds), its share, and baseline/candidate ratios.
///
///     ibplane-bench plane RECORDING [--epochs LIST] [--threads T] [--repeats R]
///                   [--estimator SPEC ...] [--ibplane BIN] [--baseline BIN]
///
/// Defaults: every epoch, T = 2, R = 1, the nine specifications of `scripts/full-reports.sh`,
/// the `ibplane` next to this executable, no baseline. Reports are written too (they are part
/// of what a user waits for); process start is included.
enum PlaneBench {
  static let fullReportsEstimators = [
    "binning", "binning:convention=floor", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi:alpha=2", "lossy", "gaussian",
  ]

  struct Measurement {
    var wall = Double.infinity
    var cpu = 0.0
    /// Per estimator label: sum of the rows' `seconds` (of the fastest run).
    var jobSeconds: [String: Double] = [:]
    var rows = 0
  }

  static func run(_ arguments: [String]) throws {
    var args = Array(arguments.dropFirst())
    guard let recording = args.first, !recording.hasPrefix("--") else {
      throw BenchError("usage: ibplane-bench plane RECORDING [--epochs LIST] [--threads T] [--repeats R] [--estimator SPEC ...] [--ibplane BIN] [--baseline BIN]")
    }
    args.removeFirst()
    var epochs = "all"
    var threads = 2
    var repeats = 1
    var estimators: [String] = []
    var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ibplane").path
    var baseline: String?
    var k = 0
    func value() throws -> String {
      guard k + 1 < args.count else { throw BenchError("\(args[k]) needs a value") }
      k += 1
      return args[k]
    }
    while k < args.count {
      switch args[k] {
      case "--epochs": epochs = try value()
      case "--threads": threads = try Int(value()).flatMap { $0 > 0 ? $0 : nil } ?? { throw BenchError("--threads: expected a positive integer") }()
      case "--repeats": repeats = try Int(value()).flatMap { $0 > 0 ? $0 : nil } ?? { throw BenchError("--repeats: expected a positive integer") }()
      case "--estimator": estimators.append(try value())
      case "--ibplane": candidate = try value()
      case "--baseline": baseline = try value()
      default: throw BenchError("unknown argument \(args[k])")
      }
      k += 1
    }
    if estimators.isEmpty { estimators = fullReportsEstimators }
    let binaries = [("candidate", candidate)] + (baseline.map { [("baseline", $0)] } ?? [])
    var results = [Measurement](repeating: Measurement(), count: binaries.count)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ibplane-bench-plane-\(getpid())")
    defer { try? FileManager.default.removeItem(at: scratch) }
    for _ in 0..<repeats {
      for (b, (_, binary)) in binaries.enumerated() {
        let out = scratch.appendingPathComponent("run-\(b)")
        try? FileManager.default.removeItem(at: out)
        var command = [binary, "analyze", recording, "--epochs", epochs, "--threads", "\(threads)", "--out", out.path, "--quiet"]
        for e in estimators { command += ["--estimator", e] }
        let m = try measure(command, csv: out.appendingPathComponent("plane.csv"))
        if m.wall < results[b].wall { results[b] = m }
      }
    }
    print("== information plane of \(recording): epochs \(epochs), --threads \(threads), best of \(repeats) (load average \(loadAverage())) ==")
    for (b, (name, binary)) in binaries.enumerated() {
      print(String(format: "%@: wall %.2f s, CPU %.2f s, %d rows (%@)", name, results[b].wall, results[b].cpu, results[b].rows, binary))
    }
    let widths = [26, 12, 8, 12, 8, 9]
    print(row(["estimator", "job s", "share", "baseline s", "share", "ratio"], widths: widths))
    let total = results[0].jobSeconds.values.reduce(0, +)
    let baseTotal = results.count > 1 ? results[1].jobSeconds.values.reduce(0, +) : .nan
    for label in results[0].jobSeconds.keys.sorted(by: { results[0].jobSeconds[$0]! > results[0].jobSeconds[$1]! }) {
      let s = results[0].jobSeconds[label]!
      let base = results.count > 1 ? results[1].jobSeconds[label] ?? .nan : .nan
      print(row([
        label, String(format: "%.2f", s), String(format: "%.1f%%", 100 * s / total),
        base.isNaN ? "-" : String(format: "%.2f", base), base.isNaN ? "-" : String(format: "%.1f%%", 100 * base / baseTotal),
        base.isNaN ? "-" : String(format: "%.1f×", base / s),
      ], widths: widths))
    }
    if results.count > 1 {
      print(String(format: "all jobs: %.2f s vs %.2f s (%.1f×); wall %.2f s vs %.2f s (%.1f×)",
        total, baseTotal, baseTotal / total, results[0].wall, results[1].wall, results[1].wall / results[0].wall))
    }
  }

  /// Runs `command`, returns its wall time, the CPU time of the child (user + system, from the
  /// children's rusage) and the per-estimator job seconds of the CSV it wrote.
  static func measure(_ command: [String], csv: URL) throws -> Measurement {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: command[0])
    p.arguments = Array(command.dropFirst())
    let before = childrenCPU()
    let start = ContinuousClock.now
    try p.run()
    p.waitUntilExit()
    let d = ContinuousClock.now - start
    guard p.terminationStatus == 0 else { throw BenchError("\(command.joined(separator: " ")) exited with \(p.terminationStatus)") }
    var m = Measurement()
    m.wall = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    m.cpu = childrenCPU() - before
    let text = String(decoding: try Data(contentsOf: csv), as: UTF8.self)
    let rows = try PlaneTable.parse(text, file: csv.path).rows
    m.rows = rows.count
    for r in rows { m.jobSeconds[r.estimator, default: 0] += r.seconds }
    return m
  }

  static func childrenCPU() -> Double {
    var u = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
  }

  static func loadAverage() -> String {
    var l = [Double](repeating: 0, count: 3)
    return getloadavg(&l, 3) == 3 ? l.map { String(format: "%.2f", $0) }.joined(separator: " ") : "n/a"
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
