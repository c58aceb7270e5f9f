import CNative
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One-time set-up of the native libraries, run before any GSL or BLAS call.
///
/// - GSL's default error handler aborts the process; ibplane turns it off and uses the
///   `_e` variants of special functions, which return a status instead.
/// - OpenBLAS and LAPACKE are not linked but loaded on first use (`_NativeLibraries`, through
///   the `ibp_` wrappers of `CNative/shim.h`): a command that never calls BLAS — binning, KSG,
///   `--version` — no longer pays for resolving their symbols and for OpenBLAS's constructor
///   (~2.7 ms of each process start; issue 17.4).
/// - Thread policy: OpenBLAS would otherwise start one thread per core *inside* each call.
///   ibplane parallelises its own long loops (tiles, jobs) on its worker pool, so BLAS calls
///   made from those workers must be single-threaded, or 2 cores run 4 threads (and
///   `--threads N` would become N × N). The policy is therefore: OpenBLAS is set to 1 thread,
///   and parallelism is ibplane's, through `Parallel.forEach`, within `Parallel.maximumThreads`.
///   Callers that do one big GEMM with nothing else running (the trainer) may raise it with
///   `NativeRuntime.setBLASThreads(_:)`.
/// - OpenBLAS's idle pool: the pthreads build starts its (cores − 1) server threads when the
///   library loads, and each new server thread busy-waits on `sched_yield` for 2²⁸ TSC ticks
///   (≈ 0.1 s, `THREAD_TIMEOUT`) before it parks — a core's worth of CPU (issue 18: 26 % of the
///   samples of a binning `estimate`, when the library was loaded at start). At 1 thread per
///   call that pool is never used, so loading the library stops it with `blas_thread_shutdown_`
///   (the routine OpenBLAS itself runs before a `fork`); OpenBLAS restarts it lazily
///   (`blas_thread_init`) when a call runs on more than one thread, and `setBLASThreads`
///   restarts it before raising the count. Results do not change: a BLAS call at 1 thread never
///   touches the pool.
/// - OpenBLAS's kernels: Debian's OpenBLAS picks them by processor when it loads, and the pick
///   changes both speed and rounding. On x86-64 processors with AVX2 and FMA ibplane loads it
///   with its Haswell kernels (`OPENBLAS_CORETYPE=Haswell` for the load only, unless the user
///   set `OPENBLAS_CORETYPE`, which is then respected). Why: OpenBLAS 0.3.21 did not recognise
///   an Intel Xeon of the Sapphire Rapids class (AVX-512) and fell back to its SSE3 `Prescott`
///   kernels — Rényi by SLQ at N = 8,192 took 17.7 s there against 7.9 s with the Haswell
///   kernels (6.1 s with its AVX-512 `SkylakeX` ones) — and where it picks AVX-512 kernels
///   they round differently from the Haswell kernels of AVX2 machines (AMD EPYC's `Zen` uses
///   them), so training follows another trajectory and the same seed gives other numbers.
///   With the Haswell kernels everywhere, the same seed gives the same numbers on every x86-64
///   machine with AVX2 (the demo's recordings and reports, field for field), at about three
///   quarters of the AVX-512 kernels' speed where OpenBLAS would pick those (7.9 against 6.1 s
///   above). `NativeRuntime.blasCore` names the kernels in use. The variable is set and removed
///   inside the one-time load; a host process (Python) that reads its environment from another
///   thread at that instant could see it.
public enum NativeRuntime {
  private static let once: Void = {
    gsl_set_error_handler_off()
  }()

