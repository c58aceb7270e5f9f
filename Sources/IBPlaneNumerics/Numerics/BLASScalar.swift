import CNative

/// A floating-point type with BLAS/LAPACK entry points: `Float` (s-routines) and `Double` (d-routines).
///
/// Every C call of ibplane's numeric core goes through this protocol's two conformances,
/// so the public API stays Swift-shaped and generic. Each first applies the thread policy
/// (`NativeRuntime.ensureInitialised`: OpenBLAS at one thread unless raised), so a BLAS call
/// made before any other native call — the Gaussian estimator's `syrk` in a fresh process —
/// does not run on as many threads as cores and give a core-count-dependent last bit.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable where Self.RawSignificand: FixedWidthInteger {
  /// C ← α·op(A)·op(B) + β·C, row-major. The corresponding C function is `cblas_sgemm` / `cblas_dgemm`.
  static func _gemm(
    transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Self,
    a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int32)
  /// C ← α·A·Aᵀ + β·C (upper triangle), row-major. The corresponding C function is `cblas_ssyrk` / `cblas_dsyrk`.
  static func _syrk(
    n: Int32, k: Int32, alpha: Self, a: UnsafePointer<Self>, lda: Int32, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int32)
  /// Symmetric eigen-decomposition (divide and conquer). `LAPACKE_ssyevd` / `LAPACKE_dsyevd`.
  static func _syevd(
    jobz: CChar, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, w: UnsafeMutablePointer<Self>
  ) -> Int32
  /// Eigenvalues only of a symmetric matrix by two-stage tridiagonal reduction (dense → band by
  /// BLAS-3, band → tridiagonal by bulge chasing) and divide and conquer; reads the upper
  /// triangle of a row-major matrix and destroys it. `LAPACKE_ssyevd_2stage` / `LAPACKE_dsyevd_2stage`.
  static func _syevdValues2stage(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, w: UnsafeMutablePointer<Self>) -> Int32
  /// Thin SVD by divide and conquer. `LAPACKE_sgesdd` / `LAPACKE_dgesdd`.
  static func _gesdd(
    m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, s: UnsafeMutablePointer<Self>,
    u: UnsafeMutablePointer<Self>, ldu: Int32, vt: UnsafeMutablePointer<Self>, ldvt: Int32
  ) -> Int32
  /// Cholesky factorisation (lower). `LAPACKE_spotrf` / `LAPACKE_dpotrf`.
  static func _potrf(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32) -> Int32
}

let _rowMajor = Int32(LAPACK_ROW_MAJOR)
/// A row-major upper triangle is the column-major lower triangle of the transpose — the same
/// matrix when it is symmetric — so symmetric routines are called column-major with "L", which
/// spares LAPACKE's transposed copy.
let _columnMajor = Int32(LAPACK_COL_MAJOR)
let _lower = CChar(UInt8(ascii: "L"))
let _valuesOnly = CChar(UInt8(ascii: "N"))

extension Float: BLASScalar {
  public static func _gemm(
    transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Float,
    a: UnsafePointer<Float>, lda: Int32, b: UnsafePointer<Float>, ldb: Int32, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  public static func _syrk(
    n: Int32, k: Int32, alpha: Float, a: UnsafePointer<Float>, lda: Int32, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc)
  }
  public static func _syevd(
    jobz: CChar, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, w: UnsafeMutablePointer<Float>
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_ssyevd(_rowMajor, jobz, CChar(UInt8(ascii: "U")), n, a, lda, w)
  }
  public static func _syevdValues2stage(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, w: UnsafeMutablePointer<Float>) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_ssyevd_2stage(_columnMajor, _valuesOnly, _lower, n, a, lda, w)
  }
  public static func _gesdd(
    m: Int32, n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32, s: UnsafeMutablePointer<Float>,
    u: UnsafeMutablePointer<Float>, ldu: Int32, vt: UnsafeMutablePointer<Float>, ldvt: Int32
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_sgesdd(_rowMajor, CChar(UInt8(ascii: "S")), m, n, a, lda, s, u, ldu, vt, ldvt)
  }
  public static func _potrf(n: Int32, a: UnsafeMutablePointer<Float>, lda: Int32) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_spotrf(_rowMajor, CChar(UInt8(ascii: "L")), n, a, lda)
  }
}

extension Double: BLASScalar {
  public static func _gemm(
    transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Double,
    a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    cblas_dgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }
  public static func _syrk(
    n: Int32, k: Int32, alpha: Double, a: UnsafePointer<Double>, lda: Int32, beta: Double,
    c: UnsafeMutablePointer<Double>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc)
  }
  public static func _syevd(
    jobz: CChar, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, w: UnsafeMutablePointer<Double>
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_dsyevd(_rowMajor, jobz, CChar(UInt8(ascii: "U")), n, a, lda, w)
  }
  public static func _syevdValues2stage(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, w: UnsafeMutablePointer<Double>) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_dsyevd_2stage(_columnMajor, _valuesOnly, _lower, n, a, lda, w)
  }
  public static func _gesdd(
    m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32, s: UnsafeMutablePointer<Double>,
    u: UnsafeMutablePointer<Double>, ldu: Int32, vt: UnsafeMutablePointer<Double>, ldvt: Int32
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_dgesdd(_rowMajor, CChar(UInt8(ascii: "S")), m, n, a, lda, s, u, ldu, vt, ldvt)
  }
  public static func _potrf(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
    NativeRuntime.ensureInitialised()
    return LAPACKE_dpotrf(_rowMajor, CChar(UInt8(ascii: "L")), n, a, lda)
  }
}

/// Narrows a dimension to BLAS's `Int32`, throwing instead of trapping.
@inline(__always)
package func _blasInt(_ value: Int, _ what: @autoclosure () -> String) throws -> Int32 {
  guard value >= 0, value <= Int(Int32.max) else {
    throw NumericsError.tooLarge("\(what()) = \(value) exceeds BLAS's 32-bit index range")
  }
  return Int32(value)
}
