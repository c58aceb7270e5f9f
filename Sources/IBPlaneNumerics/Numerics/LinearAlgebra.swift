/// Dense linear algebra on `Matrix`, through BLAS (OpenBLAS) and LAPACKE.
extension Matrix {
  /// The product op(self)·op(other), with optional transposes.
  ///
  /// The corresponding C function is `cblas_sgemm` / `cblas_dgemm`.
  @_specialize(exported: true, where Scalar == Float)
  @_specialize(exported: true, where Scalar == Double)
  public func multiplied(
    by other: Matrix, transposingSelf: Bool = false, transposingOther: Bool = false
  ) throws -> Matrix {
    let m = transposingSelf ? columns : rows
    let k = transposingSelf ? rows : columns
    let k2 = transposingOther ? other.columns : other.rows
    let n = transposingOther ? other.rows : other.columns
    guard k == k2 else {
      throw NumericsError.shapeMismatch("cannot multiply \(m)×\(k) by \(k2)×\(n)")
    }
    var out = Matrix(rows: m, columns: n)
    if m == 0 || n == 0 { return out }
    if k == 0 { return out }
    let (m32, n32, k32) = (try _blasInt(m, "rows"), try _blasInt(n, "columns"), try _blasInt(k, "inner dimension"))
    let lda = try _blasInt(Swift.max(columns, 1), "lda")
    let ldb = try _blasInt(Swift.max(other.columns, 1), "ldb")
    elements.withUnsafeBufferPointer { a in
      other.elements.withUnsafeBufferPointer { b in
        out.elements.withUnsafeMutableBufferPointer { c in
          Scalar.gemm(
            transA: transposingSelf, transB: transposingOther, m: m32, n: n32, k: k32, alpha: 1,
            a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: 0,
            c: c.baseAddress!, ldc: n32)
        }
      }
    }
    return out
  }

  /// The Gram matrix self·selfᵀ (rows × rows), full symmetric.
  ///
  /// The corresponding C function is `cblas_ssyrk` / `cblas_dsyrk` (upper triangle, then mirrored).
  public func gram() throws -> Matrix {
    var out = Matrix(rows: rows, columns: rows)
    if rows == 0 || columns == 0 { return out }
    let n = try _blasInt(rows, "rows")
    let k = try _blasInt(columns, "columns")
    elements.withUnsafeBufferPointer { a in
      out.elements.withUnsafeMutableBufferPointer { c in
        Scalar.syrk(n: n, k: k, alpha: 1, a: a.baseAddress!, lda: k, beta: 0, c: c.baseAddress!, ldc: n)
      }
    }
    for i in 0..<rows { for j in 0..<i { out.elements[i * rows + j] = out.elements[j * rows + i] } }
    return out
  }

  /// Eigenvalues (ascending) and, optionally, eigenvectors (as columns) of a symmetric matrix.
  ///
  /// Only the upper triangle is read. The corresponding C function is `LAPACKE_ssyevd` / `LAPACKE_dsyevd`.
  public func symmetricEigen(vectors: Bool = true) throws -> (values: [Scalar], vectors: Matrix?) {
    guard rows == columns else { throw NumericsError.shapeMismatch("eigen-decomposition needs a square matrix, got \(rows)×\(columns)") }
    if rows == 0 { return ([], vectors ? self : nil) }
    let n = try _blasInt(rows, "order")
    var a = elements
    var w = [Scalar](repeating: 0, count: rows)
    let info = a.withUnsafeMutableBufferPointer { ap in
      w.withUnsafeMutableBufferPointer { wp in
        Scalar.syevd(jobz: CChar(UInt8(ascii: vectors ? "V" : "N")), n: n, a: ap.baseAddress!, lda: n, w: wp.baseAddress!)
      }
    }
    guard info == 0 else { throw NumericsError.lapackFailure(routine: "syevd", info: Int(info)) }
    return (w, vectors ? try Matrix(rows: rows, columns: rows, elements: a) : nil)
  }

  /// Eigenvalues (ascending) of the symmetric matrix `m`, which is consumed (its storage is the
  /// LAPACK workspace: no N×N copy). Only the upper triangle is read. Two-stage reduction
  /// (`LAPACKE_ssyevd_2stage` / `LAPACKE_dsyevd_2stage`, values only): the same eigenvalues as
  /// `symmetricEigen(vectors: false)` to rounding, and faster: the band reduction runs on BLAS-3
  /// and no eigenvectors are accumulated.
  public static func symmetricEigenvalues(consuming m: inout Matrix) throws -> [Scalar] {
    guard m.rows == m.columns else { throw NumericsError.shapeMismatch("eigen-decomposition needs a square matrix, got \(m.rows)×\(m.columns)") }
    if m.rows == 0 { return [] }
    let n = try _blasInt(m.rows, "order")
    var w = [Scalar](repeating: 0, count: m.rows)
    let info = m.elements.withUnsafeMutableBufferPointer { ap in
      w.withUnsafeMutableBufferPointer { wp in Scalar.syevdValues2stage(n: n, a: ap.baseAddress!, lda: n, w: wp.baseAddress!) }
    }
    m = Matrix(rows: 0, columns: 0)
    guard info == 0 else { throw NumericsError.lapackFailure(routine: "syevd_2stage", info: Int(info)) }
    return w
  }

