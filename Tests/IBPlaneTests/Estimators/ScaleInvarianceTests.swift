import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Estimators that are invariant under rescaling a variable give the same value on X × 1e300
/// and X × 1e−300 as on X (the hardening issue's finding 12: standardisation overflowed to
/// −0.00000 bits, or a tiny variance underflowed and the column was called constant). The
/// scaled copies differ from X·s only by the rounding of that product (one ulp), which moves
/// no kNN count here, so the values agree to 1e-9; entropies shift by exactly d·ln s.
@Suite struct ScaleInvarianceTests {
  static let scales = [1e300, 1e-300]

  static func same(_ a: Double, _ b: Double, _ what: String) {
    #expect(a.isFinite && abs(a - b) <= 1e-9 * Swift.max(1, abs(b)), "\(what): \(a) vs \(b)")
  }

  @Test func mutualInformationEstimatorsIgnoreTheScale() throws {
    let t = try KNNGroundTruth.dense5x5(n: 800, seed: 21)
    let estimators: [any MutualInformationEstimator] = [
      KSGEstimator(), KSGEstimator(variant: .two), KSGEstimator(metric: .euclidean),
      LossyCompressedMI(),  // 5 columns > latent 4: through PCA
      LossyCompressedMI(latent: 5),  // used as is, then KSG
      WeightedKozachenkoLeonenko(), GaussianEstimator(), GaussianEstimator(biasCorrection: true),
    ]
    for e in estimators {
      let reference = try e.estimate(t.x, t.y).nats
      for s in Self.scales {
        Self.same(try e.estimate(scaled(t.x, s), scaled(t.y, s)).nats, reference, "\(e.name) at \(s)")
        // One variable scaled, the other not: each is standardised on its own.
        Self.same(try e.estimate(scaled(t.x, s), t.y).nats, reference, "\(e.name), X only at \(s)")
      }
    }
  }

  /// Differential entropy is not scale-invariant: H(sX) = H(X) + d ln s, exactly what the
  /// power-of-two rescaling puts back through the log-Jacobian.
  @Test func entropyShiftsByTheLogOfTheScale() throws {
    let t = try KNNGroundTruth.dense5x5(n: 800, seed: 22)
    let d = Double(t.x.columns)
    for e in [KozachenkoLeonenkoEntropy(), KozachenkoLeonenkoEntropy(metric: .maximum)] {
      let h = try e.entropy(t.x).nats
      for s in Self.scales { Self.same(try e.entropy(scaled(t.x, s)).nats, h + d * log(s), "\(e.metric) at \(s)") }
    }
    let w = WeightedKozachenkoLeonenko()
    let hw = try w.entropy(t.x).nats
    for s in Self.scales { Self.same(try w.entropy(scaled(t.x, s)).nats, hw + d * log(s), "wkl at \(s)") }
  }

  /// A column × 1e300 next to ordinary ones (one variable, mixed scales): standardisation and
  /// whitening rescale column by column.
  @Test func mixedColumnScales() throws {
    let t = try KNNGroundTruth.dense5x5(n: 600, seed: 23)
    var x = t.x
    for i in 0..<x.rows { x[i, 1] *= 1e300; x[i, 3] *= 1e-300 }
    for e in [KSGEstimator(), KSGEstimator(variant: .two)] as [any MutualInformationEstimator] + [WeightedKozachenkoLeonenko(), GaussianEstimator()] {
      Self.same(try e.estimate(x, t.y).nats, try e.estimate(t.x, t.y).nats, e.name)
    }
  }

  /// `preprocess none` keeps the data's scale, so squared distances of X × 1e300 would
  /// overflow: refused, naming the variable and the way out.
  @Test func unpreprocessedExtremeScaleIsRefused() throws {
    let t = try KNNGroundTruth.dense5x5(n: 200, seed: 24)
    for s in Self.scales {
      #expect {
        _ = try KSGEstimator(preprocessing: .none).estimate(scaled(t.x, s), t.y)
      } throws: { e in
        "\(e)".contains("X: its largest |value|") && "\(e)".contains("standardize")
      }
      #expect(throws: EstimatorError.self) { try KozachenkoLeonenkoEntropy(preprocessing: .none).entropy(scaled(t.x, s)) }
    }
    // Below the engine too: raw kNN points whose distances overflow.
    #expect(throws: NumericsError.self) {
      _ = try NearestNeighbors(metric: .euclidean).kNearest(scaled(t.x, 1e300), k: 3)
    }
  }
}
