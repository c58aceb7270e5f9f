import Foundation
import IBPlane

/// `ibplane-bench coverage [R=200] [N=400] [B=50]`: do the 90 % intervals cover what they claim?
///
/// For binning, KDE, lossy and CS (plane API, I(T;Y)) and KSG (pairwise API, I(X;Y)) on tasks
/// whose mutual information is known, R seeded replications at a fixed N each get the 90 %
/// half-sample-jackknife interval (B resamples, the default of `analyze`) and the demoted
/// with-replacement percentile bootstrap (same B). Reported per estimator and method: the
/// estimator's own expectation at N (the mean of its R estimates), the truth, the fraction
/// of intervals containing that expectation (what a sampling-spread interval promises, 0.90
/// nominal), the fraction containing the truth (not promised: bias is outside every
/// resampling interval), the fraction containing their own estimate, and the mean width.
///
/// Plane task: X ~ N(0, 1), Y = the quantised-Gaussian class of X (4 equal-mass classes,
/// `QuantisedGaussianTask`), T = (X, 0.3·W) with W ~ N(0, 1) independent, so
/// I(T;Y) = H(Y) = log 4 exactly. KDE targets I(T + Z;Y) for its noise Z and CS is a quadratic
/// (not Shannon) quantity: the truth column still shows log 4, marked, for orientation.
/// KSG task: correlated Gaussian pair, ρ = 0.6, I = −½ log(1 − ρ²).
enum CoverageBench {
  struct Tally {
    var ownHits = 0, truthHits = 0, estimateHits = 0, width = 0.0, count = 0
    mutating func add(_ r: ClosedRange<Double>, own: Double, truth: Double?, estimate: Double) {
      count += 1
      width += r.upperBound - r.lowerBound
      if r.contains(own) { ownHits += 1 }
      if let truth, r.contains(truth) { truthHits += 1 }
      if r.contains(estimate) { estimateHits += 1 }
    }
  }

  static let level = 0.9

  static func run(_ arguments: [String]) throws {
    let numbers = arguments.dropFirst().map { Int($0) }
    guard numbers.allSatisfy({ $0 != nil && $0! >= 2 }) else {
      throw EstimatorError.invalidParameter(name: "coverage arguments", value: arguments.dropFirst().joined(separator: " "), expected: "[R ≥ 2] [N ≥ 2] [B ≥ 2]")
    }
    let r = numbers.count > 0 ? numbers[0]! : 200
    let n = numbers.count > 1 ? numbers[1]! : 400
    let b = numbers.count > 2 ? numbers[2]! : 50
    var lines = [
      "# Interval coverage (\(Int(level * 100)) % intervals, R = \(r) replications, N = \(n), B = \(b))", "",
      "Command: `swift run -c release ibplane-bench coverage \(r) \(n) \(b)`. Values in nats. own E at N: the mean of the R estimates;"
        + " cover own / cover truth / cover θ̂: fraction of intervals containing the estimator's own expectation at N, the truth, and the replication's own estimate.", "",
      "| estimator | quantity | method | own E at N | truth | cover own | cover truth | cover θ̂ | mean width |",
      "|---|---|---|---|---|---|---|---|---|",
    ]
    let planeTruth = log(4.0)
    let plane: [(String, Bool)] = [("binning", true), ("kde", true), ("lossy:latent=1", true), ("cs", false)]
    for (spec, shannon) in plane {
      lines += try planeRows(spec, shannon: shannon, truth: planeTruth, r: r, n: n, b: b)
      print(lines.suffix(2).joined(separator: "\n"))
    }
    lines += try ksgRows(r: r, n: n, b: b)
    print(lines.suffix(2).joined(separator: "\n"))
    lines += [
      "", "KDE's truth is for the noiseless T (it estimates I(T + Z;Y)); CS is a quadratic MI, so its truth column does not apply (—).",
      "A sampling-spread interval promises only `cover own`; `cover truth` below it is the estimator's bias at N.",
    ]
    let text = lines.joined(separator: "\n") + "\n"
    print(text)
    let url = URL(fileURLWithPath: "bench/results/coverage.md")
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    print("wrote \(url.path)")
  }

