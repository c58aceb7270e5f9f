import Dispatch
import Foundation
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

/// Runs `body(0)`, …, `body(count − 1)` at the same time, each on its own new thread (16 MB
/// stack), and returns when all have finished. Unlike `Parallel.forEach` (at most one worker
/// per core), this lets a few long independent calls share the cores — for native calls that
/// cannot themselves use more than one core well (the Rényi estimator's eigen-decompositions).
func _runOnDedicatedThreads(_ count: Int, _ body: (Int) -> Void) {
  NativeRuntime.ensureInitialised()
  if count <= 1 {
    for i in 0..<count { body(i) }
    return
  }
  withoutActuallyEscaping(body) { body in
    let group = DispatchGroup()
    let work = _UncheckedBox(body)
    for i in 0..<count {
      group.enter()
      let thread = Thread {
        work.value(i)
        group.leave()
      }
      thread.stackSize = 16 << 20
      thread.start()
    }
    group.wait()
  }
}

/// Carries a non-Sendable value across a thread boundary whose lifetime the caller bounds.
struct _UncheckedBox<T>: @unchecked Sendable {
  let value: T
  init(_ value: T) { self.value = value }
}
