import CNative

/// A floating-point type with BLAS/LAPACK entry points: `Float` (s-routines) and `Double` (d-routines).
///
/// Every C call of ibplane's numeric core goes through this protocol's two conformances,
/// so the public API stays Swift-shaped and generic. Each first applies the thread policy
/// (`NativeRuntime.ensureInitialised`: OpenBLAS at one thread unless raised), so a BLAS call
/// made before any other native call — the Gaussian estimator's `syrk` in a fresh process —
/// does not run on as many threads as cores and give a core-count-dependent last bit.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable where Self.RawSignificand: FixedWidthInteger {
  /// Which of the two conformances this is; the kernels below dispatch on it (a constant in
  /// specialised code, so the branch folds away).
  static var blasPrecision: BLASPrecision { get }
}

/// The two element types BLAS and LAPACK provide routines for: `BLASScalar` has exactly the
/// conformances `Float` (single) and `Double` (double); it is not an extension point.
public enum BLASPrecision: Sendable { case single, double }

extension Float: BLASScalar { public static var blasPrecision: BLASPrecision { .single } }
extension Double: BLASScalar { public static var blasPrecision: BLASPrecision { .double } }

let _rowMajor = Int32(LAPACK_ROW_MAJOR)
/// A row-major upper triangle is the column-major lower triangle of the transpose — the same
/// matrix when it is symmetric — so symmetric routines are called column-major with "L", which
/// spares LAPACKE's transposed copy.
let _columnMajor = Int32(LAPACK_COL_MAJOR)
let _lower = CChar(UInt8(ascii: "L"))
let _valuesOnly = CChar(UInt8(ascii: "N"))

/// The BLAS/LAPACK entry points, for the layers of the library (`package`: not public API).
/// Each dispatches to the s- or d-routine by `blasPrecision`; pointers are reinterpreted only
/// after that check, so `Self` is exactly the routine's element type.
extension BLASScalar {
  @inline(__always)
  private static func f(_ p: UnsafePointer<Self>) -> UnsafePointer<Float> { UnsafeRawPointer(p).assumingMemoryBound(to: Float.self) }
  @inline(__always)
  private static func f(_ p: UnsafeMutablePointer<Self>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) }
  @inline(__always)
  private static func d(_ p: UnsafePointer<Self>) -> UnsafePointer<Double> { UnsafeRawPointer(p).assumingMemoryBound(to: Double.self) }
  @inline(__always)
  private static func d(_ p: UnsafeMutablePointer<Self>) -> UnsafeMutablePointer<Double> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self) }

  /// C ← α·op(A)·op(B) + β·C, row-major. The corresponding C function is `cblas_sgemm` / `cblas_dgemm`.
  package static func gemm(
    transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Self,
    a: UnsafePointer<Self>, lda: Int32, b: UnsafePointer<Self>, ldb: Int32, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    let (ta, tb) = (transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans)
    switch blasPrecision {
    case .single:
      ibp_cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, Float(alpha), f(a), lda, f(b), ldb, Float(beta), f(c), ldc)
    case .double:
      ibp_cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, Double(alpha), d(a), lda, d(b), ldb, Double(beta), d(c), ldc)
    }
  }
  /// C ← α·A·Aᵀ + β·C (upper triangle), row-major. The corresponding C function is `cblas_ssyrk` / `cblas_dsyrk`.
  package static func syrk(
    n: Int32, k: Int32, alpha: Self, a: UnsafePointer<Self>, lda: Int32, beta: Self,
    c: UnsafeMutablePointer<Self>, ldc: Int32
  ) {
    NativeRuntime.ensureInitialised()
    switch blasPrecision {
    case .single: ibp_cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, Float(alpha), f(a), lda, Float(beta), f(c), ldc)
    case .double: ibp_cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, Double(alpha), d(a), lda, Double(beta), d(c), ldc)
    }
  }
  /// Symmetric eigen-decomposition (divide and conquer). `LAPACKE_ssyevd` / `LAPACKE_dsyevd`.
  package static func syevd(
    jobz: CChar, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, w: UnsafeMutablePointer<Self>
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    let upper = CChar(UInt8(ascii: "U"))
    switch blasPrecision {
    case .single: return ibp_LAPACKE_ssyevd(_rowMajor, jobz, upper, n, f(a), lda, f(w))
    case .double: return ibp_LAPACKE_dsyevd(_rowMajor, jobz, upper, n, d(a), lda, d(w))
    }
  }
  /// Eigenvalues only of a symmetric matrix by two-stage tridiagonal reduction (dense → band by
  /// BLAS-3, band → tridiagonal by bulge chasing) and divide and conquer; reads the upper
  /// triangle of a row-major matrix and destroys it. `LAPACKE_ssyevd_2stage` / `LAPACKE_dsyevd_2stage`.
  package static func syevdValues2stage(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, w: UnsafeMutablePointer<Self>) -> Int32 {
    NativeRuntime.ensureInitialised()
    switch blasPrecision {
    case .single: return ibp_LAPACKE_ssyevd_2stage(_columnMajor, _valuesOnly, _lower, n, f(a), lda, f(w))
    case .double: return ibp_LAPACKE_dsyevd_2stage(_columnMajor, _valuesOnly, _lower, n, d(a), lda, d(w))
    }
  }
  /// Thin SVD by divide and conquer. `LAPACKE_sgesdd` / `LAPACKE_dgesdd`.
  package static func gesdd(
    m: Int32, n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32, s: UnsafeMutablePointer<Self>,
    u: UnsafeMutablePointer<Self>, ldu: Int32, vt: UnsafeMutablePointer<Self>, ldvt: Int32
  ) -> Int32 {
    NativeRuntime.ensureInitialised()
    let thin = CChar(UInt8(ascii: "S"))
    switch blasPrecision {
    case .single: return ibp_LAPACKE_sgesdd(_rowMajor, thin, m, n, f(a), lda, f(s), f(u), ldu, f(vt), ldvt)
    case .double: return ibp_LAPACKE_dgesdd(_rowMajor, thin, m, n, d(a), lda, d(s), d(u), ldu, d(vt), ldvt)
    }
  }
  /// Cholesky factorisation (lower). `LAPACKE_spotrf` / `LAPACKE_dpotrf`.
  package static func potrf(n: Int32, a: UnsafeMutablePointer<Self>, lda: Int32) -> Int32 {
    NativeRuntime.ensureInitialised()
    let lower = CChar(UInt8(ascii: "L"))
    switch blasPrecision {
    case .single: return ibp_LAPACKE_spotrf(_rowMajor, lower, n, f(a), lda)
    case .double: return ibp_LAPACKE_dpotrf(_rowMajor, lower, n, d(a), lda)
    }
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