  /// Ensures the native libraries are configured. Cheap after the first call. The CLI calls it
  /// first thing; OpenBLAS is configured when it is loaded, at its first use.
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
    _ = _NativeLibraries.openBLAS
    let threads = Swift.max(1, n)
    blasThreadsLock.lock()
    defer { blasThreadsLock.unlock() }
    if threads > 1 {
      _ = _OpenBLASPool.start?()
      ibp_openblas_set_num_threads(Int32(threads))
      return
    }
    let wasStopped = (_OpenBLASPool.available?.pointee ?? 1) == 0
    ibp_openblas_set_num_threads(1)
    if wasStopped { _ = _OpenBLASPool.shutdown?() }
  }

  fileprivate static let blasThreadsLock = NSLock()

  /// nil when OpenBLAS and LAPACKE load (they are then open, with the thread policy applied),
  /// else why not, naming the library and the Debian package. Linear algebra otherwise opens
  /// them on first use and stops the process when one is missing — right for the command, not
  /// for the C interface inside a Python interpreter, which asks here first.
  public static var linearAlgebraUnavailable: String? { _NativeLibraries.unavailable }

  /// The number of threads OpenBLAS currently uses per call.
  public static var blasThreads: Int {
    ensureInitialised()
    return Int(ibp_openblas_get_num_threads())
  }

  /// The kernels OpenBLAS runs (`openblas_get_corename`, e.g. "Haswell"); loads OpenBLAS.
  public static var blasCore: String {
    ensureInitialised()
    typealias CoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?
    guard let f = dlsym(_NativeLibraries.openBLAS, "openblas_get_corename"),
      let name = unsafeBitCast(f, to: CoreName.self)()
    else { return "unknown" }
    return String(cString: name)
  }

  /// Whether OpenBLAS's server threads are running (false after start-up until a call or
  /// `setBLASThreads` needs them; false too for a build without a pool). For tests.
  package static var blasPoolRunning: Bool {
    ensureInitialised()
    _ = _NativeLibraries.openBLAS
    // Under the lock: inside `setBLASThreads(1)` the pool runs for a moment between
    // `openblas_set_num_threads` and the shutdown.
    blasThreadsLock.lock()
    defer { blasThreadsLock.unlock() }
    return _OpenBLASPool.available?.pointee ?? 0 != 0
  }
}

/// OpenBLAS and LAPACKE, opened on first use (`ibp_native_symbol`, called once per function by the
/// wrappers of `CNative/shim.h`). `RTLD_LOCAL`: their symbols do not join the global scope, so
/// nothing else binds to them (GSL keeps its own CBLAS). A missing library or function is a
/// broken installation, not bad input: the process stops with a message that names it and the
/// Debian package to install.
enum _NativeLibraries {
  /// OpenBLAS, with ibplane's thread policy applied before any call can run: 1 thread per
  /// call and the idle pool stopped (see `NativeRuntime`).
  nonisolated(unsafe) static let openBLAS: UnsafeMutableRawPointer = {
    let handle = withKernelChoice { open("libopenblas.so.0", packages: "libopenblas0 (libopenblas-dev to build)") }
    NativeRuntime.blasThreadsLock.lock()
    defer { NativeRuntime.blasThreadsLock.unlock() }
    typealias SetThreads = @convention(c) (Int32) -> Void
    unsafeBitCast(symbol(handle, "openblas_set_num_threads", "libopenblas.so.0"), to: SetThreads.self)(1)
    // Looked up here, not through `_OpenBLASPool`, whose lookups need this handle.
    if let shutdown = dlsym(handle, "blas_thread_shutdown_") {
      _ = unsafeBitCast(shutdown, to: _OpenBLASPool.Routine.self)()
    }
    return handle
  }()

  /// LAPACKE (Debian's liblapacke over the LAPACK of the installed BLAS alternative).
  nonisolated(unsafe) static let lapacke: UnsafeMutableRawPointer = {
    _ = openBLAS
    return open("liblapacke.so.3", packages: "liblapacke (liblapacke-dev to build)")
  }()

  /// Runs `load` (the first load of OpenBLAS, whose constructor picks its kernels) with
  /// `OPENBLAS_CORETYPE=Haswell` on x86-64 processors with AVX2 and FMA, unless the environment
  /// already names a core; the variable is removed again once the library has loaded (see
  /// `NativeRuntime`: reproducible numbers across x86-64 machines, and no SSE3 fallback).
  static func withKernelChoice<T>(_ load: () -> T) -> T {
    guard getenv("OPENBLAS_CORETYPE") == nil, ibp_cpu_runs_haswell_kernels() != 0 else { return load() }
    setenv("OPENBLAS_CORETYPE", "Haswell", 0)
    defer { unsetenv("OPENBLAS_CORETYPE") }
    return load()
  }

