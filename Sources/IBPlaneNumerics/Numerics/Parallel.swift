import Foundation

/// Data-parallel loops on ibplane's own worker pool, used by every long loop of ibplane.
///
/// One bound governs all of them: `maximumThreads`, the process-wide setting (from
/// `IBPLANE_THREADS`, else the number of active cores; the CLI's `--threads` and the C ABI's
/// `"threads"` set it once at start). A loop runs at most `min(threads, maximumThreads)`
/// bodies at once, its calling thread included, and nested loops share the same workers, so
/// with one calling thread the whole process runs at most `maximumThreads` bodies at once.
/// OpenBLAS runs one thread per call inside them (`NativeRuntime`).
public enum Parallel {
  /// The most bodies `forEach` runs at once in this process (with one calling thread), and
  /// the default `threads` of every loop. Starts as `IBPLANE_THREADS` when that is an integer
  /// in 1…`threadLimit`, else the number of cores this process may use; setting it (clamped
  /// to 1…`threadLimit`) resizes the pool.
  public static var maximumThreads: Int {
    get { _ThreadSetting.shared.value }
    set {
      let n = Swift.min(Swift.max(1, newValue), threadLimit)
      _ThreadSetting.shared.value = n
      _WorkerPool.shared.workerLimit = n - 1
    }
  }

  /// The thread count loops use when not told otherwise: `maximumThreads`.
  public static var defaultThreads: Int { maximumThreads }

  /// The largest thread count accepted anywhere (`--threads`, `IBPLANE_THREADS`, the C ABI's
  /// `"threads"`): far above any core count, low enough that a typo cannot ask for a million threads.
  public static let threadLimit = 4096

  /// `IBPLANE_THREADS` when it is set to an integer in 1…`threadLimit`, nil when unset; throws
  /// a one-sentence error when it is set to anything else (the CLI exits with it; the library
  /// alone falls back to the number of cores).
  public static func environmentThreads() throws -> Int? {
    guard let s = getenv("IBPLANE_THREADS") else { return nil }
    let text = String(cString: s)
    guard let n = Int(text), (1...threadLimit).contains(n) else {
      throw NumericsError.invalidParameter(
        "IBPLANE_THREADS must be an integer in 1…\(threadLimit) (worker threads), got \"\(text)\"")
    }
    return n
  }

  /// Runs `body(i)` for i in 0..<count with at most `min(threads, maximumThreads)` bodies
  /// running at once (the calling thread is one of them); returns when all have finished.
  ///
  /// Each index runs exactly once; indices are handed out dynamically, and callers write
  /// per-index results to disjoint slots, so results do not depend on scheduling. A body may
  /// itself call `forEach`: the nested loop shares the outer call's bound (`threads: 1` at the
  /// outside keeps everything inside serial) and runs on idle workers, or serially on its caller.
  public static func forEach(_ count: Int, threads: Int = defaultThreads, _ body: (Int) -> Void) {
    NativeRuntime.ensureInitialised()
    if count <= 0 { return }
    let bound = maximumThreads
    if bound <= 1 {
      for i in 0..<count { body(i) }
      return
    }
    _WorkerPool.shared.run(count, threads: Swift.min(threads, bound), body)
  }
}

/// Storage of `Parallel.maximumThreads`, read on every loop. `@unchecked Sendable`: `value`
/// is read and written only with `lock` held.
private final class _ThreadSetting: @unchecked Sendable {
  static let shared = _ThreadSetting()
  private let lock = NSLock()
  private var stored: Int

  private init() {
    let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    stored = ((try? Parallel.environmentThreads()) ?? nil) ?? cores
  }

  var value: Int {
    get { lock.lock(); defer { lock.unlock() }; return stored }
    set { lock.lock(); stored = newValue; lock.unlock() }
  }
}
