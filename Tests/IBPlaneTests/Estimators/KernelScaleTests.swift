import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Kernel estimators at extreme scales (the hardening issue's findings 11 and 12): `kde`,
/// `adaptive-kde` and `cs` returned NaN on X × 1e300 (∞ − ∞ in the tiled distances) and
/// `cs`/`renyi` returned 0 on X × 1e−300 (the median width's square underflowed). A width that
/// follows the data makes the estimate scale-invariant; a fixed width or noise variance gives
/// the finite limit of separated (× 1e300) or coinciding (× 1e−300) points; never NaN.
@Suite struct KernelScaleTests {
  static let scales = [1e300, 1e-300]

  /// 300 samples: X (2-d) = class + noise, Y a class column of 4 classes.
  static func classData() -> (x: Matrix<Double>, y: Matrix<Double>, classes: [Int]) {
    let rng = RandomSource(seed: 31)
    let classes = (0..<300).map { $0 % 4 }
    var x = rng.normalMatrix(rows: 300, columns: 2)
    for i in 0..<300 {
      x[i, 0] = x[i, 0] * 0.5 + Double(classes[i])
      x[i, 1] = x[i, 1] * 0.5 - Double(classes[i])
    }
    return (x, Matrix(column: classes.map(Double.init)), classes)
  }

  /// The plug-in entropy of the class proportions, nats.
  static func classEntropy(_ classes: [Int]) -> Double {
    var counts: [Int: Int] = [:]
    for c in classes { counts[c, default: 0] += 1 }
    let n = Double(classes.count)
    return counts.values.reduce(0) { $0 - Double($1) / n * log(Double($1) / n) }
  }

  @Test func widthsThatFollowTheDataMakeTheEstimateScaleInvariant() throws {
    let t = try KNNGroundTruth.dense5x5(n: 300, seed: 32)
    let estimators: [any MutualInformationEstimator] = [
      CauchySchwarzMutualInformation(), CauchySchwarzMutualInformation(widthA: .silverman, widthB: .scott, normalised: true),
      MatrixRenyiMutualInformation(alpha: 2), MatrixRenyiMutualInformation(approximation: .nystrom(landmarks: 60)),
      MatrixRenyiMutualInformation(approximation: .subsample(size: 80, repeats: 2)),
    ]
    for e in estimators {
      let reference = try e.estimate(t.x, t.y).nats
      for s in Self.scales {
        let v = try e.estimate(scaled(t.x, s), scaled(t.y, s)).nats
        #expect(v.isFinite && abs(v - reference) <= 1e-9 * Swift.max(1, abs(reference)), "\(e.name) at \(s): \(v) vs \(reference)")
      }
    }
    for rule in [KernelWidthRule.median(), .silverman, .scott] {
      let w = try rule.width(for: t.x)
      for s in Self.scales {
        let ws = try rule.width(for: scaled(t.x, s))
        #expect(abs(ws / (w * s) - 1) < 1e-12, "\(rule) at \(s): \(ws) vs \(w * s)")
      }
    }
  }

  /// Fixed noise σ² = 0.1: × 1e300 separates every component, so I(X;Y) is the plug-in H(Y)
  /// (every row log-sum is log 1 = 0); × 1e−300 merges them all, I = 0. Both bounds, both
  /// estimators (adaptive: σ² = 0.1·max|X| grows only linearly with the scale).
  @Test func fixedNoiseKDEGivesTheLimits() throws {
    let (x, y, classes) = Self.classData()
    let h = Self.classEntropy(classes)
    for e in [KDEEstimator(), KDEEstimator(bound: .lower), AdaptiveKDEEstimator()] as [any MutualInformationEstimator] {
      let far = try e.estimate(scaled(x, 1e300), y)
      #expect(abs(far.nats - h) < 1e-9, "\(e.name) × 1e300: \(far.nats) vs H(Y) = \(h)")
      let near = try e.estimate(scaled(x, 1e-300), y)
      #expect(abs(near.nats) < 1e-9, "\(e.name) × 1e-300: \(near.nats)")
    }
    // The plane form on a Float layer × 1e30 (beyond Float's safe range for squared distances).
    var layer = x.converted(to: Float.self)
    for k in layer.elements.indices { layer.elements[k] *= 1e30 }
    let context = try PlaneContext(inputs: nil, labels: .classes(classes, classCount: 4))
    let p = try KDEEstimator().point(layer: layer, context: context)
    #expect(abs(p.inputInformation.nats - log(300)) < 1e-9, "\(p.inputInformation.nats)")
    #expect(abs(p.labelInformation.nats - h) < 1e-9, "\(p.labelInformation.nats)")
  }

  /// A fixed kernel width σ = 1 on X × 1e300: identity Gram matrices, I_CS = log N and
  /// I_α = log N (A = I/N); on X × 1e−300: all-ones Gram matrices, both 0.
  @Test func fixedWidthKernelsGiveTheLimits() throws {
    let t = try KNNGroundTruth.dense5x5(n: 200, seed: 33)
    let logN = log(200.0)
    let cs = CauchySchwarzMutualInformation(widthA: .fixed(1), widthB: .fixed(1))
    let renyi = MatrixRenyiMutualInformation(alpha: 2, widthA: .fixed(1), widthB: .fixed(1))
    for e in [cs, renyi] as [any MutualInformationEstimator] {
      let far = try e.estimate(scaled(t.x, 1e300), scaled(t.y, 1e300)).nats
      #expect(abs(far - logN) < 1e-9, "\(e.name) × 1e300: \(far)")
      let near = try e.estimate(scaled(t.x, 1e-300), scaled(t.y, 1e-300)).nats
      #expect(abs(near) < 1e-9, "\(e.name) × 1e-300: \(near)")
    }
  }

  /// Widths outside 1e-100…1e100 (`cs --sigma-x 1e-300` gave NaN) are refused naming the variable.
  @Test func absurdFixedWidthsAreRefused() throws {
    let t = try KNNGroundTruth.dense5x5(n: 50, seed: 34)
    for sigma in [1e-300, 1e300, 0, -1, .nan, .infinity] {
      #expect {
        _ = try CauchySchwarzMutualInformation(widthA: .fixed(sigma)).estimate(t.x, t.y)
      } throws: { e in "\(e)".contains("kernel width of X") }
      #expect(KernelWidthRule(parsing: "\(sigma)") == nil)
    }
    #expect(throws: EstimatorError.self) { try KernelWidthRule.median(subsample: 5_001).width(for: t.x) }
    #expect(KernelWidthRule(parsing: "median:5001") == nil && KernelWidthRule(parsing: "median:5000") != nil)
  }

  /// Below the estimators, the tiled engine refuses raw points whose squared distances overflow.
  @Test func engineRefusesOverflowingDistances() throws {
    let x = scaled(RandomSource(seed: 35).normalMatrix(rows: 20, columns: 3), 1e300)
    #expect(throws: NumericsError.self) { try TiledKernelSums().gaussianRowSums(x, gammas: [1]) }
    var f = RandomSource(seed: 36).normalMatrix(rows: 20, columns: 3).converted(to: Float.self)
    for k in f.elements.indices { f.elements[k] *= 1e30 }
    #expect(throws: NumericsError.self) { try TiledKernelSums().pairedGaussianSums(f, gammaA: 1, f, gammaB: 1) }
  }

  /// S_α for large α: every λ^α underflows, and the sum is taken relative to λ_max, so S_α
  /// tends to the min-entropy −log λ_max instead of +∞ (`renyi --alpha 1e10` gave NaN).
  @Test func renyiEntropyOfLargeOrderIsTheMinEntropy() {
    let s = MatrixRenyiMutualInformation.entropy(eigenvalues: [0.5, 0.25, 0.25], alpha: 1e10)
    #expect(abs(s - log(2)) < 1e-9, "\(s)")
    let s1000 = MatrixRenyiMutualInformation.entropy(eigenvalues: [0.5, 0.25, 0.25], alpha: 1000)
    #expect(abs(s1000 - (1000 * log(0.5) + log(1 + 2 * pow(0.5, 1000))) / (1 - 1000)) < 1e-12, "\(s1000)")
    // Ordinary orders are computed as before (Σλ^α directly).
    #expect(MatrixRenyiMutualInformation.entropy(eigenvalues: [0.5, 0.5], alpha: 2) == log(0.5) / -1)
  }

  /// The `range` binning convention on values spanning more than the largest double.
  @Test func rangeBinningSpanningTheDoubleRange() throws {
    let m = Matrix<Double>(column: [-1.7e308, -1e307, 1e307, 1.7e308])
    #expect(try BinningConvention.range(bins: 4).codes(m) == [0, 1, 2, 3])
  }
}