  /// `dlopen` flags of both libraries. `RTLD_DEEPBIND`: their references to symbols (OpenBLAS
  /// holds ~14,000, mostly to its own functions and data) are looked up in their own scope
  /// first, instead of first through every library of the process; those lookups were ~12 % of
  /// a kde `estimate`'s samples at N = 4,096 (5 % after; 1–3 ms of its 35–38 ms). No symbol
  /// they reference is defined by ibplane or its other libraries, so the bindings are the same;
  /// in a host process (Python) whose global scope holds another BLAS, they no longer bind to it.
  /// Not under a sanitizer runtime (the fuzzers' AddressSanitizer), which refuses the flag.
  static let openFlags: Int32 = {
    let sanitized = ["__asan_init", "__tsan_init", "__msan_init"].contains { (name: String) in dlsym(nil, name) != nil }  // RTLD_DEFAULT
    return RTLD_NOW | RTLD_LOCAL | (sanitized ? 0 : RTLD_DEEPBIND)
  }()

  private static func open(_ name: String, packages: String) -> UnsafeMutableRawPointer {
    if let handle = dlopen(name, openFlags) { return handle }
    stop(missing(name, packages: packages))
  }

  private static func missing(_ name: String, packages: String) -> String {
    let reason = dlerror().map { String(cString: $0) } ?? "not found"
    return "ibplane: cannot load \(name), which linear algebra needs (\(reason)); install the Debian package \(packages)"
  }

  /// For callers that must not stop the process — the C interface, inside a Python
  /// interpreter: nil once OpenBLAS and LAPACKE are open (the thread policy applied, as on
  /// first use), else the message `open` would stop with. Tried once per process.
  static let unavailable: String? = {
    for (name, packages) in [
      ("libopenblas.so.0", "libopenblas0 (libopenblas-dev to build)"), ("liblapacke.so.3", "liblapacke (liblapacke-dev to build)"),
    ] {
      // A reference the process keeps, like the one `open` takes: the library is loaded once
      // (OpenBLAS's kernels chosen as on first use).
      if withKernelChoice({ dlopen(name, openFlags) }) == nil { return missing(name, packages: packages) }
    }
    _ = openBLAS
    _ = lapacke
    return nil
  }()

  static func symbol(_ handle: UnsafeMutableRawPointer, _ name: String, _ library: String) -> UnsafeMutableRawPointer {
    if let p = dlsym(handle, name) { return p }
    stop("ibplane: \(library) has no function \(name); the installed library is not the OpenBLAS / LAPACKE ibplane was built against")
  }

  private static func stop(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(70)  // EX_SOFTWARE
  }
}

/// The C side of the lazy wrappers: the address of `name` in OpenBLAS (`library` 0) or LAPACKE (1).
@_cdecl("ibp_native_symbol")
public func _ibpNativeSymbol(_ library: Int32, _ name: UnsafePointer<CChar>) -> UnsafeMutableRawPointer {
  let symbolName = String(cString: name)
  return library == 0
    ? _NativeLibraries.symbol(_NativeLibraries.openBLAS, symbolName, "libopenblas.so.0")
    : _NativeLibraries.symbol(_NativeLibraries.lapacke, symbolName, "liblapacke.so.3")
}

/// OpenBLAS's thread-server entry points, looked up in the loaded library: they are exported by
/// the pthreads build of `libopenblas` (`driver/others/blas_server.c`) but not declared in any
/// header, and a serial or OpenMP build lacks them — then there is no pool to stop.
fileprivate enum _OpenBLASPool {
  typealias Routine = @convention(c) () -> Int32

  static let shutdown: Routine? = routine("blas_thread_shutdown_")
  static let start: Routine? = routine("blas_thread_init")
  /// `blas_server_avail`: non-zero while the server threads exist.
  nonisolated(unsafe) static let available: UnsafeMutablePointer<Int32>? = {
    guard let p = dlsym(_NativeLibraries.openBLAS, "blas_server_avail") else { return nil }
    return p.assumingMemoryBound(to: Int32.self)
  }()

  private static func routine(_ name: String) -> Routine? {
    guard let p = dlsym(_NativeLibraries.openBLAS, name) else { return nil }
    return unsafeBitCast(p, to: Routine.self)
  }
}
