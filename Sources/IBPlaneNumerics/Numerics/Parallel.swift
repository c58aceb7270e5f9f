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
      // Safe: callers write per-index results to disjoint slots (see above), and the closure
      // does not outlive this call.
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: count) { body($0) }
    }
  }
}

/// Runs `body(0)`, …, `body(count − 1)` at the same time, each on its own new thread (16 MB
/// stack), and returns when all have finished. Unlike `Parallel.forEach` (at most one worker
/// per core), this lets a few long independent calls share the cores — for native calls that
/// cannot themselves use more than one core well (the Rényi estimator's eigen-decompositions).
///
/// The threads are POSIX threads that are *joined* before returning: a joined thread has
/// released everything it captured, so `body` provably does not outlive this call (a
/// `Foundation.Thread` keeps its closure until the thread object is deallocated, some time after
/// its block returns — which `withoutActuallyEscaping` caught as an escape in about a quarter of
/// runs). When the system refuses a thread, that index runs on the calling thread instead.
/// The corresponding C functions are `pthread_create` and `pthread_join`.
package func _runOnDedicatedThreads(_ count: Int, _ body: (Int) -> Void) {
  NativeRuntime.ensureInitialised()
  if count <= 1 {
    for i in 0..<count { body(i) }
    return
  }
  withoutActuallyEscaping(body) { body in
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, 16 << 20)
    var started: [pthread_t] = []
    var refused: [Int] = []
    for i in 0..<count {
      let job = Unmanaged.passRetained(_ThreadJob { body(i) }).toOpaque()
      var thread = pthread_t()
      let status = pthread_create(&thread, &attributes, { raw in
        // Takes the +1 reference: the job (and with it `body`) is released before the thread ends.
        Unmanaged<_ThreadJob>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
      }, job)
      if status == 0 {
        started.append(thread)
      } else {
        Unmanaged<_ThreadJob>.fromOpaque(job).release()
        refused.append(i)
      }
    }
    for i in refused { body(i) }
    for thread in started { pthread_join(thread, nil) }
  }
}

/// One thread's work for `_runOnDedicatedThreads`, passed through `pthread_create`'s context pointer.
private final class _ThreadJob {
  let run: () -> Void
  init(_ run: @escaping () -> Void) { self.run = run }
}
