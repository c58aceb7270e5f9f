import Foundation
import Testing

import IBPlane

/// Closed-form MI of every task against independent values. The numbers marked "oracle" come
/// from `Tests/oracles/synthetic_truth.py` (numpy/scipy, no ibplane code: slogdet, the full
/// multivariate-t entropy, numeric integration of Y's density, scipy's normal CDF).
@Suite struct SyntheticTruthTests {
  /// Closed forms agree with the oracle to rounding: 1e-9 nats leaves room for LAPACK vs numpy
  /// and GSL vs scipy differences (both ≈ 1e-14 here).
  static let exact = 1e-9

  func truth(_ name: String) throws -> Double { try SyntheticTasks.task(named: name).mutualInformationNats }

  @Test func gaussianTasksMatchOracle() throws {
    #expect(abs(try truth("gaussian-dense-5") - 0.592811832829) < Self.exact)
    #expect(abs(try truth("gaussian-1x1-rho0.75") - 0.413339286592) < Self.exact)
    #expect(abs(try truth("gaussian-channel-3") - 1.102072510090) < Self.exact)
    // Two coordinate pairs with ρ = 0.8: −log(1 − 0.64).
    #expect(abs(try truth("gaussian-2pair-10x10") - -Foundation.log(0.36)) < Self.exact)
  }

  @Test func denseDeterminantFormula() throws {
    // det of the n × n equicorrelation matrix is (1 − ρ)ⁿ⁻¹(1 + (n − 1)ρ).
    for d in [1, 2, 5, 8] {
      let logDet: (Int) -> Double = { n in Double(n - 1) * Foundation.log(0.5) + Foundation.log(1 + Double(n - 1) * 0.5) }
      let expected = 0.5 * (2 * logDet(d) - logDet(2 * d))
      #expect(abs(try GaussianTask.dense(dimension: d).mutualInformationNats - expected) < 1e-12)
    }
  }

  @Test func channelTruthEqualsJointCovarianceRoute() throws {
    let channel = try GaussianChannelTask.bidiagonal(dimension: 4)
    let viaJoint = try GaussianTask.mutualInformation(covariance: channel.jointCovariance(), xDimension: 4)
    #expect(abs(channel.mutualInformationNats - viaJoint) < 1e-12)
  }

  @Test func studentTasksMatchIssueAndOracle() throws {
    #expect(abs(try truth("student-1x1-nu1") - 0.224171427529) < Self.exact)
    #expect(abs(try truth("student-2x2-nu2") - 0.193147180560) < Self.exact)
    #expect(abs(try truth("student-3x3-nu2") - 0.290921922683) < Self.exact)
    // Correlated dispersion: Gaussian term + correction equals the full-entropy oracle, which a
    // 10⁶-draw Monte Carlo with scipy's multivariate_t confirms (0.58736 ± 0.00108).
    #expect(abs(try truth("student-2x3-nu3-rho0.6") - 0.586473255402) < Self.exact)
  }

  @Test func studentCorrectionVanishesInGaussianLimit() throws {
    // The correction is ≈ dx·dy/(2ν²); at ν = 10⁴ it is 3·10⁻⁸ (scipy), far above the ≈ 10⁻¹¹ rounding
    // of the log-gamma terms (≈ 4·10⁴ each) that cancel in it.
    let c = try StudentTask.entropyCorrection(nu: 1e4, dx: 3, dy: 2)
    #expect(c > 0 && c < 1e-6)
    let heavy = try StudentTask.entropyCorrection(nu: 2, dx: 3, dy: 2)
    let light = try StudentTask.entropyCorrection(nu: 20, dx: 3, dy: 2)
    #expect(heavy > light && light > 0)
  }

  @Test func uniformAdditiveMatchesIssueAndIntegration() throws {
    #expect(abs(try truth("uniform-additive-0.1") - 1.709437912434) < Self.exact)
    #expect(abs(try truth("uniform-additive-0.75") - 1.0 / 3.0) < Self.exact)
    // Both branches meet at ε = ½.
    #expect(abs(try truth("uniform-additive-0.5") - 0.5) < Self.exact)
  }

  @Test func discreteChannelsMatchTextbook() throws {
    func h2(_ p: Double) -> Double { -p * Foundation.log(p) - (1 - p) * Foundation.log(1 - p) }
    for p in [0.01, 0.1, 0.25, 0.4] {
      #expect(abs(try truth("bsc-\(p)") - (Foundation.log(2) - h2(p))) < 1e-12)
      #expect(abs(try truth("bec-\(p)") - (1 - p) * Foundation.log(2)) < 1e-12)
    }
    #expect(abs(try truth("bsc-0.5")) < 1e-15)
    #expect(abs(try truth("bsc-0") - Foundation.log(2)) < 1e-15)
    #expect(abs(try truth("noiseless-4") - Foundation.log(4)) < 1e-12)
    #expect(abs(try truth("noiseless-10") - Foundation.log(10)) < 1e-12)
  }

  @Test func quantisedGaussianMatchesOracle() throws {
    #expect(abs(try truth("quantised-gaussian-8") - 2.002073490476) < Self.exact)
    let two = try QuantisedGaussianTask(bins: 2)
    #expect(abs(two.mutualInformationNats - Foundation.log(2)) < 1e-12)  // split at 0: ½, ½
  }

  @Test func transformsKeepTheBaseTruth() throws {
    for (name, base) in [
      ("asinh-student-3x3-nu2", "student-3x3-nu2"), ("halfcube-gaussian-dense-5", "gaussian-dense-5"),
      ("normalcdf-gaussian-2pair-10x10", "gaussian-2pair-10x10"), ("spiral-gaussian-dense-5", "gaussian-dense-5"),
      ("asinh-spiral-student-2x2-nu2", "student-2x2-nu2"),
    ] {
      #expect(try truth(name) == truth(base))
    }
  }

  @Test func catalogParsesAndKeepsNames() throws {
    for name in SyntheticTasks.catalog {
      let task = try SyntheticTasks.task(named: name)
      #expect(task.name == name)
      #expect(task.mutualInformationNats > 0)
      #expect(abs(task.mutualInformation(in: .bits) * Foundation.log(2) - task.mutualInformationNats) < 1e-12)
    }
    for name in ["gaussian-dense-5", "gaussian-channel-3", "student-2x2-nu2", "bsc-0.1"] {  // scripts/demo.sh
      #expect(SyntheticTasks.catalog.contains(name))
    }
  }

  @Test(arguments: [
    "nonsense", "", "gaussian-dense-x", "gaussian-dense-0", "gaussian-3x3", "gaussian-3y3-rho0.5",
    "gaussian-1x1-rho1", "gaussian-3pair-2x2", "student-2x2", "student-2x2-nu0", "student-2x2-nuabc",
    "uniform-additive--1", "uniform-additive-", "bsc-1.5", "bec--0.1", "noiseless-1", "quantised-gaussian-1",
    "spiral-student-1x1-nu1", "asinh-", "gaussian-dense-5x",
  ])
  func badNamesAreRefused(name: String) {
    #expect(throws: SyntheticError.self) { try SyntheticTasks.task(named: name) }
  }

  @Test func errorsNameTheProblem() {
    do {
      _ = try SyntheticTasks.task(named: "bsc-1.5")
      Issue.record("bsc-1.5 was accepted")
    } catch {
      #expect("\(error)".contains("flip probability"))
      #expect("\(error)".contains("bsc-1.5"))
    }
  }
}
