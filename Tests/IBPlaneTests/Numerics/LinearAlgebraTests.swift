import Testing
import IBPlane

@Suite struct LinearAlgebraTests {
  @Test func gemmMatchesHandComputedProduct() throws {
    let a = try Matrix<Double>([[1, 2, 3], [4, 5, 6]])
    let b = try Matrix<Double>([[7, 8], [9, 10], [11, 12]])
    let c = try a.multiplied(by: b)
    #expect(c == (try Matrix<Double>([[58, 64], [139, 154]])))
    let ct = try b.multiplied(by: a, transposingSelf: true, transposingOther: true)
    #expect(ct == c.transposed)
    let f = try a.converted(to: Float.self).multiplied(by: b.converted(to: Float.self))
    #expect(f.elements == [58, 64, 139, 154])
  }

  @Test func gemmRejectsMismatchedShapes() throws {
    let a = Matrix<Double>(rows: 2, columns: 3)
    #expect(throws: NumericsError.self) { try a.multiplied(by: a) }
  }

  @Test func gramIsSymmetricAndMatchesGemm() throws {
    let rng = RandomSource(seed: 3)
    let x = rng.normalMatrix(rows: 7, columns: 4)
    let g = try x.gram()
    let ref = try x.multiplied(by: x, transposingOther: true)
    for k in 0..<g.elements.count { #expect(abs(g.elements[k] - ref.elements[k]) < 1e-12) }
  }

  @Test func eigenOfHandCheckedMatrix() throws {
    // [[2,1],[1,2]] has eigenvalues 1 and 3 with eigenvectors (1,-1)/√2 and (1,1)/√2.
    let m = try Matrix<Double>([[2, 1], [1, 2]])
    let (values, vectors) = try m.symmetricEigen()
    #expect(abs(values[0] - 1) < 1e-14 && abs(values[1] - 3) < 1e-14)
    let v = try #require(vectors)
    #expect(abs(abs(v[0, 1]) - 0.5.squareRoot()) < 1e-14)
    #expect(abs(v[0, 1] - v[1, 1]) < 1e-14)  // (1,1)/√2 up to sign
    #expect(abs(v[0, 0] + v[1, 0]) < 1e-14)  // (1,-1)/√2 up to sign
  }

  @Test func eigenReconstructsRandomSymmetricMatrix() throws {
    let rng = RandomSource(seed: 11)
    let x = rng.normalMatrix(rows: 6, columns: 6)
    let s = try x.gram()
    let (values, vectorsOpt) = try s.symmetricEigen()
    let v = try #require(vectorsOpt)
    var vd = v
    for i in 0..<6 { for j in 0..<6 { vd[i, j] *= values[j] } }
    let back = try vd.multiplied(by: v, transposingOther: true)
    for k in 0..<36 { #expect(abs(back.elements[k] - s.elements[k]) < 1e-10) }
    #expect(values == values.sorted())
  }

  @Test func svdOfHandCheckedMatrix() throws {
    // diag(3, 2) padded: singular values 3, 2.
    let m = try Matrix<Double>([[3, 0], [0, -2], [0, 0]])
    let (u, s, vt) = try m.singularValueDecomposition()
    #expect(abs(s[0] - 3) < 1e-14 && abs(s[1] - 2) < 1e-14)
    var us = u
    for i in 0..<3 { for j in 0..<2 { us[i, j] *= s[j] } }
    let back = try us.multiplied(by: vt)
    for k in 0..<6 { #expect(abs(back.elements[k] - m.elements[k]) < 1e-14) }
  }

  @Test func choleskyAndLogDeterminant() throws {
    let m = try Matrix<Double>([[4, 2], [2, 3]])  // det = 8
    let l = try m.cholesky()
    #expect(l == (try Matrix<Double>([[2, 0], [1, 2.0.squareRoot()]])) || abs(l[1, 1] - 2.0.squareRoot()) < 1e-15)
    #expect(abs(try m.logDeterminantSPD() - _math_log(8)) < 1e-14)
    let singular = try Matrix<Double>([[1, 1], [1, 1]])
    #expect(throws: NumericsError.self) { try singular.cholesky() }
  }

  @Test func covarianceMatchesDefinition() throws {
    let x = try Matrix<Double>([[1, 2], [3, 6], [5, 7]])
    let c = try x.covariance()
    // means (3, 5); var x1 = (4+0+4)/2 = 4; var x2 = (9+1+4)/2 = 7; cov = (6+0+4)/2 = 5
    #expect(c.elements == [4, 5, 5, 7])
  }
}
