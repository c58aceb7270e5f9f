import Foundation
import Testing

import IBPlane

/// Samples against the law each task claims. Tolerances are 5 standard errors of the statistic
/// at the sample size used (a false alarm has probability < 10⁻⁶ per check), and each check
/// would fail for the nearest wrong law (e.g. independent instead of shared χ² scales).
@Suite struct SyntheticSamplingTests {
  static let n = 200_000

  /// Checks every sample-covariance entry of (X, Y) against `truth`, with the standard error
  /// √((σᵢᵢσⱼⱼ + σᵢⱼ²)/N) of a Gaussian sample covariance, and every mean against 0.
  func expectGaussianMoments(_ s: SyntheticSample, _ truth: Matrix<Double>) throws {
    let joint = try s.x.concatenatingColumns(s.y)
    let c = try joint.covariance()
    let n = Double(joint.rows)
    for (j, m) in joint.columnMeans().enumerated() {
      #expect(abs(m) < 5 * (truth[j, j] / n).squareRoot(), "mean of column \(j)")
    }
    for i in 0..<c.rows {
      for j in 0..<c.columns {
        let se = ((truth[i, i] * truth[j, j] + truth[i, j] * truth[i, j]) / n).squareRoot()
        #expect(abs(c[i, j] - truth[i, j]) < 5 * se, "covariance (\(i), \(j)): \(c[i, j]) vs \(truth[i, j])")
      }
    }
  }

  @Test func gaussianCovariances() throws {
    for name in ["gaussian-dense-5", "gaussian-1x1-rho0.75", "gaussian-2pair-10x10"] {
      let task = try #require(try SyntheticTasks.task(named: name) as? GaussianTask)
      try expectGaussianMoments(task.sample(count: Self.n, seed: 11), task.covariance)
    }
  }

  @Test func gaussianChannelCovariance() throws {
    let task = try GaussianChannelTask.bidiagonal(dimension: 3)
    try expectGaussianMoments(task.sample(count: Self.n, seed: 12), task.jointCovariance())
  }

  @Test func studentSharesOneChiSquareScalePerDraw() throws {
    // ν = 10, Σ = I, 1×1: Var X = ν/(ν−2) = 1.25, E[X⁴] = 3ν²/((ν−2)(ν−4)) = 6.25, and with one
    // shared scale E[X²Y²] = ν²/((ν−2)(ν−4)) = 2.0833 (independent scales would give
    // (ν/(ν−2))² = 1.5625). Var(X²Y²) = 9ν⁴/((ν−2)(ν−4)(ν−6)(ν−8)) − 2.0833² ≈ 230.
    let task = try SyntheticTasks.task(named: "student-1x1-nu10")
    let s = try task.sample(count: Self.n, seed: 13)
    let n = Double(Self.n)
    var (x2, y2, x4, x2y2) = (0.0, 0.0, 0.0, 0.0)
    for i in 0..<Self.n {
      let (a, b) = (s.x.elements[i] * s.x.elements[i], s.y.elements[i] * s.y.elements[i])
      x2 += a; y2 += b; x4 += a * a; x2y2 += a * b
    }
    #expect(abs(x2 / n - 1.25) < 5 * (4.6875 / n).squareRoot())
    #expect(abs(y2 / n - 1.25) < 5 * (4.6875 / n).squareRoot())
    #expect(abs(x4 / n / 1.5625 - 4) < 0.25)  // kurtosis 3 + 6/(ν−4) = 4; a loose check of the tails
    let cross = 100.0 / 48.0
    #expect(abs(x2y2 / n - cross) < 5 * (230 / n).squareRoot(), "E[X²Y²] = \(x2y2 / n), expected \(cross)")
  }

  @Test func studentCauchyMarginals() throws {
    // ν = 1: each coordinate is standard Cauchy, P(|X| ≤ 1) = ½ exactly.
    let s = try SyntheticTasks.task(named: "student-2x2-nu1").sample(count: Self.n, seed: 14)
    for m in [s.x, s.y] {
      for j in 0..<2 {
        let inside = (0..<Self.n).filter { abs(m[$0, j]) <= 1 }.count
        #expect(abs(Double(inside) / Double(Self.n) - 0.5) < 5 * (0.25 / Double(Self.n)).squareRoot())
      }
    }
  }

  @Test func uniformAdditiveRangesAndNoiseMoments() throws {
    for eps in [0.1, 0.75] {
      let s = try UniformAdditiveTask(halfWidth: eps).sample(count: Self.n, seed: 15)
      let n = Double(Self.n)
      var (sum, sumSq) = (0.0, 0.0)
      for i in 0..<Self.n {
        let (x, u) = (s.x.elements[i], s.y.elements[i] - s.x.elements[i])
        #expect(x >= 0 && x < 1)
        #expect(abs(u) <= eps * (1 + 1e-12))
        sum += u; sumSq += u * u
      }
      #expect(abs(sum / n) < 5 * eps / (3 * n).squareRoot())
      #expect(abs(sumSq / n - eps * eps / 3) < 5 * (4.0 / 45).squareRoot() * eps * eps / n.squareRoot())
      #expect(abs(s.x.columnMeans()[0] - 0.5) < 5 * (1.0 / 12 / n).squareRoot())
    }
  }