  static func planeRows(_ spec: String, shannon: Bool, truth: Double, r: Int, n: Int, b: Int) throws -> [String] {
    let estimator = try EstimatorRegistry.makePlane(spec)
    let task = try QuantisedGaussianTask(bins: 4)
    var estimates: [Double] = []
    var intervals: [[ClosedRange<Double>]] = []
    for rep in 0..<r {
      let s = try task.sample(count: n, seed: UInt64(rep))
      let noise = RandomSource(seed: RandomSource(seed: 99).derivedSeed(rep))
      var layer = Matrix<Float>(rows: n, columns: 2)
      for i in 0..<n {
        layer[i, 0] = Float(s.x.elements[i])
        layer[i, 1] = Float(0.3 * noise.normal())
      }
      let inputs = try Matrix<Float>(rows: n, columns: 1, elements: s.x.elements.map(Float.init))
      let context = try PlaneContext(inputs: inputs, labels: .classes(s.y.elements.map { Int($0) }, classCount: 4))
      estimates.append(try estimator.point(layer: layer, context: context).labelInformation.nats)
      intervals.append(try PlaneIntervalSettings.Method.allCases.map { method in
        try PlaneBootstrap(resamples: b, level: level, seed: UInt64(rep), context: context, method: method)
          .intervals(layer: layer, estimator: estimator).label
      })
    }
    return table(EstimatorRegistry.label(of: estimator), "I(T;Y)", estimates, intervals, truth: shannon ? truth : nil)
  }

  static func ksgRows(r: Int, n: Int, b: Int) throws -> [String] {
    let task = try GaussianTask.dense(dimension: 1, correlation: 0.6)
    let ksg = try EstimatorRegistry.makeMutualInformation("ksg")
    var estimates: [Double] = []
    var intervals: [[ClosedRange<Double>]] = []
    for rep in 0..<r {
      let s = try task.sample(count: n, seed: UInt64(rep))
      let theta = try ksg.estimate(s.x, s.y).nats
      estimates.append(theta)
      let seeds = RandomSource(seed: UInt64(rep))
      // Jackknife: distinct half-samples; bootstrap: N draws with replacement (ties for KSG).
      let halves = try (0..<b).map { k -> Double in
        let idx = HalfSampleJackknife.keptIndices(n: n, seed: seeds.derivedSeed(k))
        return try ksg.estimate(s.x.selectingRows(idx), s.y.selectingRows(idx)).nats
      }
      let draws = try (0..<b).map { k -> Double in
        let random = RandomSource(seed: seeds.derivedSeed(k))
        let idx = (0..<n).map { _ in random.integer(below: n) }
        return try ksg.estimate(s.x.selectingRows(idx), s.y.selectingRows(idx)).nats
      }
      let jack = HalfSampleJackknife.interval(estimate: theta, values: halves, n: n, level: level) ?? Double.infinity...Double.infinity
      let boot = PlaneBootstrap.percentile(draws, (1 - level) / 2)...PlaneBootstrap.percentile(draws, (1 + level) / 2)
      intervals.append([jack, boot])
    }
    return table("ksg", "I(X;Y)", estimates, intervals, truth: task.mutualInformationNats)
  }

  /// Two table rows (jackknife, bootstrap) from R estimates and their intervals.
  static func table(_ name: String, _ quantity: String, _ estimates: [Double], _ intervals: [[ClosedRange<Double>]], truth: Double?) -> [String] {
    let own = estimates.reduce(0, +) / Double(estimates.count)
    return PlaneIntervalSettings.Method.allCases.enumerated().map { m, method in
      var t = Tally()
      for (k, e) in estimates.enumerated() { t.add(intervals[k][m], own: own, truth: truth, estimate: e) }
      func f(_ v: Double) -> String { String(format: "%.3f", v) }
      let c = Double(t.count)
      return "| \(name) | \(quantity) | \(method.rawValue) | \(f(own)) | \(truth.map(f) ?? "—") | \(f(Double(t.ownHits) / c)) | "
        + "\(truth == nil ? "—" : f(Double(t.truthHits) / c)) | \(f(Double(t.estimateHits) / c)) | \(f(t.width / c)) |"
    }
  }
}
