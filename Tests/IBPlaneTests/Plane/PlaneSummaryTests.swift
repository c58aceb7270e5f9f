import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Across-run statistics, the summary and compression tables, against values computed by hand.
@Suite struct PlaneSummaryTests {
  static func row(_ recording: String, epoch: Int, layer: Int = 0, ixt: Double, ity: Double, loss: Double? = nil) -> PlaneRow {
    PlaneRow(
      recording: recording, recordingFingerprint: String(repeating: recording.last.map(String.init) ?? "0", count: 16),
      epoch: epoch, step: 10 * epoch, layer: "h\(layer)", layerIndex: layer, width: 3, estimator: "e", params: "p=1",
      unit: .bits, inputInformation: ixt, labelInformation: ity, n: 100, seconds: 0.5,
      metrics: loss.map { ["loss": $0] } ?? [:])
  }

  @Test func statisticsFollowNumpyLinearQuantilesAndSampleSD() throws {
    // numpy: np.quantile([1,2,3,4,10], [.05,.5,.95]) = [1.2, 3.0, 8.8]; np.std(ddof=1) = sqrt(12.5).
    let s = try #require(AcrossRunStatistics([10, 2, 4, 1, 3]))
    #expect(s.count == 5 && s.mean == 4 && s.min == 1 && s.max == 10)
    #expect(abs(s.sd! - 12.5.squareRoot()) < 1e-12)
    #expect(abs(s.q05 - 1.2) < 1e-12 && s.q50 == 3 && abs(s.q95 - 8.8) < 1e-12)
    // Two values: np.quantile([0, 1], .05) = 0.05; one value: sd undefined; NaN left out.
    let two = try #require(AcrossRunStatistics([1, .nan, 0]))
    #expect(two.count == 2 && abs(two.q05 - 0.05) < 1e-15 && abs(two.q95 - 0.95) < 1e-15 && two.q50 == 0.5)
    #expect(AcrossRunStatistics([7])?.sd == nil && AcrossRunStatistics([7])?.q95 == 7)
    #expect(AcrossRunStatistics([]) == nil && AcrossRunStatistics([.nan]) == nil)
  }

  @Test func summaryGroupsByEpochLayerEstimatorOverEveryValueColumn() throws {
    let rows = [
      Self.row("r1", epoch: 0, ixt: 1, ity: 0.5, loss: 0.9), Self.row("r2", epoch: 0, ixt: 2, ity: 0.7, loss: 0.7),
      Self.row("r3", epoch: 0, ixt: 6, ity: 0.6, loss: 0.8), Self.row("r1", epoch: 5, ixt: 4, ity: 0.9),
    ]
    let summary = PlaneSummary.rows(rows)
    let ixt0 = try #require(summary.first { $0.epoch == 0 && $0.quantity == "i_xt" })
    #expect(ixt0.statistics.count == 3 && ixt0.statistics.mean == 3)
    #expect(abs(ixt0.statistics.sd! - 7.0.squareRoot()) < 1e-12)  // ((4 + 1 + 9) / 2)
    #expect(abs(ixt0.statistics.q05 - 1.1) < 1e-12 && ixt0.statistics.q50 == 2 && abs(ixt0.statistics.q95 - 5.6) < 1e-12)
    let loss = try #require(summary.first { $0.epoch == 0 && $0.quantity == "loss" })
    #expect(abs(loss.statistics.mean - 0.8) < 1e-12 && loss.statistics.count == 3)
    // Epoch 5 has one run: count 1, empty sd; no loss there. Bookkeeping columns are not values.
    #expect(summary.filter { $0.epoch == 5 }.map(\.quantity) == ["i_xt", "i_ty"])
    #expect(!summary.contains { ["seconds", "n", "width", "step"].contains($0.quantity) })
    let csv = PlaneSummary.csv(rows).split(separator: "\n")
    #expect(csv[0] == "epoch,layer,layer_index,estimator,params,unit,quantity,count,mean,sd,min,q05,q50,q95,max")
    #expect(csv.contains("5,h0,0,e,p=1,bits,i_xt,1,4.0,,4.0,4.0,4.0,4.0,4.0"))
  }

  @Test func compressionTableOnAHandMadeTable() throws {
    // Run A: I(X;T) 1, 3, 2 → peak 3 at epoch 10, final 2, drop 33.3 %.
    // Run B: 2, 4, 4 → peak 4 at epoch 10 (the first epoch reaching it), final 4, drop 0 %.
    let rows = zip([1.0, 3, 2], [0, 10, 20]).map { Self.row("rA", epoch: $1, ixt: $0, ity: 0.1) }
      + zip([2.0, 4, 4], [0, 10, 20]).map { Self.row("rB", epoch: $1, ixt: $0, ity: 0.1) }
    let table = PlaneCompression.rows(rows)
    #expect(table.count == 1)
    let r = try #require(table.first)
    #expect(r.runs == 2 && r.layer == "h0")
    #expect(r.peak?.mean == 3.5 && abs(r.peak!.sd! - 0.5.squareRoot()) < 1e-12 && r.peak?.min == 3 && r.peak?.max == 4)
    #expect(r.peakEpoch?.mean == 10 && r.peakEpoch?.sd == 0)
    #expect(r.final?.mean == 3 && r.final?.min == 2 && r.final?.max == 4)
    #expect(abs(r.dropPercent!.mean - 100.0 / 6) < 1e-12 && abs(r.dropPercent!.max - 100.0 / 3) < 1e-12 && r.dropPercent?.min == 0)
    let csv = PlaneCompression.csv(rows).split(separator: "\n")
    #expect(csv.count == 2 && csv[0].hasPrefix("estimator,params,layer,layer_index,unit,runs,peak_i_xt_mean,peak_i_xt_sd"))
    #expect(csv[1].hasPrefix("e,p=1,h0,0,bits,2,3.5,"))
  }
}
