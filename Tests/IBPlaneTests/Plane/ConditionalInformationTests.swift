import Foundation
import Testing
import IBPlane

/// The `i_xt_given_y` column: I(X;T|Y) on tasks where it is known, in every family's row,
/// through the CSV, the bootstrap and `merge`.
@Suite struct ConditionalInformationTests {
  /// The plane rows of one snapshot with one layer `t`.
  func rows(
    inputs: Matrix<Float>?, labels: Labels, layer t: Matrix<Float>, estimators: [String], options: PlaneAnalysisOptions = PlaneAnalysisOptions()
  ) throws -> [PlaneRow] {
    var source = try InMemorySnapshotSource(name: "task", inputs: inputs, labels: labels, layers: [LayerSpec(name: "t", width: t.columns)])
    try source.append(SnapshotInfo(epoch: 0, step: 0), layers: [t])
    return try PlaneAnalysis(source: source, estimators: try estimators.map(EstimatorRegistry.makePlane), options: options).run()
  }

  /// X uniform over the 2^b bit patterns (each exactly `copies` times, in seeded order), Y its
  /// top bit, T = X's bits at ±0.9: I(X;T|Y) = H(X|Y) = b − 1 bits exactly, on the sample too.
  func bitsTask(bits b: Int = 4, copies: Int = 32) throws -> (x: Matrix<Float>, y: Labels, t: Matrix<Float>) {
    let values = RandomSource(seed: 3).permutation((1 << b) * copies).map { $0 % (1 << b) }
    let x = try Matrix<Float>(values.map { v in (0..<b).map { Float((v >> $0) & 1) } })
    let t = try Matrix<Float>(values.map { v in (0..<b).map { (v >> $0) & 1 == 1 ? Float(0.9) : -0.9 } })
    return (x, .classes(values.map { $0 >> (b - 1) }, classCount: 2), t)
  }

  @Test func binningAndKDEGiveHOfXGivenYOnTheBitsTask() throws {
    let (x, y, t) = try bitsTask()
    // Plug-in counts on an exactly uniform sample are exact; KDE's components are ≥ 1.8 apart at
    // σ² = 0.01, so cross terms are below e^−162: both are 3 bits to rounding.
    for r in try rows(inputs: x, labels: y, layer: t, estimators: ["binning", "kde:sigma2=0.01"]) {
      let v = try #require(r.conditionalInputInformation)
      #expect(abs(v - 3) < 1e-9, "\(r.estimator): \(v)")
      #expect(abs(r.inputInformation - 4) < 1e-9 && abs(r.labelInformation - 1) < 1e-9, "\(r.estimator)")
    }
  }

  /// Y balanced, X | Y = y ~ N(μ_y, I₃), T = (x₀, x₁) seen through noise of variance 1: within
  /// each class (X, T + ε) is jointly Gaussian, so I(X;T|Y) = ½ log det(I₂ + I₂) = ln 2 nats.
  func gaussianTask(samples n: Int, seed: UInt64) throws -> (x: Matrix<Float>, y: Labels, t: Matrix<Float>) {
    let random = RandomSource(seed: seed)
    let classes = (0..<n).map { $0 % 2 }
    let x = try Matrix<Float>(classes.map { c in (0..<3).map { k in Float(random.normal() + (k == 0 ? 2.0 * Double(c) : 0)) } })
    let t = try Matrix<Float>((0..<n).map { [x[$0, 0], x[$0, 1]] })
    return (x, .classes(classes, classCount: 2), t)
  }

  @Test func gaussianAndLossyGiveTheGaussianConditionalMI() throws {
    var options = PlaneAnalysisOptions()
    options.unit = .nats
    let truth = log(2.0)
    // Gaussian: sample covariances of N_y = 1000 move log det by ~√(2w/N_y) ≈ 0.06 at most;
    // lossy (KSG, k = 3, 5 dimensions, N_y = 1000): its bias there is a few 0.01 nats.
    for seed: UInt64 in [1, 2] {
      let (x, y, t) = try gaussianTask(samples: 2000, seed: seed)
      let found = try rows(inputs: x, labels: y, layer: t, estimators: ["gaussian:sigma2=1", "lossy:noise=1,latent=4"], options: options)
      for r in found {
        let v = try #require(r.conditionalInputInformation)
        #expect(abs(v - truth) < 0.08, "seed \(seed), \(r.estimator): \(v) vs ln 2")
      }
    }
  }

  @Test func everyFamilyFillsTheColumnAndItRoundTripsThroughTheTable() throws {
    let source = try PlaneFixtures.source(samples: 120, snapshots: 1)
    let estimators = try EstimatorRegistry.families.filter(\.hasPlaneForm).map { try EstimatorRegistry.makePlane($0.name) }
    #expect(estimators.count == 8)
    let rows = try PlaneAnalysis(source: source, estimators: estimators).run()
    #expect(rows.count == 16)
    for r in rows {
      let v = try #require(r.conditionalInputInformation, "\(r.estimator)")
      #expect(v.isFinite && v >= -1e-9, "\(r.estimator): \(v)")
      let form = try EstimatorRegistry.makePlane(r.estimator).conditionalInputForm
      if form == .difference {
        #expect(abs(v - (r.inputInformation - r.labelInformation)) < 1e-9, "\(r.estimator)")
      }
    }
    let table = PlaneTable(metricNames: ["loss", "test_accuracy"])
    let parsed = try PlaneTable.parse(table.text(rows), file: "plane.csv")
    #expect(parsed.rows == rows)
  }

