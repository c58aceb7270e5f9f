import Foundation
import Testing

import IBPlane

@Suite struct GaussianEstimatorTests {
  /// The criterion: within 2 % of the truth on Gaussian tasks at N = 100,000. The
  /// sampling standard deviation there is ≈ 0.3 % of the value, so 2 % cannot fail by chance.
  @Test(arguments: ["gaussian-dense-5", "gaussian-1x1-rho0.75", "gaussian-2pair-10x10", "gaussian-channel-3"])
  func withinTwoPercentAtHundredThousand(name: String) throws {
    let task = try SyntheticTasks.task(named: name)
    let s = try task.sample(count: 100_000, seed: 5)
    let e = try GaussianEstimator().estimate(s.x, s.y)
    let relative = abs(e.nats - task.mutualInformationNats) / task.mutualInformationNats
    #expect(relative < 0.02, "\(name): \(e.nats) vs \(task.mutualInformationNats)")
    #expect(e.diagnostics["n"] == 100_000)
  }

  @Test func floatInputAgreesWithDouble() throws {
    let s = try SyntheticTasks.task(named: "gaussian-dense-5").sample(count: 20_000, seed: 6)
    let d = try GaussianEstimator().estimate(s.x, s.y).nats
    let f = try GaussianEstimator().estimate(s.x.converted(to: Float.self), s.y.converted(to: Float.self)).nats
    #expect(abs(d - f) < 1e-5)
  }

  @Test func invariantUnderAffineMaps() throws {
    let s = try SyntheticTasks.task(named: "gaussian-channel-3").sample(count: 5_000, seed: 7)
    var x = s.x
    for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] = 1e3 * x[i, j] - 7 + Double(j) } }
    let a = try GaussianEstimator().estimate(s.x, s.y).nats
    let b = try GaussianEstimator().estimate(x, s.y).nats
    #expect(abs(a - b) < 1e-10)
  }

  /// Independent 2×2 Gaussians at N = 40: the plug-in is biased up by ≈ dx·dy/(2N) = 0.05 nats;
  /// the corrected estimate averages to 0 within 5 standard errors over 400 replicates.
  @Test func biasCorrectionRemovesFiniteSampleBias() throws {
    let task = try SyntheticTasks.task(named: "gaussian-2x2-rho0")
    var plain: [Double] = []
    var corrected: [Double] = []
    for r in 0..<400 {
      let s = try task.sample(count: 40, seed: UInt64(1000 + r))
      plain.append(try GaussianEstimator().estimate(s.x, s.y).nats)
      corrected.append(try GaussianEstimator(biasCorrection: true).estimate(s.x, s.y).nats)
    }
    func meanAndError(_ v: [Double]) -> (Double, Double) {
      let m = v.reduce(0, +) / Double(v.count)
      let sd = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot()
      return (m, sd / Double(v.count).squareRoot())
    }
    let (mp, sep) = meanAndError(plain)
    let (mc, sec) = meanAndError(corrected)
    #expect(mp > 0.03 && abs(mp - 0.05) < 5 * sep + 0.01, "plug-in mean \(mp)")
    #expect(abs(mc) < 5 * sec, "corrected mean \(mc) ± \(sec)")
  }

  @Test func singularCovarianceIsRefused() throws {
    let s = try SyntheticTasks.task(named: "gaussian-dense-2").sample(count: 1_000, seed: 8)
    var x = Matrix<Double>(rows: 1_000, columns: 3)
    for i in 0..<1_000 {
      x[i, 0] = s.x[i, 0]; x[i, 1] = s.x[i, 1]; x[i, 2] = 2 * s.x[i, 0] - s.x[i, 1]
    }
    #expect(throws: EstimatorError.self) { try GaussianEstimator().estimate(x, s.y) }
    do {
      _ = try GaussianEstimator().estimate(x, s.y)
    } catch {
      #expect("\(error)".contains("singular") && "\(error)".contains("X"))
    }
    var constant = s.y
    for i in 0..<constant.rows { constant[i, 1] = 3 }
    #expect(throws: EstimatorError.self) { try GaussianEstimator().estimate(s.x, constant) }
  }

  @Test func badShapesAreRefused() throws {
    let s = try SyntheticTasks.task(named: "gaussian-dense-2").sample(count: 10, seed: 9)
    #expect(throws: EstimatorError.self) { try GaussianEstimator().estimate(s.x, s.y.selectingRows(0..<9)) }
    #expect(throws: EstimatorError.self) { try GaussianEstimator().estimate(s.x.selectingRows(0..<4), s.y.selectingRows(0..<4)) }
    var bad = s.x
    bad[3, 1] = .nan
    #expect(throws: EstimatorError.self) { try GaussianEstimator().estimate(bad, s.y) }
  }

  @Test func registryBuildsByName() throws {
    let e = try EstimatorRegistry.makeMutualInformation("gaussian:bias-correction=true")
    #expect(e.name == "gaussian")
    #expect((e as? GaussianEstimator)?.biasCorrection == true)
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makeMutualInformation("nope") }
  }
}
