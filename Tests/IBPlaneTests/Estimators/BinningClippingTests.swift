import Foundation
import Testing

import IBPlane

/// The default binning never clips (`auto`), and every binning estimate says how much of the
/// layer fell outside its edges (`clipped_fraction`).
@Suite struct BinningClippingTests {
  /// N samples × 4 units; a ReLU-like layer with values in [0, 5].
  static func reluLayer(samples n: Int = 400, seed: UInt64 = 3) -> Matrix<Float> {
    let rng = RandomSource(seed: seed)
    var m = Matrix<Float>(rows: n, columns: 4)
    for k in m.elements.indices { m.elements[k] = Float(max(0, min(5, 2 * rng.normal()))) }
    return m
  }

  static func context(samples n: Int) throws -> PlaneContext {
    try PlaneContext(inputs: nil, labels: .classes((0..<n).map { ($0 * 7 / 3) % 3 }, classCount: 3))
  }

  @Test func defaultIsAutoAndAutoWidensTheIDNNsGrid() throws {
    #expect(BinningEstimator().convention == .auto(bins: 30))
    #expect((try EstimatorRegistry.makePlane("binning") as? BinningEstimator)?.convention == .auto(bins: 30))
    // Layer in [0, 5]: edges linspace(−1, 5, 7) = −1, 0, …, 5; a value goes to the greatest edge ≤ it.
    let values: [Float] = [0, 0.5, 1, 1.99, 2, 4.9, 5]
    #expect(try BinningConvention.auto(bins: 7).codes(Matrix(column: values)) == [1, 1, 2, 2, 3, 5, 6])
    // Below −1 too: [−3, 3] with 7 edges, step 1.
    #expect(try BinningConvention.auto(bins: 7).codes(Matrix<Float>(column: [-3, -2.5, 0, 3])) == [0, 0, 3, 6])
    // Inside [−1, 1], including the edges: exactly the IDNNs codes.
    let inside: [Float] = [-1, -0.5, 0, 0.5, Float(-0.5).nextDown, 0.999, 1]
    #expect(try BinningConvention.auto(bins: 5).codes(Matrix(column: inside)) == BinningConvention.idnns(bins: 5).codes(Matrix(column: inside)))
    // Extreme values do not overflow the span into NaN.
    let huge = try BinningConvention.auto(bins: 4).codes(Matrix<Double>(column: [-1.7e308, 0, 1.7e308]))
    #expect(huge == [0, 1, 3])
  }

  @Test func reluLayerIsNotClippedByDefaultAndDiffersFromIDNNs() throws {
    let layer = Self.reluLayer()
    let context = try Self.context(samples: layer.rows)
    let auto = try BinningEstimator().point(layer: layer, context: context)
    let idnns = try BinningEstimator(convention: .idnns(bins: 30)).point(layer: layer, context: context)
    #expect(auto.inputInformation.diagnostics["clipped_fraction"] == 0)
    #expect(auto.inputInformation.diagnostics["bin_low"] == -1 && auto.inputInformation.diagnostics["bin_high"] == 5)
    let clipped = Double(layer.elements.filter { $0 > 1 }.count) / Double(layer.elements.count)
    #expect(clipped > 0.2)  // ≈ P(2Z > 1) = 31 %
    #expect(idnns.inputInformation.diagnostics["clipped_fraction"] == clipped)
    #expect(idnns.labelInformation.diagnostics["clipped_fraction"] == clipped)
    // Clipping merges a third of the values into one bin: fewer symbols, less information.
    #expect(auto.inputInformation.nats > idnns.inputInformation.nats)
    #expect(auto.inputInformation.diagnostics["bins_occupied"]! > idnns.inputInformation.diagnostics["bins_occupied"]!)
  }

  @Test func idnnsReportsItsClippedFractionExactly() throws {
    // 8 rows × 2 units = 16 values: 3 above 1, 1 below −1, ±1 themselves are on the edges.
    let layer = try Matrix<Float>([[0.2, 1.5], [-1, 1], [3, 0], [0.9, -0.9], [-1.01, 0.1], [0.4, 0.5], [7, -0.2], [0.3, 0.6]])
    let est = BinningEstimator(convention: .idnns(bins: 30))
    let p = try est.point(layer: layer, context: try Self.context(samples: 8))
    #expect(p.inputInformation.diagnostics["clipped_fraction"] == 0.25)
    #expect(try est.estimate(layer, Matrix<Float>(column: [0, 1, 0, 1, 0, 1, 0, 1])).diagnostics["clipped_fraction"] == 0.25)
    for c in [BinningConvention.auto(bins: 30), .range(bins: 30), .floor(binSize: 0.07)] {
      #expect(c.diagnostics(layer)["clipped_fraction"] == 0)
    }
  }

  @Test func tanhLayerUnderTheDefaultEqualsIDNNsBitForBit() throws {
    let source = try PlaneFixtures.source(samples: 300, snapshots: 4)
    let context = try source.makePlaneContext()
    for s in source.snapshots.indices {
      for j in source.layers.indices {
        let layer = try source.layer(j, snapshot: s)
        let auto = try BinningEstimator().point(layer: layer, context: context)
        let idnns = try BinningEstimator(convention: .idnns(bins: 30)).point(layer: layer, context: context)
        #expect(auto.inputInformation.nats.bitPattern == idnns.inputInformation.nats.bitPattern)
        #expect(auto.labelInformation.nats.bitPattern == idnns.labelInformation.nats.bitPattern)
        #expect(idnns.inputInformation.diagnostics["clipped_fraction"] == 0)
        #expect(try BinningConvention.auto(bins: 30).codes(layer) == BinningConvention.idnns(bins: 30).codes(layer))
      }
    }
  }

  @Test func autoRoundTripsThroughTheRegistry() throws {
    let e = try EstimatorRegistry.makePlane("binning")
    #expect(EstimatorRegistry.label(of: e) == "binning")
    #expect(EstimatorRegistry.parameters(of: e) == "convention=auto,bins=30,correction=plug-in")
    let idnns = try EstimatorRegistry.makePlane("binning:convention=idnns")
    #expect(EstimatorRegistry.label(of: idnns) == "binning:convention=idnns")
    let again = try EstimatorRegistry.makePlane(EstimatorRegistry.reproducing(label: "binning", params: EstimatorRegistry.parameters(of: e)))
    #expect((again as? BinningEstimator)?.convention == .auto(bins: 30))
    #expect(EstimatorRegistry.parameters(of: again) == EstimatorRegistry.parameters(of: e))
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("binning:convention=auto,bins=1") }
  }
}
