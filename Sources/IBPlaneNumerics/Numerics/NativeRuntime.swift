import CNative

/// One-time set-up of the native libraries, run before any GSL or BLAS call.
///
/// - GSL's default error handler aborts the process; ibplane turns it off and uses the
///   `_e` variants of special functions, which return a status instead.
/// - Thread policy: OpenBLAS would otherwise start one thread per core *inside* each call.
///   ibplane parallelises its own long loops (tiles, jobs) on its worker pool, so BLAS calls
///   made from those workers must be single-threaded, or 2 cores run 4 threads (and
///   `--threads N` would become N × N). The policy is therefore: OpenBLAS is set to 1 thread,
///   and parallelism is ibplane's, through `Parallel.forEach`, within `Parallel.maximumThreads`.
///   Callers that do one big GEMM with nothing else running (the trainer) may raise it with
///   `NativeRuntime.setBLASThreads(_:)`. The pthreads build of OpenBLAS starts its own
///   (cores − 1) server threads when it loads; at 1 thread per call they stay parked.
public enum NativeRuntime {
  private static let once: Void = {
    gsl_set_error_handler_off()
    openblas_set_num_threads(1)
  }()

  /// Ensures the native libraries are configured. Cheap after the first call.
  @inline(__always) public static func ensureInitialised() { _ = once }

  /// Sets the number of threads OpenBLAS may use in a single call.
  /// The corresponding C function is `openblas_set_num_threads`.
  public static func setBLASThreads(_ n: Int) {
    ensureInitialised()
    openblas_set_num_threads(Int32(Swift.max(1, n)))
  }

  /// The number of threads OpenBLAS currently uses per call.
  public static var blasThreads: Int {
    ensureInitialised()
    return Int(openblas_get_num_threads())
  }
}
