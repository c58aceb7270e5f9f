import Dispatch
#if canImport(Glibc)
  import Glibc
#endif

/// Data-parallel loops over Dispatch, used by every long loop of ibplane.
public enum Parallel {
  /// Worker count: `IBPLANE_THREADS` if set, else the number of active cores.
  public static var defaultThreads: Int {
    if let s = getenv("IBPLANE_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
    return Swift.max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
  }

  /// Runs `body(chunk)` for chunks 0..<count on up to `threads` workers.
  ///
  /// Work is assigned in a fixed way (each chunk index exactly once), and callers write
  /// per-chunk results to disjoint slots, so results do not depend on scheduling.
  public static func forEach(_ count: Int, threads: Int = defaultThreads, _ body: (Int) -> Void) {
    NativeRuntime.ensureInitialised()
    if count <= 0 { return }
    if threads <= 1 || count == 1 {
      for i in 0..<count { body(i) }
      return
    }
    withoutActuallyEscaping(body) { body in
      DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }
  }
}
