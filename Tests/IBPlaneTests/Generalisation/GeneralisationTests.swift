import Foundation
import IBPlane
@testable import IBPlaneAnalysis
import IBPlaneTestSupport
import Testing

/// Spearman's ρ, final-snapshot selection, grouping by settings and the generalisation tables.
@Suite struct GeneralisationTests {
  // MARK: - Spearman

  @Test func spearmanMatchesScipyOnHandExamples() throws {
    // scipy.stats.spearmanr([1,2,3,4,5], [5,6,7,8,7]).statistic = 0.8207826816681233 (tie in y).
    let a = SpearmanCorrelation.correlation([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])
    let rhoA = try #require(a.rho)
    #expect(a.n == 5 && abs(rhoA - 0.8207826816681233) < 1e-14)
    // Ties in both: spearmanr([3,1,4,1,5,9,2,6], [2,7,1,8,2,8,1,8]).statistic = 0.19885368120992467.
    let b = SpearmanCorrelation.correlation([3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8])
    let rhoB = try #require(b.rho)
    #expect(b.n == 8 && abs(rhoB - 0.19885368120992467) < 1e-14)
    // Perfectly decreasing: −1 exactly, not −1 − ulp.
    #expect(SpearmanCorrelation.correlation([1, 2, 3], [30, 20, 10]).rho == -1)
    // scipy.stats.rankdata(..., method="average").
    #expect(SpearmanCorrelation.ranks([3, 1, 4, 1, 5, 9, 2, 6]) == [4, 1.5, 5, 1.5, 6, 8, 3, 7])
    #expect(SpearmanCorrelation.ranks([2, 7, 1, 8, 2, 8, 1, 8]) == [3.5, 5, 1.5, 7, 3.5, 7, 1.5, 7])
  }

  @Test func spearmanIsUndefinedWithAReasonForConstantColumnsAndTooFewPairs() {
    let constant = SpearmanCorrelation.correlation([1, 2, 3, 4], [0.1, 0.1, 0.1, 0.1], xName: "I", yName: "the gap")
    #expect(constant.rho == nil && constant.n == 4 && constant.reason == "the gap is the same in every run")
    let constantX = SpearmanCorrelation.correlation([2, 2, 2], [1, 2, 3], xName: "I(X;T|Y)")
    #expect(constantX.rho == nil && constantX.reason?.hasPrefix("I(X;T|Y)") == true)
    // A NaN drops its pair: 2 pairs left, too few.
    let few = SpearmanCorrelation.correlation([1, .nan, 3], [1, 2, 3])
    #expect(few.rho == nil && few.n == 2 && few.reason?.contains("fewer than 3") == true)
  }

  @Test(.requires(.numpy, .scipy)) func spearmanMatchesScipyOnRandomDataWithTies() throws {
    // Deterministic data with many ties: values k mod 5 and (7k mod 11) mod 4.
    let x = (0..<23).map { Double(($0 * 3) % 5) }, y = (0..<23).map { Double((($0 * 7) % 11) % 4) }
    let out = try Oracles.run(
      "import sys, json; from scipy.stats import spearmanr; x, y = json.loads(sys.argv[1]); print(repr(float(spearmanr(x, y).statistic)))",
      arguments: [String(decoding: try JSONSerialization.data(withJSONObject: [x, y]), as: UTF8.self)])
    let expected = try #require(Double(out))
    let rho = try #require(SpearmanCorrelation.correlation(x, y).rho)
    #expect(abs(rho - expected) < 1e-13)
  }

  // MARK: - Study

  static let estimators = [PlaneManifest.EstimatorSpec(name: "binning", params: "bins=30")]

  static func manifest(_ run: [String: String], unit: InformationUnit = .bits, estimators: [PlaneManifest.EstimatorSpec] = estimators) -> PlaneManifest {
    PlaneManifest(
      recording: "r", recordingFingerprint: "0", run: run, sampleCount: 100, layers: [], analysedLayers: [0, 1], epochs: "all",
      estimators: estimators, unit: unit, bootstrapResamples: 0, confidenceLevel: 0.95, seed: 0, shardIndex: 1, shardCount: 1,
      jobCount: 0, totalJobCount: 0, metricNames: [], ibplaneVersion: "test")
  }

  /// Rows of one run: two epochs (0 and `last`) × two layers; the metrics at `last` give gap `gap`.
  static func rows(_ recording: String, last: Int = 10, gap: Double, cond: [Double], metrics: Bool = true) -> [PlaneRow] {
    [0, last].flatMap { epoch in
      (0..<2).map { layer in
        PlaneRow(
          recording: recording, epoch: epoch, step: epoch * 4, layer: "hidden\(layer + 1)", layerIndex: layer, width: 3,
          estimator: "binning", params: "bins=30", unit: .bits, inputInformation: epoch == last ? cond[layer] + 1 : 9,
          labelInformation: 1, n: 100, seconds: 0,
          metrics: !metrics ? ["loss": 0.3] : epoch == last
            ? ["train_accuracy": 0.9, "test_accuracy": 0.9 - gap, "loss": 0.2, "test_loss": 0.2 + 2 * gap]
            : ["train_accuracy": 0.5, "test_accuracy": 0.5, "loss": 0.7, "test_loss": 0.7],
          conditionalInputInformation: epoch == last ? cond[layer] : 99)
      }
    }
  }

