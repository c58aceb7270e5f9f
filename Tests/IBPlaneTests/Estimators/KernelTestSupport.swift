import Foundation
import IBPlane

/// Plain full-matrix references for the kernel estimators: N×N Gram matrices built with
/// explicit loops, no tiles, no GEMM. Only for N small enough to hold N² doubles.
enum KernelReference {
  static func gram(_ x: Matrix<Double>, _ y: Matrix<Double>? = nil, sigma: Double) -> [[Double]] {
    let other = y ?? x
    return (0..<x.rows).map { i in
      (0..<other.rows).map { j in
        var d = 0.0
        for k in 0..<x.columns { let t = x[i, k] - other[j, k]; d += t * t }
        return Foundation.exp(-d / (2 * sigma * sigma))
      }
    }
  }

  static func labelGram(_ c: [Int]) -> [[Double]] {
    c.map { ci in c.map { $0 == ci ? 1.0 : 0.0 } }
  }

  /// I_CS in nats, the formula of the issue written term by term.
  static func csQMI(_ ka: [[Double]], _ kb: [[Double]]) -> Double {
    let n = Double(ka.count)
    var had = 0.0, sa = 0.0, sb = 0.0, dot = 0.0
    for i in 0..<ka.count {
      var ra = 0.0, rb = 0.0
      for j in 0..<ka.count {
        had += ka[i][j] * kb[i][j]
        ra += ka[i][j]
        rb += kb[i][j]
      }
      sa += ra
      sb += rb
      dot += ra * rb
    }
    return Foundation.log(had / (n * n)) + Foundation.log(sa / (n * n)) + Foundation.log(sb / (n * n))
      - 2 * Foundation.log(dot / (n * n * n))
  }

  /// Eigenvalues of K / tr K (LAPACK through `symmetricEigen`; the matrix itself built plainly).
  static func normalisedSpectrum(_ k: [[Double]]) throws -> [Double] {
    let n = k.count
    var trace = 0.0
    for i in 0..<n { trace += k[i][i] }
    let m = try Matrix<Double>(k.map { $0.map { $0 / trace } })
    return try m.symmetricEigen(vectors: false).values
  }

  static func renyiEntropy(_ k: [[Double]], alpha: Double) throws -> Double {
    let l = try normalisedSpectrum(k).filter { $0 > 0 }
    if alpha == 1 { return -l.reduce(0) { $0 + $1 * Foundation.log($1) } }
    return Foundation.log(l.reduce(0) { $0 + Foundation.pow($1, alpha) }) / (1 - alpha)
  }

  static func hadamard(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
    zip(a, b).map { zip($0, $1).map(*) }
  }

  /// Standard normal pairs with correlation ρ in each of `d` coordinates.
  static func correlatedPair(n: Int, d: Int, rho: Double, seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
    let rng = RandomSource(seed: seed)
    let a = rng.normalMatrix(rows: n, columns: d)
    let e = rng.normalMatrix(rows: n, columns: d)
    var b = Matrix<Double>(rows: n, columns: d)
    for k in 0..<b.elements.count {
      b.elements[k] = rho * a.elements[k] + (1 - rho * rho).squareRoot() * e.elements[k]
    }
    return (a, b)
  }

  static func relativeError(_ x: Double, _ y: Double) -> Double { abs(x - y) / max(abs(y), 1e-300) }
}
