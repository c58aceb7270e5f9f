import Foundation
import Testing

import IBPlane

@Suite struct BinningTests {
  @Test func idnnsEdgesAreFloat32Linspace() {
    let e = BinningConvention.idnnsEdges(bins: 5)
    #expect(e == [-1, -0.5, 0, 0.5, 1])
    let e30 = BinningConvention.idnnsEdges(bins: 30)
    #expect(e30.count == 30 && e30.first == -1 && e30.last == 1)
    #expect(e30[7] == Double(Float(7 * (2.0 / 29) - 1)))
  }

  @Test func idnnsQuirksOnHandMadeActivations() throws {
    let values: [Float] = [
      -1, -0.5, 0, 0.5,  // exactly on edges: the bin starting at that edge
      Float(-0.5).nextDown,  // just below an edge: the previous bin
      0.999, 1, 1.7,  // ≥ 1 all share the last edge's bin; 0.999 is one below
      -1.3, -7,  // below −1: digitize = 0 → index −1 → numpy wraps to the last edge
    ]
    let codes = try BinningConvention.idnns(bins: 5).codes(Matrix(column: values))
    #expect(codes == [0, 1, 2, 3, 0, 3, 4, 4, 4, 4])
    // On the 30-bin grid, a float32 value exactly on edge 7 is in bin 7, its predecessor in 6.
    let e7 = Float(BinningConvention.idnnsEdges(bins: 30)[7])
    #expect(try BinningConvention.idnns(bins: 30).codes(Matrix(column: [e7, e7.nextDown])) == [7, 6])
    // The quirk changes entropies: {−1.3, 1.2} is one symbol, so H = 0.
    let est = BinningEstimator(convention: .idnns(bins: 30))
    let x = Matrix<Float>(column: [-1.3, 1.2, -1.3, 1.2])
    #expect(try est.estimate(x, Matrix(column: [0, 1, 0, 1])).nats == 0)
  }

  @Test func floorConventionWorksInTheActivationPrecision() throws {
    let codes = try BinningConvention.floor(binSize: 0.07).codes(Matrix<Float>(column: [-0.01, 0, 0.069, 0.07, 0.14, -0.07]))
    #expect(codes == [-1, 0, 0, 1, 2, -1])
    #expect(throws: EstimatorError.self) {
      try BinningConvention.floor(binSize: 1e-30).codes(Matrix<Float>(column: [1e10]))
    }
  }

  @Test func rangeConventionSpansTheLayer() throws {
    let codes = try BinningConvention.range(bins: 4).codes(Matrix<Double>(column: [2, 3, 4, 5, 6]))
    #expect(codes == [0, 1, 2, 3, 3])  // the maximum goes to the last bin
    #expect(try BinningConvention.range(bins: 4).codes(Matrix<Double>(column: [3, 3])) == [0, 0])
  }

  @Test func badParametersAreRejected() {
    #expect(throws: EstimatorError.self) { try BinningConvention(name: "sturges") }
    #expect(throws: EstimatorError.self) { try BinningConvention(name: "idnns", bins: 1) }
    #expect(throws: EstimatorError.self) { try BinningConvention(name: "floor", binSize: -1) }
    #expect(throws: EstimatorError.self) {
      try BinningEstimator().estimate(Matrix<Float>(column: [0, .nan]), Matrix(column: [0, 1]))
    }
  }

  @Test func quantisedGaussianEntropyMatchesExactDiscreteEntropy() throws {
    // T = floor(X/Δ) for X ~ N(0,1): p_k = Φ((k+1)Δ) − Φ(kΔ); H = −Σ p_k ln p_k, ≈ ½ln(2πe) − ln Δ.
    let delta = 0.5
    let n = 200_000
    let rng = RandomSource(seed: 21)
    let x = Matrix<Double>(column: (0..<n).map { _ in rng.normal() })
    var exact = 0.0
    for k in -20..<20 {
      let p = SpecialFunctions.normalCDF(Double(k + 1) * delta) - SpecialFunctions.normalCDF(Double(k) * delta)
      if p > 0 { exact -= p * log(p) }
    }
    // B = X binned like X: Î(T;T) = Ĥ(T) (a discrete B would refuse X's N distinct values).
    let e = try BinningEstimator(convention: .floor(binSize: delta), second: .binned).estimate(x, x)
    // sd of Ĥ ≈ √(Var[ln p]/n) ≈ 0.002; plug-in bias ≈ −(K−1)/2n ≈ −5e-5.
    #expect(abs(e.nats - exact) < 0.01)
    #expect(abs(exact - (0.5 * log(2 * Double.pi * M_E) - log(delta))) < 0.02)
  }

  @Test func planeUsesDistinctInputsOrJointCounts() throws {
    let layer = try Matrix<Float>([[-0.9], [-0.9], [0.1], [0.1], [0.9], [0.9], [0.9], [0.9]])
    let labels = Labels.classes([0, 0, 0, 1, 1, 1, 1, 1], classCount: 2)
    let est = BinningEstimator(convention: .idnns(bins: 5))
    // Without inputs: I(X;T) = H(T) = H(¼, ¼, ½).
    let h = 1.5 * log(2.0)
    let p = try est.point(layer: layer, context: PlaneContext(inputs: nil, labels: labels))
    #expect(abs(p.inputInformation.nats - h) < 1e-12)
    // I(T;Y) = H(T) − [3/8·H(⅔,⅓) + 5/8·H(⅕,⅘)].
    let hb = { (q: Double) in -(q * log(q) + (1 - q) * log(1 - q)) }
    #expect(abs(p.labelInformation.nats - (h - 3.0 / 8 * hb(1.0 / 3) - 5.0 / 8 * hb(1.0 / 5))) < 1e-12)
    // Inputs repeated in pairs, T constant on each input pair except the last two: joint counts.
    let inputs = try Matrix<Float>([[0], [0], [1], [1], [2], [2], [3], [3]])
    let q = try est.point(layer: layer, context: PlaneContext(inputs: inputs, labels: labels))
    #expect(abs(q.inputInformation.nats - h) < 1e-12)  // T is a function of X
    let inputsCoarse = try Matrix<Float>([[0], [0], [0], [0], [1], [1], [1], [1]])
    let r = try est.point(layer: layer, context: PlaneContext(inputs: inputsCoarse, labels: labels))
    #expect(abs(r.inputInformation.nats - log(2.0)) < 1e-12)  // T determines X here
    #expect(p.inputInformation.diagnostics["bins_occupied"] == 3)
    #expect(est.name == "binning" && est.parameterDescription == "convention=idnns,bins=5,correction=plug-in")
  }

  @Test func regressionLabelsAreRefusedForLabelInformation() throws {
    let ctx = try PlaneContext(inputs: nil, labels: .targets(Matrix<Float>(column: [0, 1])))
    #expect(throws: EstimatorError.self) {
      try BinningEstimator().point(layer: Matrix<Float>(column: [0, 1]), context: ctx)
    }
  }
}
