import CNative
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

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
///   `NativeRuntime.setBLASThreads(_:)`.
/// - OpenBLAS's idle pool: the pthreads build starts its (cores − 1) server threads when the
///   library loads, and each new server thread busy-waits on `sched_yield` for 2²⁸ TSC ticks
///   (≈ 0.1 s, `THREAD_TIMEOUT`) before it parks — a core's worth of CPU at the start of every
///   command, whether or not it ever calls BLAS (issue 18: 26 % of the samples of a binning
///   `estimate`). At 1 thread per call that pool is never used, so the set-up stops it with
///   `blas_thread_shutdown_` (the routine OpenBLAS itself runs before a `fork`); OpenBLAS
///   restarts it lazily (`blas_thread_init`) when a call runs on more than one thread, and
///   `setBLASThreads` restarts it before raising the count. Results do not change: a BLAS call
///   at 1 thread never touches the pool.
public enum NativeRuntime {
  private static let once: Void = {
    gsl_set_error_handler_off()
    openblas_set_num_threads(1)
    _ = _OpenBLASPool.shutdown?()
  }()

  /// Ensures the native libraries are configured. Cheap after the first call. The CLI calls it
  /// first thing so that OpenBLAS's idle pool is stopped before it burns CPU.
  @inline(__always) public static func ensureInitialised() { _ = once }

  /// Sets the number of threads OpenBLAS may use in a single call.
  /// The corresponding C function is `openblas_set_num_threads`; above 1, the pool stopped at
  /// start-up is restarted first (`blas_thread_init`, a no-op when it runs), so OpenBLAS grows
  /// it from a consistent state. At 1, a stopped pool stays stopped: OpenBLAS 0.3's
  /// `openblas_set_num_threads` restarts a stopped pool whatever the count (its lazy
  /// re-initialisation after a `fork`), so the trainer's `setBLASThreads(1)` brought the
  /// spinning threads back; the pool is stopped again when it was stopped before the call (then
  /// no call can be using it). Calls are serialised, so a concurrent raise is not undone.
  public static func setBLASThreads(_ n: Int) {
    ensureInitialised()
    let threads = Swift.max(1, n)
    blasThreadsLock.lock()
    defer { blasThreadsLock.unlock() }
    if threads > 1 {
      _ = _OpenBLASPool.start?()
      openblas_set_num_threads(Int32(threads))
      return
    }
    let wasStopped = (_OpenBLASPool.available?.pointee ?? 1) == 0
    openblas_set_num_threads(1)
    if wasStopped { _ = _OpenBLASPool.shutdown?() }
  }

  private static let blasThreadsLock = NSLock()

  /// The number of threads OpenBLAS currently uses per call.
  public static var blasThreads: Int {
    ensureInitialised()
    return Int(openblas_get_num_threads())
  }

  /// Whether OpenBLAS's server threads are running (false after start-up until a call or
  /// `setBLASThreads` needs them; false too for a build without a pool). For tests.
  package static var blasPoolRunning: Bool {
    ensureInitialised()
    // Under the lock: inside `setBLASThreads(1)` the pool runs for a moment between
    // `openblas_set_num_threads` and the shutdown.
    blasThreadsLock.lock()
    defer { blasThreadsLock.unlock() }
    return _OpenBLASPool.available?.pointee ?? 0 != 0
  }
}

/// OpenBLAS's thread-server entry points, looked up at run time: they are exported by the
/// pthreads build of `libopenblas` (`driver/others/blas_server.c`) but not declared in any
/// header, and a serial or OpenMP build lacks them — then there is no pool to stop.
private enum _OpenBLASPool {
  typealias Routine = @convention(c) () -> Int32

  static let shutdown: Routine? = symbol("blas_thread_shutdown_")
  static let start: Routine? = symbol("blas_thread_init")
  /// `blas_server_avail`: non-zero while the server threads exist.
  nonisolated(unsafe) static let available: UnsafeMutablePointer<Int32>? = {
    guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_server_avail") else { return nil }
    return p.assumingMemoryBound(to: Int32.self)
  }()

  private static func symbol(_ name: String) -> Routine? {
    // RTLD_DEFAULT is the null handle on glibc.
    guard let p = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(p, to: Routine.self)
  }
}
