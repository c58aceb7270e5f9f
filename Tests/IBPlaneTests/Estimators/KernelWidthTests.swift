import Foundation
import Testing
import IBPlane

@Suite struct KernelWidthTests {
  @Test func scottAndSilvermanFollowTheirFormulas() throws {
    let x = RandomSource(seed: 2).normalMatrix(rows: 2000, columns: 3)
    // Root-mean-square of the per-dimension sample standard deviations, written plainly.
    var v = 0.0
    for j in 0..<3 {
      let c = x.column(j)
      let m = c.reduce(0, +) / 2000
      v += c.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 1999
    }
    let s = (v / 3).squareRoot()
    let scott = try KernelWidthRule.scott.width(for: x)
    let silverman = try KernelWidthRule.silverman.width(for: x)
    #expect(abs(scott - s * 3.0.squareRoot() * pow(2000, -1.0 / 7)) < 1e-12)
    #expect(abs(silverman - s * 3.0.squareRoot() * pow(4.0 / (5 * 2000), 1.0 / 7)) < 1e-12)
    // d = 1: Silverman's 1.06 σ̂ N^(−1/5).
    let one = x.selectingColumns([0])
    let sd = try one.covariance()[0, 0].squareRoot()
    #expect(abs(try KernelWidthRule.silverman.width(for: one) / (sd * pow(2000, -0.2)) - 1.0592) < 1e-3)
  }

  /// Silverman's rule by hand on four points: the corners (0,0), (2,0), (0,2), (2,2). Each
  /// column is 0, 2, 0, 2: mean 1, sample variance 4/3, so s̄ = √(4/3); d = 2, N = 4 gives
  /// σ = √(4/3)·√2·(4/(4·4))^(1/6) = √(8/3)·2^(−1/3) = 1.2961075…
  @Test func silvermanOnAHandComputedExample() throws {
    let x = try Matrix<Double>(rows: 4, columns: 2, elements: [0, 0, 2, 0, 0, 2, 2, 2])
    let sigma = try KernelWidthRule.silverman.width(for: x)
    #expect(abs(sigma - (8.0 / 3).squareRoot() * pow(2, -1.0 / 3)) < 1e-15)
    #expect(abs(sigma - 1.2961075314931) < 1e-12)
    // Scott's on the same data: √(8/3)·4^(−1/6), the same family without Silverman's constant.
    #expect(abs(try KernelWidthRule.scott.width(for: x) - (8.0 / 3).squareRoot() * pow(4, -1.0 / 6)) < 1e-15)
  }

  /// The kernel estimators default to Silverman's rule (the papers' σ = γ·N^(−1/(4+d))), in
  /// the Swift initialisers and in the registry table that the CLI, `--help` and the CSV read.
  @Test func theDefaultIsSilvermansRule() throws {
    #expect(KernelWidthRule.default == .silverman)
    #expect(CauchySchwarzMutualInformation().widthA == .silverman && CauchySchwarzMutualInformation().widthB == .silverman)
    #expect(MatrixRenyiMutualInformation().widthA == .silverman && MatrixRenyiMutualInformation().widthB == .silverman)
    for name in ["cs", "renyi"] {
      let family = try EstimatorRegistry.family(name)
      for key in ["width-rule", "sigma-x", "sigma-y"] {
        let p = try #require(family.parameters.first { $0.key == key })
        #expect(p.defaultSummary == "silverman", "\(name) \(key)")
      }
      let (_, values) = try EstimatorRegistry.resolve(name, form: .plane)
      #expect(values["sigma-x"] == "silverman" && values["sigma-y"] == "silverman", "\(name): \(values.canonical)")
    }
    // The width an estimate reports is the rule's.
    let (a, b) = KernelReference.correlatedPair(n: 300, d: 3, rho: 0.5, seed: 9)
    let e = try EstimatorRegistry.makeMutualInformation("cs").estimate(a, b)
    #expect(e.diagnostics["sigma_a"] == (try KernelWidthRule.silverman.width(for: a)))
    #expect(e.diagnostics["sigma_b"] == (try KernelWidthRule.silverman.width(for: b)))
  }