  @Test func theFormsAreDeclaredPerFamily() throws {
    let forms = Dictionary(uniqueKeysWithValues: try ["binning", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi", "lossy", "gaussian"]
      .map { ($0, try EstimatorRegistry.makePlane($0).conditionalInputForm) })
    #expect(forms.filter { $0.value == .difference }.keys.sorted() == ["adaptive-binning", "adaptive-kde", "cs", "kde", "renyi"])
  }

  @Test func aSingletonClassKeepsItsWeightAndContributesZero() throws {
    let (x, _, t) = try bitsTask(bits: 3, copies: 8)
    // Class 1 is sample 0 alone; class 0 holds the other 63, where T = X: H(X | Y = 0).
    let classes = (0..<x.rows).map { $0 == 0 ? 1 : 0 }
    var counts = [Int: Int]()
    for i in 1..<x.rows { counts[(0..<3).reduce(0) { $0 | (x[i, $1] > 0 ? 1 << $1 : 0) }, default: 0] += 1 }
    let h = -counts.values.reduce(0.0) { $0 + Double($1) / 63 * log2(Double($1) / 63) }
    let r = try rows(inputs: x, labels: .classes(classes, classCount: 2), layer: t, estimators: ["binning"])[0]
    #expect(abs(try #require(r.conditionalInputInformation) - 63.0 / 64 * h) < 1e-12)
  }

  @Test func regressionTargetsLeaveTheColumnEmpty() throws {
    let (x, _, t) = try gaussianTask(samples: 200, seed: 5)
    let targets = try Matrix<Float>((0..<x.rows).map { [x[$0, 0] + x[$0, 2]] })
    let r = try rows(inputs: x, labels: .targets(targets), layer: t, estimators: ["gaussian"])[0]
    #expect(r.conditionalInputInformation == nil && r.inputInformation > 0)
    let line = PlaneTable(metricNames: []).line(r)
    #expect(line.hasSuffix(",,,\n"), "\(line)")
  }

  @Test func theBootstrapFillsTheIntervalColumnsAndMergeKeepsThem() throws {
    let source = try PlaneFixtures.source(samples: 150, snapshots: 2)
    let estimators = try ["binning", "kde", "gaussian"].map(EstimatorRegistry.makePlane)
    var options = PlaneAnalysisOptions()
    options.bootstrapResamples = 8
    options.seed = 11
    let whole = try PlaneAnalysis(source: source, estimators: estimators, options: options).run()
    for r in whole {
      let ci = try #require(r.interval?.conditional, "\(r.key)")
      #expect(ci.lowerBound < ci.upperBound && ci.lowerBound.isFinite, "\(r.key)")
    }
    let dir = PlaneFixtures.temporaryDirectory()
    for i in 1...2 {
      var o = options
      o.shard = try PlaneShard(index: i, count: 2)
      _ = try PlaneAnalysis(source: source, estimators: estimators, options: o).run(directory: dir, resume: false)
    }
    let merged = try PlaneMerge.merge([dir]).rows
    #expect(PlaneFixtures.timeless(merged) == PlaneFixtures.timeless(whole))
  }

  @Test func aTableFromBeforeTheColumnIsRefusedByName() throws {
    let columns = PlaneTable.fixedColumns.prefix { $0 != "i_xt_given_y" }
    for extra in ["", ",loss"] {
      let text = columns.joined(separator: ",") + extra + "\n"
      #expect { try PlaneTable.parse(text, file: "old.csv") } throws: { "\($0)".contains("has no i_xt_given_y column") }
    }
  }

  @Test func anIntervalOfIXTGivenYWithoutAnIntervalIsRefused() throws {
    let r = PlaneRow(
      recording: "r", recordingFingerprint: "0123456789abcdef", epoch: 1, step: 2, layer: "h", layerIndex: 0, width: 3,
      estimator: "binning", params: "p", unit: .bits, inputInformation: 1, labelInformation: 0.5, n: 10, seconds: 0.5,
      conditionalInputInformation: 0.5)
    let table = PlaneTable(metricNames: [])
    #expect(try PlaneTable.parse(table.text([r]), file: "p.csv").rows == [r])
    let text = table.text([r]).replacingOccurrences(of: ",0.5,,,\n", with: ",0.5,0.1,0.2,\n")
    #expect(text != table.text([r]))
    #expect { try PlaneTable.parse(text, file: "p.csv") } throws: { "\($0)".contains("i_xt_given_y_ci_lo") }
  }
}
