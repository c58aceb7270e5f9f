import Foundation
import Testing
import IBPlane
@testable import IBPlaneNumerics

/// The single-precision matrix-free kernel product (`gaussianProductSingle`, SLQ above the
/// stored-Gram limit) against the Double one (`gaussianProduct`) on the same data: every
/// entry within 2e-6 of Σ_j s·K_ij |X_jc| (the error scale of Float kernel values and Float
/// dot products of tile length), for several tile sizes; bit-identical for any thread count.
@Suite struct TiledProductTests {
  static func data(n: Int) -> (Matrix<Double>, Matrix<Double>, [Double]) {
    let rng = RandomSource(seed: 23)
    let a = rng.normalMatrix(rows: n, columns: 6)
    let b = rng.normalMatrix(rows: n, columns: 3)
    let x = (0..<(n * 7)).map { _ in rng.normal() }
    return (a, b, x)
  }

  @Test(arguments: [64, 300, 512])
  func singleMatchesDoubleWithinTheStatedBound(tile: Int) throws {
    let n = 1_100
    let w = 7
    let (a, b, x) = Self.data(n: n)
    let gammas = [0.15, 0.6]
    let s = 1 / Double(n)
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    let plansD = [_DistancePlan(rows: a, columns: a), _DistancePlan(rows: b, columns: b)]
    let plansF = try _KernelExponentPlan(views: [(a, gammas[0]), (b, gammas[1])])
    var reference = [Double](repeating: 0, count: n * w)
    var scale = [Double](repeating: 0, count: n * w)
    var single = [Double](repeating: 0, count: n * w)
    let absX = x.map { abs($0) }
    try x.withUnsafeBufferPointer { xp in
      try reference.withUnsafeMutableBufferPointer { try engine.gaussianProduct(plansD, gammas: gammas, scale: s, xp, width: w, into: $0) }
      try single.withUnsafeMutableBufferPointer { try engine.gaussianProductSingle(plansF, scale: s, xp, width: w, into: $0) }
    }
    try absX.withUnsafeBufferPointer { xp in
      try scale.withUnsafeMutableBufferPointer { try engine.gaussianProduct(plansD, gammas: gammas, scale: s, xp, width: w, into: $0) }
    }
    var worst = 0.0
    for e in 0..<(n * w) { worst = max(worst, abs(single[e] - reference[e]) / scale[e]) }
    #expect(worst < 2e-6, "tile \(tile): worst relative error \(worst)")
    #expect(worst > 0, "single precision must differ somewhere from the Double product")
    // The thread count changes nothing.
    var one = [Double](repeating: 0, count: n * w)
    try x.withUnsafeBufferPointer { xp in
      try one.withUnsafeMutableBufferPointer {
        try TiledKernelSums(tileSize: tile, threads: 1).gaussianProductSingle(plansF, scale: s, xp, width: w, into: $0)
      }
    }
    #expect(one == single)
  }

  /// Far-apart points: kernel values below expf's range are 0 (flushed), never NaN or
  /// subnormal noise, and the near ones are still right — to the exponent's Float rounding,
  /// which here is large: the clusters sit 20 from the mean, a = γ‖x − x̄‖² = 200, and
  /// u_i·u_j − a_i − a_j cancels 400 to ~0 (measured 1.2e-5 relative; bound 3e-5).
  @Test func farPointsGiveZeroNotNaN() throws {
    // Two clusters 40 apart in 1-d: γD ≈ 0.5·1600 = 800 between them.
    let n = 40
    let values = (0..<n).map { i in (i < n / 2 ? 0.0 : 40.0) + 0.01 * Double(i % 7) }
    let a = try Matrix<Float>(rows: n, columns: 1, elements: values.map { Float($0) })
    let plan = try _KernelExponentPlan(views: [(a, 0.5)])
    let x = (0..<n).map { $0 < n / 2 ? 1.0 : 0.0 }
    var y = [Double](repeating: .nan, count: n)
    try x.withUnsafeBufferPointer { xp in
      try y.withUnsafeMutableBufferPointer {
        try TiledKernelSums(tileSize: 16, threads: 1).gaussianProductSingle(plan, scale: 1, xp, width: 1, into: $0)
      }
    }
    for i in 0..<n {
      if i < n / 2 {
        var expected = 0.0
        for j in 0..<(n / 2) { let d = values[i] - values[j]; expected += exp(-0.5 * d * d) }
        #expect(abs(y[i] - expected) < 3e-5 * expected)
      } else {
        #expect(y[i] == 0)
      }
    }
  }
}
