import Testing
import IBPlane

@Suite struct PCATests {
  /// Data with variances 9, 4, 1, 0.25 along a random rotation: PCA recovers the spectrum,
  /// the explained ratio, and codes whose covariance is diagonal with those variances.
  @Test func recoversKnownSpectrum() throws {
    let rng = RandomSource(seed: 2)
    let q = try rng.normalMatrix(rows: 4, columns: 4).singularValueDecomposition().u  // orthogonal
    var z = rng.normalMatrix(rows: 20_000, columns: 4)
    let sd = [3.0, 2.0, 1.0, 0.5]
    for i in 0..<z.rows { for j in 0..<4 { z[i, j] *= sd[j] } }
    var x = try z.multiplied(by: q, transposingOther: true)
    for i in 0..<x.rows { x[i, 0] += 5 }
    let pca = try PrincipalComponents(fitting: x, components: 2)
    #expect(abs(pca.variances[0] - 9) < 0.3 && abs(pca.variances[1] - 4) < 0.15)
    #expect(abs(pca.explainedVarianceRatio - 13 / 14.25) < 0.01)
    let c = try pca.project(x).covariance()
    #expect(abs(c[0, 1]) < 1e-9 * c[0, 0])
    #expect(abs(c[0, 0] - pca.variances[0]) < 1e-9 * c[0, 0])
    #expect(throws: EstimatorError.self) { try PrincipalComponents(fitting: x, components: 5) }
    #expect(throws: EstimatorError.self) { try pca.project(Matrix<Double>(rows: 3, columns: 3)) }
  }
}

/// Wide data (d > N) go through the N × N Gram matrix: the same spectrum and codes as the
/// covariance route, without a d × d matrix (finding 14: 50 × 5,000 took 56 s and 987 MB);
/// extreme scales fit the unscaled directions; the order of the eigenproblem is bounded.
@Suite struct PCAWideAndScaledTests {
  /// 30 samples in 200 dimensions: the top variances are the top eigenvalues of the covariance
  /// (computed here the d × d way), the codes are uncorrelated with those variances, and
  /// components beyond the rank (N − 1 = 29) give exactly zero codes.
  @Test func dualRouteMatchesTheCovariance() throws {
    let rng = RandomSource(seed: 5)
    var x = rng.normalMatrix(rows: 30, columns: 200)
    for i in 0..<x.rows { for j in 0..<x.columns { x[i, j] *= 1 + Double(j % 7) } }
    let pca = try PrincipalComponents(fitting: x, components: 3)
    let values = try x.covariance().symmetricEigen(vectors: false).values.reversed().map { $0 }
    for t in 0..<3 { #expect(abs(pca.variances[t] / values[t] - 1) < 1e-9, "\(t): \(pca.variances[t]) vs \(values[t])") }
    let total = values.reduce(0) { $0 + Swift.max($1, 0) }
    #expect(abs(pca.explainedVarianceRatio - values.prefix(3).reduce(0, +) / total) < 1e-9)
    let c = try pca.project(x).covariance()
    for a in 0..<3 {
      #expect(abs(c[a, a] / pca.variances[a] - 1) < 1e-9)
      for b in 0..<a { #expect(abs(c[a, b]) < 1e-9 * c[0, 0]) }
    }
    let beyond = try PrincipalComponents(fitting: x, components: 31)
    #expect(beyond.variances[29] == 0 && beyond.variances[30] == 0)
    #expect(try beyond.project(x).column(30).allSatisfy { $0 == 0 })
  }

  @Test func extremeScalesFitTheSameDirections() throws {
    let x = RandomSource(seed: 6).normalMatrix(rows: 200, columns: 6)
    let reference = try PrincipalComponents(fitting: x, components: 2)
    for s in [1e300, 1e-300] {
      var y = x
      for k in y.elements.indices { y.elements[k] *= s }
      let pca = try PrincipalComponents(fitting: y, components: 2)
      for k in reference.components.elements.indices {
        #expect(abs(abs(pca.components.elements[k]) - abs(reference.components.elements[k])) < 1e-9)
      }
      #expect(abs(pca.explainedVarianceRatio - reference.explainedVarianceRatio) < 1e-12)
      #expect(abs(pca.mean[0] / (reference.mean[0] * s) - 1) < 1e-9)
    }
  }

  @Test func orderOfTheEigenproblemIsBounded() throws {
    let x = RandomSource(seed: 7).normalMatrix(rows: 12, columns: 40)
    #expect(throws: EstimatorError.self) { try PrincipalComponents(fitting: x, components: 2, maximumOrder: 11) }
    #expect(try PrincipalComponents(fitting: x, components: 2, maximumOrder: 12).components.rows == 40)
    #expect(PrincipalComponents.maximumOrder == 8_192)
  }
}