  /// The median heuristic stays selectable: `width-rule=median` builds `.median()` on both
  /// sides, labels and spells itself back, and gives the estimate of `.median()` bit for bit.
  @Test(arguments: ["cs", "renyi:alpha=2"])
  func medianStillSelectableAndRoundTrips(base: String) throws {
    let spec = base + (base.contains(":") ? "," : ":") + "width-rule=median"
    let (family, values) = try EstimatorRegistry.resolve(spec, form: .plane)
    #expect(values["sigma-x"] == "median" && values["sigma-y"] == "median")
    let (_, again) = try EstimatorRegistry.resolve("\(family.name):\(values.canonical)", form: .plane)
    #expect(again == values)
    #expect(family.label(values, form: .plane).contains("sigma-x=median,sigma-y=median"))
    #expect(try KernelWidthRule(specification: "median", key: "width-rule") == .median())
    #expect(KernelWidthRule.median().specification == "median")
    let (a, b) = KernelReference.correlatedPair(n: 300, d: 2, rho: 0.6, seed: 10)
    let viaRegistry = try EstimatorRegistry.makeMutualInformation(spec).estimate(a, b)
    let direct: Estimate
    if base == "cs" {
      direct = try CauchySchwarzMutualInformation(widthA: .median(), widthB: .median()).estimate(a, b)
    } else {
      direct = try MatrixRenyiMutualInformation(alpha: 2, widthA: .median(), widthB: .median()).estimate(a, b)
    }
    #expect(viaRegistry.nats == direct.nats)
    #expect(viaRegistry.diagnostics["sigma_a"] == (try KernelWidthRule.median().width(for: a)))
    // The rules differ on this data, so the default is not the median in disguise.
    let byDefault = try EstimatorRegistry.makeMutualInformation(base).estimate(a, b)
    #expect(byDefault.diagnostics["sigma_a"]! < 0.8 * viaRegistry.diagnostics["sigma_a"]!)
  }

  @Test func medianRuleIsTheMedianPairwiseDistanceAndIsSeeded() throws {
    let x = RandomSource(seed: 3).normalMatrix(rows: 101, columns: 2)
    var d: [Double] = []
    for i in 0..<101 { for j in (i + 1)..<101 { d.append(((x[i, 0] - x[j, 0]) * (x[i, 0] - x[j, 0]) + (x[i, 1] - x[j, 1]) * (x[i, 1] - x[j, 1])).squareRoot()) } }
    d.sort()
    // 5050 pairs: median is the mean of the two middle values.
    let ref = (d[2524] + d[2525]) / 2
    #expect(abs(try KernelWidthRule.median(subsample: 1000).width(for: x) - ref) < 1e-12)
    let big = RandomSource(seed: 4).normalMatrix(rows: 5000, columns: 2)
    let a = try KernelWidthRule.median(subsample: 300, seed: 1).width(for: big)
    let b = try KernelWidthRule.median(subsample: 300, seed: 1).width(for: big)
    let c = try KernelWidthRule.median(subsample: 300, seed: 2).width(for: big)
    #expect(a == b && a != c)
    // Population median of ‖u − v‖ for u, v ~ N(0, I₂): √(2·2 ln 2) = 1.665.
    #expect(abs(a - (4 * log(2.0)).squareRoot()) < 0.1)
  }

  @Test func parsingAndDegenerateInput() throws {
    #expect(KernelWidthRule(parsing: "silverman") == .silverman)
    #expect(KernelWidthRule(parsing: "median:200", seed: 7) == .median(subsample: 200, seed: 7))
    #expect(KernelWidthRule(parsing: "0.5") == .fixed(0.5))
    #expect(KernelWidthRule(parsing: "-1") == nil)
    #expect(KernelWidthRule(parsing: "bogus") == nil)
    // A constant variable (a dead layer) has an all-ones Gram matrix for every σ: width 1,
    // and the Cauchy–Schwarz MI with anything is exactly 0.
    let constant = Matrix<Double>(rows: 10, columns: 2)
    #expect(try KernelWidthRule.scott.width(for: constant) == 1)
    #expect(try KernelWidthRule.median().width(for: constant) == 1)
    let other = RandomSource(seed: 2).normalMatrix(rows: 10, columns: 3)
    for rule in [KernelWidthRule.median(), .silverman] {
      let cs = try CauchySchwarzMutualInformation(widthA: rule, widthB: rule).estimate(other, constant)
      #expect(abs(cs.nats) < 1e-12)
    }
  }

  /// Repeated rows (zero distances) do not drag the median to 0: values 0 (six times), 1, 3
  /// have non-zero distances 1 (×6), 2, 3 (×6), whose median is 2.
  @Test func medianIgnoresZeroDistances() throws {
    let x = Matrix<Double>(column: [0, 0, 0, 0, 0, 0, 1, 3])
    #expect(try KernelWidthRule.median().width(for: x) == 2)
  }
}