  @Test func binarySymmetricFlipRate() throws {
    let p = 0.1
    let s = try SyntheticTasks.task(named: "bsc-0.1").sample(count: Self.n, seed: 16)
    let n = Double(Self.n)
    var flips = 0
    var ones = 0
    for i in 0..<Self.n {
      let (x, y) = (s.x.elements[i], s.y.elements[i])
      #expect((x == 0 || x == 1) && (y == 0 || y == 1))
      if x != y { flips += 1 }
      if x == 1 { ones += 1 }
    }
    #expect(abs(Double(flips) / n - p) < 5 * (p * (1 - p) / n).squareRoot())
    #expect(abs(Double(ones) / n - 0.5) < 5 * (0.25 / n).squareRoot())
  }

  @Test func binaryErasureRate() throws {
    let p = 0.2
    let s = try SyntheticTasks.task(named: "bec-0.2").sample(count: Self.n, seed: 17)
    var erased = 0
    for i in 0..<Self.n {
      let (x, y) = (s.x.elements[i], s.y.elements[i])
      if y == 2 { erased += 1 } else { #expect(y == x) }
    }
    #expect(abs(Double(erased) / Double(Self.n) - p) < 5 * (p * (1 - p) / Double(Self.n)).squareRoot())
  }

  @Test func noiselessChannelCopiesUniformSymbols() throws {
    let s = try SyntheticTasks.task(named: "noiseless-4").sample(count: Self.n, seed: 18)
    #expect(s.x == s.y)
    var counts = [Int](repeating: 0, count: 4)
    for v in s.x.elements { counts[Int(v)] += 1 }
    for c in counts { #expect(abs(Double(c) / Double(Self.n) - 0.25) < 5 * (0.1875 / Double(Self.n)).squareRoot()) }
  }

  @Test func quantisedGaussianBinFrequencies() throws {
    let task = try QuantisedGaussianTask(bins: 8)
    let s = try task.sample(count: Self.n, seed: 19)
    var counts = [Int](repeating: 0, count: 8)
    for i in 0..<Self.n {
      let (x, y) = (s.x.elements[i], Int(s.y.elements[i]))
      counts[y] += 1
      if y > 0 { #expect(x >= task.edges[y - 1]) }
      if y < 7 { #expect(x < task.edges[y]) }
    }
    for (k, p) in task.binProbabilities.enumerated() {
      #expect(abs(Double(counts[k]) / Double(Self.n) - p) < 5 * (p * (1 - p) / Double(Self.n)).squareRoot())
    }
  }

  @Test func transformsAreTheMapOfTheBaseSample() throws {
    let base = try SyntheticTasks.task(named: "gaussian-dense-5").sample(count: 1000, seed: 20)
    for t in MIPreservingTransform.allCases {
      let s = try SyntheticTasks.task(named: "\(t.rawValue)-gaussian-dense-5").sample(count: 1000, seed: 20)
      #expect(s == SyntheticSample(x: t.apply(base.x), y: t.apply(base.y)))
    }
    let asinh = try SyntheticTasks.task(named: "asinh-gaussian-dense-5").sample(count: 1000, seed: 20)
    #expect(abs(asinh.x[3, 2] - Foundation.asinh(base.x[3, 2])) < 1e-15)
    let cdf = try SyntheticTasks.task(named: "normalcdf-gaussian-dense-5").sample(count: 1000, seed: 20)
    #expect(cdf.x.elements.allSatisfy { $0 > 0 && $0 < 1 })
  }

  @Test func spiralIsInvertible() throws {
    let base = try SyntheticTasks.task(named: "gaussian-dense-5").sample(count: 500, seed: 21).x
    let turned = MIPreservingTransform.spiral.apply(base)
    let norms = base.rowSquaredNorms()
    let turnedNorms = turned.rowSquaredNorms()
    for i in 0..<base.rows {
      #expect(abs(norms[i] - turnedNorms[i]) < 1e-12 * max(1, norms[i]))
      // Undo: the same angle, since the norm is kept; turn back each pair.
      let angle = -MIPreservingTransform.spiralSpeed * turnedNorms[i]
      for j in stride(from: 0, to: 4, by: 2) {
        let (a, b) = (turned[i, j], turned[i, j + 1])
        #expect(abs(Foundation.cos(angle) * a - Foundation.sin(angle) * b - base[i, j]) < 1e-9)
        #expect(abs(Foundation.sin(angle) * a + Foundation.cos(angle) * b - base[i, j + 1]) < 1e-9)
      }
      #expect(turned[i, 4] == base[i, 4])
    }
  }

  @Test(arguments: SyntheticTasks.catalog)
  func sameSeedSameSamplesDifferentSeedDifferent(name: String) throws {
    let task = try SyntheticTasks.task(named: name)
    let a = try task.sample(count: 500, seed: 42)
    let b = try task.sample(count: 500, seed: 42)
    let c = try task.sample(count: 500, seed: 43)
    #expect(a == b)
    #expect(a != c)
    #expect(a.x.rows == 500 && a.x.columns == task.xDimension)
    #expect(a.y.rows == 500 && a.y.columns == task.yDimension)
    #expect(a.x.firstNonFiniteIndex() == nil && a.y.firstNonFiniteIndex() == nil)
  }

  @Test func refusesEmptySamples() throws {
    #expect(throws: SyntheticError.self) { try SyntheticTasks.task(named: "bsc-0.1").sample(count: 0, seed: 1) }
  }
}
