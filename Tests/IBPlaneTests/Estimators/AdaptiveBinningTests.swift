import Foundation
import Testing

import IBPlane

@Suite struct AdaptiveBinningTests {
  func gaussianLayer(_ n: Int, _ d: Int, seed: UInt64) -> Matrix<Double> {
    RandomSource(seed: seed).normalMatrix(rows: n, columns: d)
  }

  @Test func edgesAtEveryUOverBthUniqueValue() {
    // U = 10 unique values (with repeats), B = 4: edges u[2], u[5], u[7].
    let values: [Double] = [9, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8]
    #expect(AdaptiveBinningEstimator.edges(of: values, bins: 4) == [2, 5, 7])
    // Fewer unique values than bins: repeated edges collapse.
    #expect(AdaptiveBinningEstimator.edges(of: [0, 0, 1], bins: 5) == [0, 1])
  }

  @Test func perUnitBinsHoldEqualMassWithoutTies() throws {
    let x = gaussianLayer(3000, 2, seed: 1)
    let codes = try AdaptiveBinningEstimator(bins: 30, mode: .perUnit).codes(x)
    for j in 0..<2 {
      var counts = [Int](repeating: 0, count: 30)
      for i in 0..<3000 { counts[Int(codes[i * 2 + j])] += 1 }
      #expect(counts.allSatisfy { $0 == 100 })
    }
  }

  @Test func perUnitIsInvariantToAMonotoneRescalingOfOneUnit() throws {
    let x = gaussianLayer(2000, 3, seed: 2)
    var y = x
    for i in 0..<x.rows { y[i, 1] = exp(3 * x[i, 1]) + 5 }  // strictly increasing map of unit 1
    let est = AdaptiveBinningEstimator(bins: 12, mode: .perUnit)
    #expect(try est.symbols(x) == est.symbols(y))
    // The per-layer pool is not invariant to a single-unit map …
    let layerEst = AdaptiveBinningEstimator(bins: 12, mode: .perLayer)
    #expect(try layerEst.symbols(x) != layerEst.symbols(y))
    // … but is invariant to one strictly increasing map of the whole layer.
    var z = x
    for k in 0..<z.elements.count { z.elements[k] = pow(x.elements[k], 3) + 2 * x.elements[k] }
    #expect(try layerEst.symbols(x) == layerEst.symbols(z))
  }

  @Test func lowerEdgeGivesValuesBelowItTheirOwnBin() throws {
    let x = Matrix<Double>(column: [-2, 0, 1, 2, 3, 4, 5, 6])
    let codes = try AdaptiveBinningEstimator(bins: 2, lowerEdge: 0).codes(x)
    // Unique values U = 8, edge u[4] = 3.
    #expect(codes == [-1, 0, 0, 0, 1, 1, 1, 1])
  }

  @Test func planePointAndNames() throws {
    let x = gaussianLayer(512, 2, seed: 4).converted(to: Float.self)
    let labels = Labels.classes((0..<512).map { $0 % 2 }, classCount: 2)
    let est = AdaptiveBinningEstimator(bins: 4, mode: .perUnit)
    let p = try est.point(layer: x, context: PlaneContext(inputs: nil, labels: labels))
    // 4 × 4 cells of nearly equal mass: I(X;T) = H(T) close to ln 16 and never above it.
    #expect(p.inputInformation.nats <= log(16.0) + 1e-12)
    #expect(p.inputInformation.nats > log(16.0) - 0.1)
    #expect(p.labelInformation.nats >= 0)
    #expect(est.name == "adaptive-binning")
    #expect(est.parameterDescription == "bins=4,mode=per-unit,lower=none,correction=plug-in")
  }
}