  static func inputs() -> [Generalisation.Input] {
    let a = ["l2": "0.0", "seed": "1", "epochs": "10", "dataset": "ib12", "trainer": "ibplane 0.1.0"]
    var b = a
    b["l2"] = "0.001"
    b["trainer"] = "ibplane 0.2.0"  // differs, but is not a setting
    return [
      Generalisation.Input(
        directory: "A", manifest: manifest(a),
        rows: rows("seed-1", gap: 0.05, cond: [1, 5]) + rows("seed-2", last: 12, gap: 0.10, cond: [2, 5])),
      Generalisation.Input(directory: "B", manifest: manifest(b), rows: rows("seed-3", gap: 0.20, cond: [3, 5])),
    ]
  }

  @Test func finalSnapshotGapsAndSettingLabels() throws {
    let s = try Generalisation.study(Self.inputs())
    #expect(s.settingKeys == ["l2"])
    #expect(s.runs.map(\.setting) == ["l2=0.0", "l2=0.0", "l2=0.001"])
    #expect(s.runs.map(\.seed) == ["1", "2", "3"])  // from the recording names
    #expect(s.runs.map(\.epoch) == [10, 12, 10])  // the largest epoch of each run
    #expect(s.runs.map(\.accuracyGap).enumerated().allSatisfy { abs($0.element - [0.05, 0.10, 0.20][$0.offset]) < 1e-12 })
    #expect(abs(s.runs[2].lossGap - 0.4) < 1e-12)
    // Only the final snapshot: no 99 (epoch 0's I(X;T|Y)) anywhere.
    #expect(s.rows.count == 3 * 2 && s.rows.allSatisfy { $0.conditionalInputInformation != 99 })
    let h1 = try #require(s.correlations.first { $0.layer == "hidden1" })
    #expect(h1.accuracyGap.n == 3 && h1.accuracyGap.rho == 1 && h1.lossGap.rho == 1)
    // hidden2's I(X;T|Y) is 5 in every run: undefined, with the reason.
    let h2 = try #require(s.correlations.first { $0.layer == "hidden2" })
    #expect(h2.accuracyGap.rho == nil && h2.accuracyGap.reason == "I(X;T|Y) is the same in every run")
  }

  @Test func onlySeedsDifferingGivesAnEmptyLabelAndTheManifestSeedForSingleRecordings() throws {
    let inputs = (1...3).map { k in
      Generalisation.Input(
        directory: "D\(k)", manifest: Self.manifest(["seed": "\(k + 10)", "l2": "0.0"]),
        rows: Self.rows("run", gap: Double(k) / 10, cond: [Double(k), 1]))
    }
    let s = try Generalisation.study(inputs)
    #expect(s.settingKeys.isEmpty && s.runs.allSatisfy { $0.setting == "" })
    #expect(s.runs.map(\.seed) == ["11", "12", "13"])
  }

  @Test func csvTablesHaveOneLinePerRunLayerEstimatorAndNotesForUndefinedRho() throws {
    let s = try Generalisation.study(Self.inputs())
    let rows = try CSVTable.records(Generalisation.rowsCSV(s), file: "g").records
    #expect(rows[0] == Generalisation.rowHeader && rows.count == 1 + 6)
    let first = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
    #expect(first["recording"] == "seed-1" && first["setting"] == "l2=0.0" && first["epoch"] == "10")
    #expect(first["i_xt_given_y"] == "1.0" && first["i_xt"] == "2.0" && first["layer"] == "hidden1")
    let corr = try CSVTable.records(Generalisation.correlationCSV(s), file: "c").records
    #expect(corr[0] == Generalisation.correlationHeader && corr.count == 3)
    #expect(corr[1][5] == "1.0" && corr[2][5] == "" && corr[2].last?.contains("same in every run") == true)
  }

  @Test func badInputsAreRefusedNamingTheFile() throws {
    var inputs = Self.inputs()
    inputs[1].rows = Self.rows("seed-3", gap: 0.2, cond: [3, 5], metrics: false)
    #expect { try Generalisation.study(inputs) } throws: {
      let e = $0 as? CSVError
      return e?.file == "B/plane.csv" && e?.field == "train_accuracy" && e?.message.contains("test split") == true
    }
    inputs = Self.inputs()
    inputs[1].manifest.unit = .nats
    #expect { try Generalisation.study(inputs) } throws: { ($0 as? CSVError)?.field == "unit" }
    inputs = Self.inputs()
    inputs[1].manifest.estimators = [PlaneManifest.EstimatorSpec(name: "kde", params: "sigma2=0.1")]
    #expect { try Generalisation.study(inputs) } throws: { ($0 as? CSVError).map { $0.field == "estimators" && $0.file == "B/plane.json" } ?? false }
    let missing = try Scratch.directory("generalisation-missing")
    #expect { try Generalisation.read([missing]) } throws: { ($0 as? CSVError)?.message.hasPrefix("missing") == true }
  }
}
