import Testing
import IBPlane

/// The tiled engine against direct O(N²) sums written plainly here, in Double.
@Suite struct TiledKernelSumsTests {
  static func direct(_ a: Matrix<Double>, _ b: Matrix<Double>, _ i: Int, _ j: Int) -> Double {
    var s = 0.0
    for k in 0..<a.columns { let d = a[i, k] - b[j, k]; s += d * d }
    return s
  }

  static func relativeError(_ x: Double, _ y: Double) -> Double { abs(x - y) / max(abs(y), 1e-300) }

  @Test(arguments: [(257, 1, 64), (1000, 3, 128), (2000, 10, 512), (777, 5, 1000), (50, 2, 7)])
  func rowSumsEqualDirectSums(n: Int, d: Int, tile: Int) throws {
    let rng = RandomSource(seed: UInt64(n * 31 + d))
    var x = rng.normalMatrix(rows: n, columns: d)
    for k in 0..<x.elements.count { x.elements[k] = x.elements[k] * 2 + 5 }  // off-centre data
    let gammas = [0.5, 0.03]
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    let sums = try engine.gaussianRowSums(x, gammas: gammas)
    let logSums = try engine.gaussianRowLogSums(x, gammas: gammas)
    for i in stride(from: 0, to: n, by: max(1, n / 60)) {
      for (s, g) in gammas.enumerated() {
        var ref = 0.0
        for j in 0..<n { ref += _math_exp(-g * Self.direct(x, x, i, j)) }
        #expect(Self.relativeError(sums[s][i], ref) < 1e-9)
        #expect(abs(logSums[s][i] - _math_log(ref)) < 1e-9)
      }
    }
  }

  @Test(arguments: [64, 100, 512])
  func pairedSumsEqualDirectSums(tile: Int) throws {
    let n = 900
    let rng = RandomSource(seed: 5)
    let a = rng.normalMatrix(rows: n, columns: 3)
    var b = rng.normalMatrix(rows: n, columns: 2)
    for i in 0..<n { b[i, 0] += a[i, 0] }  // dependent views
    let (ga, gb) = (0.4, 0.9)
    let r = try TiledKernelSums(tileSize: tile, threads: 2).pairedGaussianSums(a, gammaA: ga, b, gammaB: gb)
    var rowA = [Double](repeating: 0, count: n)
    var rowB = [Double](repeating: 0, count: n)
    var had = 0.0
    for i in 0..<n {
      for j in 0..<n {
        let ka = _math_exp(-ga * Self.direct(a, a, i, j))
        let kb = _math_exp(-gb * Self.direct(b, b, i, j))
        rowA[i] += ka
        rowB[i] += kb
        had += ka * kb
      }
    }
    #expect(Self.relativeError(r.hadamardSum, had) < 1e-9)
    for i in 0..<n {
      #expect(Self.relativeError(r.rowSumsA[i], rowA[i]) < 1e-9)
      #expect(Self.relativeError(r.rowSumsB[i], rowB[i]) < 1e-9)
    }
  }

  @Test func crossSetLogSumsStayFiniteWhenEveryTermUnderflows() throws {
    // Two clouds 100 units apart with γ = 10: every exp(−γD) underflows; log-sums must not.
    let rng = RandomSource(seed: 9)
    let x = rng.normalMatrix(rows: 40, columns: 2)
    var y = rng.normalMatrix(rows: 30, columns: 2)
    for i in 0..<30 { y[i, 0] += 100 }
    let gamma = 10.0
    let l = try TiledKernelSums(tileSize: 16, threads: 2).gaussianRowLogSums(x, y, gammas: [gamma])[0]
    for i in 0..<40 {
      var m = -Double.infinity
      for j in 0..<30 { m = max(m, -gamma * Self.direct(x, y, i, j)) }
      var s = 0.0
      for j in 0..<30 { s += _math_exp(-gamma * Self.direct(x, y, i, j) - m) }
      #expect(l[i].isFinite)
      #expect(Self.relativeError(l[i], m + _math_log(s)) < 1e-9)
    }
  }

  @Test func resultsAreIdenticalForAnyThreadCountAndFloatIsClose() throws {
    let rng = RandomSource(seed: 1)
    let x = rng.normalMatrix(rows: 600, columns: 4)
    let one = try TiledKernelSums(tileSize: 128, threads: 1).gaussianRowSums(x, gammas: [0.2])
    let two = try TiledKernelSums(tileSize: 128, threads: 2).gaussianRowSums(x, gammas: [0.2])
    #expect(one == two)
    let f = try TiledKernelSums(tileSize: 128, threads: 2).gaussianRowSums(x.converted(to: Float.self), gammas: [0.2])
    for i in 0..<600 { #expect(Self.relativeError(f[0][i], one[0][i]) < 1e-5) }
  }

  @Test func rejectsNonFiniteAndMismatchedInput() throws {
    var x = Matrix<Double>(rows: 3, columns: 2)
    x[1, 1] = .nan
    #expect(throws: NumericsError.self) { try TiledKernelSums().gaussianRowSums(x, gammas: [1]) }
    let a = Matrix<Double>(rows: 3, columns: 2)
    let b = Matrix<Double>(rows: 4, columns: 2)
    #expect(throws: NumericsError.self) { try TiledKernelSums().pairedGaussianSums(a, gammaA: 1, b, gammaB: 1) }
  }
}
