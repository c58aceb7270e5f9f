import Foundation
import Testing
import IBPlane

@Suite struct GaussianPlaneEstimatorTests {
  /// T = A·X + E with X ~ N(0, I_d), E ~ N(0, ψ²I) independent: (X, T) jointly Gaussian, so
  /// I(X; T + ε) = ½ log det(AAᵀ + (ψ² + σ²)I) − ½ log det((ψ² + σ²)I) in closed form.
  @Test func matchesTheGaussianChannelInClosedForm() throws {
    let n = 20_000, d = 3, w = 2
    let psi2 = 0.25, sigma2 = 0.1
    let random = RandomSource(seed: 11)
    let x = random.normalMatrix(rows: n, columns: d)
    let a = try Matrix<Double>([[1.0, -0.5, 0.2], [0.3, 0.8, -1.1]])
    var t = try x.multiplied(by: a, transposingOther: true)
    for k in t.elements.indices { t.elements[k] += psi2.squareRoot() * random.normal() }
    let context = try PlaneContext(inputs: x.converted(to: Float.self), labels: .classes(Array(repeating: 0, count: n), classCount: 1))
    let p = try GaussianPlaneEstimator(noiseVariance: sigma2).point(layer: t.converted(to: Float.self), context: context)
    var full = try a.multiplied(by: a, transposingOther: true)
    for i in 0..<w { full[i, i] += psi2 + sigma2 }
    let truth = 0.5 * (try full.logDeterminantSPD() - Double(w) * log(psi2 + sigma2))
    // Sampling error of log det with N = 20,000 and w = 2 is ≈ √(2w/N) ≈ 0.014 nats per term.
    #expect(abs(p.inputInformation.nats - truth) < 0.04, "got \(p.inputInformation.nats), truth \(truth)")
    // A single class carries no information: Σ_T|Y = Σ_T exactly.
    #expect(abs(p.labelInformation.nats) < 1e-12)
  }

  /// For class labels Σ_T|Y must be the pooled within-class covariance S_W/(N − 1),
  /// computed here independently from class means.
  @Test func labelTermIsTheWithinClassCovariance() throws {
    let source = try PlaneFixtures.source()
    let context = try source.makePlaneContext()
    let layer = try source.layer(0, snapshot: 3)
    let sigma2 = 0.1
    let p = try GaussianPlaneEstimator(noiseVariance: sigma2).point(layer: layer, context: context)
    guard case .classes(let y, let k) = context.labels else { Issue.record("fixture has classes"); return }
    let n = layer.rows, w = layer.columns
    var means = Array(repeating: Array(repeating: 0.0, count: w), count: k)
    var counts = Array(repeating: 0.0, count: k)
    var mean = Array(repeating: 0.0, count: w)
    for i in 0..<n {
      counts[y[i]] += 1
      for j in 0..<w { means[y[i]][j] += Double(layer[i, j]); mean[j] += Double(layer[i, j]) / Double(n) }
    }
    for c in 0..<k { for j in 0..<w { means[c][j] /= counts[c] } }
    var within = Matrix<Double>(rows: w, columns: w)
    var total = Matrix<Double>(rows: w, columns: w)
    for i in 0..<n {
      for a in 0..<w {
        for b in 0..<w {
          within[a, b] += (Double(layer[i, a]) - means[y[i]][a]) * (Double(layer[i, b]) - means[y[i]][b]) / Double(n - 1)
          total[a, b] += (Double(layer[i, a]) - mean[a]) * (Double(layer[i, b]) - mean[b]) / Double(n - 1)
        }
      }
    }
    for i in 0..<w { within[i, i] += sigma2; total[i, i] += sigma2 }
    let expected = 0.5 * (try total.logDeterminantSPD() - within.logDeterminantSPD())
    #expect(abs(p.labelInformation.nats - expected) < 1e-9)
    #expect(p.labelInformation.nats > 0)
  }

  /// Without inputs, X is N distinct inputs: Σ_T|X = 0.
  @Test func distinctInputsConvention() throws {
    let source = try PlaneFixtures.source()
    let layer = try source.layer(1, snapshot: 2)
    let context = try PlaneContext(inputs: nil, labels: source.labels)
    let p = try GaussianPlaneEstimator(noiseVariance: 0.1).point(layer: layer, context: context)
    var cov = try layer.covariance()
    for i in 0..<cov.rows { cov[i, i] += 0.1 }
    let expected = 0.5 * (try cov.logDeterminantSPD() - Double(layer.columns) * log(0.1))
    #expect(abs(p.inputInformation.nats - expected) < 1e-9)
  }

  @Test func rejectsBadParameters() throws {
    #expect(throws: EstimatorError.self) { try GaussianPlaneEstimator(noiseVariance: 0) }
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("gaussian:noise_variance=abc") }
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("gaussian:bins=3") }
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("gaussian:bias-correction=true") }
    #expect(throws: EstimatorError.self) { try EstimatorRegistry.makePlane("nosuch") }
    // The old key noise_variance still reads; the canonical key is sigma2, as for kde.
    let e = try EstimatorRegistry.makePlane("gaussian:noise_variance=0.05")
    #expect(e.parameterDescription == "sigma2=0.05")
    #expect(EstimatorRegistry.label(of: e) == "gaussian:sigma2=0.05")
    #expect(EstimatorRegistry.label(of: try GaussianPlaneEstimator()) == "gaussian")
  }

  /// Two identical units of variance ~1e20 with σ² = 1e-100 (inside the documented range): the
  /// Cholesky factorisation of Σ + σ²I fails in rounding; the error names noise_variance and the
  /// way out instead of quoting LAPACK.
  @Test func numericallySingularNoisyCovarianceNamesTheNoiseVariance() throws {
    let n = 50
    var layer = Matrix<Float>(rows: n, columns: 2)
    for i in 0..<n { let v = Float(i % 7) * 1e10; layer[i, 0] = v; layer[i, 1] = v }
    let context = try PlaneContext(inputs: nil, labels: .classes((0..<n).map { $0 % 2 }, classCount: 2))
    #expect {
      _ = try GaussianPlaneEstimator(noiseVariance: 1e-100).point(layer: layer, context: context)
    } throws: { e in
      "\(e)".contains("not numerically positive definite at sigma2 = 1e-100") && "\(e)".contains("larger sigma2")
    }
  }
}