  /// Thin singular value decomposition self = U·diag(s)·Vᵀ, singular values descending.
  ///
  /// The corresponding C function is `LAPACKE_sgesdd` / `LAPACKE_dgesdd`.
  public func singularValueDecomposition() throws -> (u: Matrix, s: [Scalar], vt: Matrix) {
    let k = Swift.min(rows, columns)
    guard k > 0 else { throw NumericsError.shapeMismatch("SVD of an empty \(rows)×\(columns) matrix") }
    let m32 = try _blasInt(rows, "rows")
    let n32 = try _blasInt(columns, "columns")
    let k32 = Int32(k)
    var a = elements
    var s = [Scalar](repeating: 0, count: k)
    var u = [Scalar](repeating: 0, count: rows * k)
    var vt = [Scalar](repeating: 0, count: k * columns)
    let info = a.withUnsafeMutableBufferPointer { ap in
      s.withUnsafeMutableBufferPointer { sp in
        u.withUnsafeMutableBufferPointer { up in
          vt.withUnsafeMutableBufferPointer { vp in
            Scalar.gesdd(
              m: m32, n: n32, a: ap.baseAddress!, lda: n32, s: sp.baseAddress!,
              u: up.baseAddress!, ldu: k32, vt: vp.baseAddress!, ldvt: n32)
          }
        }
      }
    }
    guard info == 0 else { throw NumericsError.lapackFailure(routine: "gesdd", info: Int(info)) }
    return (try Matrix(rows: rows, columns: k, elements: u), s, try Matrix(rows: k, columns: columns, elements: vt))
  }

  /// The lower Cholesky factor L with self = L·Lᵀ; throws when self is not positive definite.
  ///
  /// The corresponding C function is `LAPACKE_spotrf` / `LAPACKE_dpotrf`.
  public func cholesky() throws -> Matrix {
    guard rows == columns else { throw NumericsError.shapeMismatch("Cholesky needs a square matrix, got \(rows)×\(columns)") }
    if rows == 0 { return self }
    let n = try _blasInt(rows, "order")
    var a = elements
    let info = a.withUnsafeMutableBufferPointer { Scalar.potrf(n: n, a: $0.baseAddress!, lda: n) }
    guard info == 0 else {
      throw NumericsError.lapackFailure(routine: "potrf (matrix not positive definite)", info: Int(info))
    }
    for i in 0..<rows { for j in (i + 1)..<rows { a[i * rows + j] = 0 } }
    return try Matrix(rows: rows, columns: rows, elements: a)
  }

  /// log det of a symmetric positive-definite matrix, through its Cholesky factor.
  public func logDeterminantSPD() throws -> Double {
    let l = try cholesky()
    var s = 0.0
    for i in 0..<rows { s += 2 * Double(l[i, i]).logNatural }
    return s
  }

  /// The sample covariance (divisor N − 1) of the columns, computed in Double.
  public func covariance() throws -> Matrix<Double> {
    guard rows >= 2 else { throw NumericsError.shapeMismatch("covariance needs at least 2 samples, got \(rows)") }
    let means = columnMeans()
    var centred = Matrix<Double>(rows: rows, columns: columns)
    for i in 0..<rows {
      for j in 0..<columns { centred.elements[i * columns + j] = Double(elements[i * columns + j]) - means[j] }
    }
    var c = try centred.multiplied(by: centred, transposingSelf: true)
    let scale = 1 / Double(rows - 1)
    for i in 0..<c.elements.count { c.elements[i] *= scale }
    return c
  }

  /// Squared Euclidean norms of the rows, in Double.
  public func rowSquaredNorms() -> [Double] {
    var out = [Double](repeating: 0, count: rows)
    elements.withUnsafeBufferPointer { e in
      for i in 0..<rows {
        var s = 0.0
        for j in 0..<columns { let v = Double(e[i * columns + j]); s += v * v }
        out[i] = s
      }
    }
    return out
  }
}

extension Double {
  @inline(__always) package var logNatural: Double { _math_log(self) }
}

@inline(__always) package func _math_log(_ x: Double) -> Double {
  #if canImport(Glibc)
    return Glibc.log(x)
  #else
    return Foundation.log(x)
  #endif
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

@inline(__always) package func _math_exp(_ x: Double) -> Double {
  #if canImport(Glibc)
    return Glibc.exp(x)
  #else
    return Foundation.exp(x)
  #endif
}
