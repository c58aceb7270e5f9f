import Foundation
import Testing
import IBPlane

@Suite struct CauchySchwarzDivergenceTests {
  typealias R = KernelReference

  static func directDivergence(_ p: Matrix<Double>, _ q: Matrix<Double>, sigma: Double) -> Double {
    func mean(_ k: [[Double]]) -> Double { k.reduce(0) { $0 + $1.reduce(0, +) } / Double(k.count * k[0].count) }
    return -2 * log(mean(R.gram(p, q, sigma: sigma))) + log(mean(R.gram(p, sigma: sigma))) + log(mean(R.gram(q, sigma: sigma)))
  }

  @Test(arguments: [32, 200, 1000])
  func tiledEqualsFullMatrix(tile: Int) throws {
    let rng = RandomSource(seed: 6)
    let p = rng.normalMatrix(rows: 700, columns: 3)
    var q = rng.normalMatrix(rows: 450, columns: 3)
    for i in 0..<450 { q[i, 0] += 1.5 }
    let e = try CauchySchwarzDivergence.divergence(
      p, q, width: .fixed(1.2), engine: TiledKernelSums(tileSize: tile, threads: 2))
    let ref = Self.directDivergence(p, q, sigma: 1.2)
    #expect(R.relativeError(e.nats, ref) < 1e-10)
    #expect(e.nats > 0.1)
    #expect(e.diagnostics["sigma"] == 1.2)
  }

  @Test func zeroForIdenticalSetsAndVanishingForSameDistribution() throws {
    let rng = RandomSource(seed: 7)
    let p = rng.normalMatrix(rows: 500, columns: 2)
    #expect(abs(try CauchySchwarzDivergence.divergence(p, p).nats) < 1e-12)
    // Independent clouds from one Gaussian: D_CS ≥ 0 and → 0 like 1/N.
    var values: [Double] = []
    for n in [250, 1000, 4000] {
      let a = RandomSource(seed: UInt64(n)).normalMatrix(rows: n, columns: 2)
      let b = RandomSource(seed: UInt64(n + 1)).normalMatrix(rows: n, columns: 2)
      let v = try CauchySchwarzDivergence.divergence(a, b, width: .fixed(1)).nats
      #expect(v >= 0)
      values.append(v)
    }
    #expect(values[2] < values[1] && values[1] < values[0])
    #expect(values[2] < 2e-3)
    // And grows with a mean shift.
    var last = 0.0
    for shift in [0.5, 1.0, 2.0] {
      var q = RandomSource(seed: 9).normalMatrix(rows: 1000, columns: 2)
      for i in 0..<1000 { q[i, 0] += shift }
      let v = try CauchySchwarzDivergence.divergence(p, q, width: .fixed(1)).nats
      #expect(v > last)
      last = v
    }
  }

  @Test func symmetricInItsArguments() throws {
    let rng = RandomSource(seed: 10)
    let p = rng.normalMatrix(rows: 300, columns: 2)
    let q = rng.normalMatrix(rows: 200, columns: 2).selectingColumns([1, 0])
    // The median rule over all 500 pooled rows does not depend on their order.
    let a = try CauchySchwarzDivergence.divergence(p, q, width: .median(subsample: 1000)).nats
    let b = try CauchySchwarzDivergence.divergence(q, p, width: .median(subsample: 1000)).nats
    #expect(R.relativeError(a, b) < 1e-12)
  }

  @Test func conditionalDivergenceEqualsFullMatrixAndVanishesForExactPredictions() throws {
    let n = 600
    let rng = RandomSource(seed: 11)
    let x = rng.normalMatrix(rows: n, columns: 2)
    var y = Matrix<Double>(rows: n, columns: 1)
    var yHat = Matrix<Double>(rows: n, columns: 1)
    for i in 0..<n {
      y[i, 0] = sin(x[i, 0]) + 0.1 * rng.normal()
      yHat[i, 0] = 0.8 * sin(x[i, 0]) + 0.2
    }
    let (sx, sy) = (0.7, 0.3)
    let e = try CauchySchwarzDivergence.conditionalDivergence(
      given: x, y, yHat, widthX: .fixed(sx), widthY: .fixed(sy), engine: TiledKernelSums(tileSize: 128, threads: 2))
    let k = R.gram(x, sigma: sx)
    let l1 = R.gram(y, sigma: sy), l2 = R.gram(yHat, sigma: sy)
    let l21 = R.gram(yHat, y, sigma: sy), l12 = R.gram(y, yHat, sigma: sy)
    func term(_ l: [[Double]]) -> Double {
      var s = 0.0
      for j in 0..<n {
        var num = 0.0, den = 0.0
        for i in 0..<n { num += k[j][i] * l[j][i]; den += k[j][i] }
        s += num / (den * den)
      }
      return s
    }
    let ref = log(term(l1)) + log(term(l2)) - log(term(l21)) - log(term(l12))
    #expect(R.relativeError(e.nats, ref) < 1e-10)
    #expect(e.nats > 0)
    let same = try CauchySchwarzDivergence.conditionalDivergence(given: x, y, y, widthX: .fixed(sx), widthY: .fixed(sy))
    #expect(abs(same.nats) < 1e-12)
  }

  @Test func refusesBadInput() throws {
    let p = RandomSource(seed: 1).normalMatrix(rows: 10, columns: 2)
    #expect(throws: EstimatorError.self) { try CauchySchwarzDivergence.divergence(p, p.selectingColumns([0])) }
    var bad = p
    bad[2, 0] = .infinity
    #expect(throws: EstimatorError.nonFinite(what: "Q", row: 2, column: 0)) { try CauchySchwarzDivergence.divergence(p, bad) }
  }
}
