import Foundation
import Testing

import IBPlane

@Suite struct DiscreteEntropyTests {
  @Test func entropyFromCountsMatchesClosedForm() {
    // Counts 1,1,2 of n = 4: H = −(2·¼ ln ¼ + ½ ln ½) = 1.5 ln 2; Miller–Madow adds (3 − 1)/(2·4).
    let v = DiscreteEntropy.entropy(counts: [1, 0, 1, 2])
    #expect(abs(v.plugInNats - 1.5 * log(2.0)) < 1e-15)
    #expect(abs(v.millerMadowNats - (1.5 * log(2.0) + 0.25)) < 1e-15)
    #expect(v.occupied == 3 && v.samples == 4)
    #expect(DiscreteEntropy.entropy(counts: [7]).plugInNats == 0)
  }

  @Test func packedAndRowKeyedSymbolsAgree() {
    // Width 40 with codes up to 2³⁰ cannot be packed in 64 bits: the row-keyed path must give
    // the same partition as the packed path on the same rows scaled down.
    let rng = RandomSource(seed: 11)
    let rows = 300
    let width = 40
    var small = [Int32](repeating: 0, count: rows * width)
    for i in 0..<rows {
      let pattern = rng.integer(below: 17)
      for j in 0..<width { small[i * width + j] = Int32((pattern >> (j % 5)) & 1) }
    }
    let large = small.map { $0 * (1 << 30) - 7 }
    let a = DiscreteEntropy.symbols(codes: small, rows: rows, width: width)
    let b = DiscreteEntropy.symbols(codes: large, rows: rows, width: width)
    #expect(a == b)
    #expect(a.count <= 17)
  }

  @Test func deterministicFunctionGivesItsEntropyExactly() throws {
    // I(X; f(X)) = H(f(X)) for f(x) = x mod 3 on X uniform over 0…9.
    let rng = RandomSource(seed: 3)
    let n = 5000
    let x = (0..<n).map { _ in Double(rng.integer(below: 10)) }
    let fx = x.map { Double(Int($0) % 3) + 0.5 }  // +0.5: binned by floor(·/1) into bin x mod 3
    var counts = [0, 0, 0]
    for v in fx { counts[Int(v)] += 1 }
    let h = counts.reduce(0.0) { $0 - Double($1) / Double(n) * log(Double($1) / Double(n)) }
    let e = try BinningEstimator(convention: .floor(binSize: 1)).estimate(
      Matrix(column: fx), Matrix(column: x))
    #expect(abs(e.nats - h) < 1e-12)
    #expect(e.diagnostics["bins_occupied"] == 3)
    #expect(e.diagnostics["symbols_other"] == 10)
  }

  @Test func independentVariablesShowPlugInBiasThatMillerMadowShrinks() {
    // Plug-in Î of independent A (4 values) and B (5 values) is biased up by ≈ (4−1)(5−1)/(2n).
    let n = 2000
    var plugIn = 0.0
    var corrected = 0.0
    let reps = 40
    for r in 0..<reps {
      let rng = RandomSource(seed: UInt64(100 + r))
      let a = (0..<n).map { _ in rng.integer(below: 4) }
      let b = (0..<n).map { _ in rng.integer(below: 5) }
      let mi = DiscreteEntropy.mutualInformation(
        DiscreteSymbols(classes: a, classCount: 4), DiscreteSymbols(classes: b, classCount: 5))
      plugIn += mi.plugInNats / Double(reps)
      corrected += mi.millerMadowNats / Double(reps)
    }
    let bias = 12.0 / (2.0 * Double(n))
    // Mean of 40 replicates: sd of the mean ≈ bias·√2/√40 ≈ 0.22·bias, so ±50 % is > 2 sd.
    #expect(abs(plugIn - bias) < 0.5 * bias)
    #expect(abs(corrected) < 0.5 * abs(plugIn))
  }

  @Test func binarySymmetricChannelMatchesLog2MinusBinaryEntropy() {
    // X uniform bit, Y = X ⊕ Bernoulli(p): I = ln 2 − h(p) nats.
    let p = 0.1
    let n = 100_000
    let rng = RandomSource(seed: 5)
    let x = (0..<n).map { _ in rng.integer(below: 2) }
    let y = x.map { $0 ^ rng.bernoulli(p) }
    let mi = DiscreteEntropy.mutualInformation(
      DiscreteSymbols(classes: x, classCount: 2), DiscreteSymbols(classes: y, classCount: 2))
    let exact = log(2.0) + p * log(p) + (1 - p) * log(1 - p)
    // Sampling sd of Î ≈ √(Var[log p(x,y)/p(x)p(y)] / n) ≈ 0.0016 at n = 1e5; 5 sd.
    #expect(abs(mi.plugInNats - exact) < 0.008)
    #expect(abs(mi.millerMadowNats - exact) < 0.008)
  }
}
