import CNative

/// Special functions from GSL, Swift-shaped: they throw instead of aborting.
public enum SpecialFunctions {
  /// The digamma function ψ(x). The corresponding C function is `gsl_sf_psi_e`.
  public static func digamma(_ x: Double) throws -> Double {
    NativeRuntime.ensureInitialised()
    var r = gsl_sf_result()
    let status = gsl_sf_psi_e(x, &r)
    guard status == GSL_SUCCESS else {
      throw NumericsError.invalidParameter("digamma(\(x)): \(String(cString: gsl_strerror(status)))")
    }
    return r.val
  }

  /// ψ(n) for a positive integer n, the common case in kNN estimators.
  /// The corresponding C function is `gsl_sf_psi_int_e`.
  public static func digamma(_ n: Int) throws -> Double {
    NativeRuntime.ensureInitialised()
    guard n > 0, n <= Int(Int32.max) else { throw NumericsError.invalidParameter("digamma(\(n)) needs a positive integer") }
    var r = gsl_sf_result()
    let status = gsl_sf_psi_int_e(Int32(n), &r)
    guard status == GSL_SUCCESS else { throw NumericsError.invalidParameter("digamma(\(n))") }
    return r.val
  }

  /// log Γ(x) for x > 0. The corresponding C function is `gsl_sf_lngamma_e`.
  public static func logGamma(_ x: Double) throws -> Double {
    NativeRuntime.ensureInitialised()
    guard x > 0 else { throw NumericsError.invalidParameter("logGamma(\(x)) needs x > 0") }
    var r = gsl_sf_result()
    let status = gsl_sf_lngamma_e(x, &r)
    guard status == GSL_SUCCESS else { throw NumericsError.invalidParameter("logGamma(\(x))") }
    return r.val
  }

  /// The standard normal CDF Φ(x). The corresponding C function is `gsl_cdf_ugaussian_P`.
  public static func normalCDF(_ x: Double) -> Double {
    NativeRuntime.ensureInitialised()
    return gsl_cdf_ugaussian_P(x)
  }

  /// log of the volume of the unit ball in dᵈ under the p-norm: p = 2 (Euclidean) or ∞ (max-norm: (2)ᵈ).
  public static func logUnitBallVolume(dimension d: Int, euclidean: Bool) throws -> Double {
    if !euclidean { return Double(d) * 0.6931471805599453 }
    return Double(d) / 2 * 1.1447298858494002 - (try logGamma(Double(d) / 2 + 1))
  }
}
