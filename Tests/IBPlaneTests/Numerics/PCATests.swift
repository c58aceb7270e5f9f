import Testing
@testable import IBPlane

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
