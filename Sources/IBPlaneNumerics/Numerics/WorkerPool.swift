import Foundation

/// A pool of parked POSIX threads that helps callers run the indices of a loop, at most
/// `width` bodies of one loop at a time, the calling thread included.
///
/// Why a pool of our own: `DispatchQueue.concurrentPerform` runs as wide as the machine, so it
/// cannot keep a promise like `--threads 4` on a 16-core machine; creating threads per call
/// costs tens of microseconds per call on hot paths (see bench/README.md, `ibplane-bench
/// parallel`). The pool parks its threads on a condition variable between loops.
///
/// How a loop runs (`run(_:width:_:)`): the caller publishes a job, wakes up to `width − 1`
/// idle workers, and then claims indices itself, one at a time under the pool's mutex, until
/// none are left; a worker that joins claims indices the same way. Indices are handed out
/// dynamically, so uneven bodies balance; callers write disjoint slots, so results do not
/// depend on who ran what. The caller returns once every index has finished and every helper
/// has left the job.
///
/// Nested loops (a body calling `run`) cannot deadlock: the nested caller claims every index
/// no helper has claimed, and a claimed index is always being run by a live thread, so each
/// wait is for work in progress, never for work that needs a free thread. A nested loop gets
/// helpers only from idle workers; with none idle it runs serially on its caller.
///
/// Bounds. A loop called from outside any loop of this pool opens a *budget* of `threads`
/// running bodies (itself plus `threads − 1` helper tokens) that every loop nested inside it
/// shares: a worker joins a job only by taking a token of the job's budget, and gives it back
/// when it leaves. So `forEach(n, threads: t)` runs at most t bodies at once, nested loops
/// included. Across the process, at most `workerLimit` workers are inside jobs at once, so
/// with one outside thread calling in (the CLI's main thread) at most `workerLimit + 1`
/// bodies run at once; each further outside thread that calls in adds itself.
///
/// `@unchecked Sendable`: every mutable field of the pool and of its jobs is read and written
/// only with `mutex` held; the jobs' bodies run outside it on indices claimed under it.
/// The corresponding C functions are `pthread_create`, `pthread_cond_wait` and `pthread_join`.
package final class _WorkerPool: @unchecked Sendable {
  /// The process-wide pool behind `Parallel.forEach`; its limit follows `Parallel.maximumThreads`.
  static let shared = _WorkerPool(workerLimit: Parallel.maximumThreads - 1)

  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  /// Signalled when a job is published or the pool stops; idle workers wait on it.
  private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// Broadcast when a job's last index finishes or its last helper leaves; callers wait on it.
  private let jobFinished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var open: [_PoolJob] = []
  private var workerThreads: [pthread_t] = []
  private var idle = 0
  private var busy = 0
  private var limit: Int
  private var stopping = false
  private let stackSize: Int
  /// The budget of the job whose bodies the current thread runs (an unretained `_Budget`),
  /// or nil outside this pool's loops.
  private var budgetKey = pthread_key_t()

  /// - Parameters:
  ///   - workerLimit: the most threads the pool creates and lets work at once (0: every
  ///     loop runs serially on its caller). Threads are created when first needed.
  ///   - stackSize: bytes of stack per worker; 16 MB like the main thread's LAPACK callers
  ///     expect (eigen-decompositions run on workers), reserved but not committed.
  init(workerLimit: Int, stackSize: Int = 16 << 20) {
    limit = Swift.max(0, workerLimit)
    self.stackSize = stackSize
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(workAvailable, nil)
    pthread_cond_init(jobFinished, nil)
    pthread_key_create(&budgetKey, nil)
  }

  /// The most workers inside jobs at once. Lowering it takes effect as workers leave their jobs.
  var workerLimit: Int {
    get { locked { limit } }
    set { locked { limit = Swift.max(0, newValue) } }
  }

  /// Threads the pool has created so far (they are parked when idle).
  var threadCount: Int { locked { workerThreads.count } }

  /// Runs `body(0)`, …, `body(count − 1)` with at most `threads` of them running at once,
  /// the calling thread being one, and at most `threads` bodies of loops nested in them too
  /// (when called outside this pool's loops; inside one, the enclosing budget applies as well).
  /// Returns when all have finished.
  func run(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    let threads = Swift.max(1, threads)
    if let enclosing = pthread_getspecific(budgetKey) {
      let budget = Unmanaged<_Budget>.fromOpaque(enclosing).takeUnretainedValue()
      runJob(count, width: Swift.min(threads, count), budget: budget, body)
      return
    }
    let budget = _Budget(spare: threads - 1)
    pthread_setspecific(budgetKey, Unmanaged.passUnretained(budget).toOpaque())
    defer { pthread_setspecific(budgetKey, nil) }
    withExtendedLifetime(budget) {
      runJob(count, width: Swift.min(threads, count), budget: budget, body)
    }
  }

  private func runJob(_ count: Int, width: Int, budget: _Budget, _ body: (Int) -> Void) {
    if width > 1 {
      pthread_mutex_lock(mutex)
      let helped = !stopping && budget.spare > 0
      pthread_mutex_unlock(mutex)
      if helped {
        withoutActuallyEscaping(body) { runShared(count, width: width, budget: budget, $0) }
        return
      }
    }
    for i in 0..<count { body(i) }
  }

  /// Publishes the job, wakes helpers, runs indices on the caller, and waits for the helpers.
  private func runShared(_ count: Int, width: Int, budget: _Budget, _ body: @escaping (Int) -> Void) {
    let job = _PoolJob(count: count, width: width, budget: budget, body: body)
    pthread_mutex_lock(mutex)
    open.append(job)
    let wanted = Swift.min(width - 1, budget.spare)
    let missing = Swift.min(wanted - idle, limit - workerThreads.count)
    if missing > 0 { for _ in 0..<missing { spawnWorker() } }
    if wanted >= idle {
      pthread_cond_broadcast(workAvailable)
    } else {
      for _ in 0..<wanted { pthread_cond_signal(workAvailable) }
    }
    drain(job)
    while job.completed < job.count || job.helpers > 0 { pthread_cond_wait(jobFinished, mutex) }
    // Drops the job's reference to `body` before `withoutActuallyEscaping` checks that
    // nothing kept it; a worker may still hold the (now empty) job object.
    job.body = nil
    pthread_mutex_unlock(mutex)
  }

  /// Stops and joins every worker; later loops run serially on their callers. For pools that
  /// tests create; the shared pool lives as long as the process.
  func shutdown() {
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(workAvailable)
    let started = workerThreads
    workerThreads = []
    pthread_mutex_unlock(mutex)
    for t in started { pthread_join(t, nil) }
  }

  deinit {
    pthread_key_delete(budgetKey)
    pthread_cond_destroy(jobFinished)
    pthread_cond_destroy(workAvailable)
    pthread_mutex_destroy(mutex)
    jobFinished.deallocate()
    workAvailable.deallocate()
    mutex.deallocate()
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// Claims and runs indices of `job` until none are left. Called and returns with `mutex` held.
  private func drain(_ job: _PoolJob) {
    while job.next < job.count {
      let i = job.next
      job.next += 1
      if job.next == job.count { close(job) }
      pthread_mutex_unlock(mutex)
      job.run(i)
      pthread_mutex_lock(mutex)
      job.completed += 1
    }
    if job.completed == job.count { pthread_cond_broadcast(jobFinished) }
  }

  /// Removes `job` from the open list (no-op when it is not there).
  private func close(_ job: _PoolJob) {
    if let k = open.firstIndex(where: { $0 === job }) { open.remove(at: k) }
  }

  /// Called with `mutex` held. When the system refuses a thread, the loop runs with fewer.
  private func spawnWorker() {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    let context = Unmanaged.passRetained(self).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { raw in
      // Takes the +1 reference: a stopped pool is released once its last worker has left.
      Unmanaged<_WorkerPool>.fromOpaque(raw!).takeRetainedValue().workerLoop()
      return nil
    }, context)
    if status == 0 {
      workerThreads.append(thread)
    } else {
      Unmanaged<_WorkerPool>.fromOpaque(context).release()
    }
  }

  private func workerLoop() {
    pthread_mutex_lock(mutex)
    while !stopping {
      // A job whose budget has no token left stays open: a token comes back when one of that
      // budget's helpers leaves its job, and that helper scans the open jobs next.
      if busy < limit, let job = open.first(where: { $0.budget.spare > 0 }) {
        job.helpers += 1
        job.budget.spare -= 1
        busy += 1
        if job.helpers + 1 >= job.width { close(job) }
        pthread_setspecific(budgetKey, Unmanaged.passUnretained(job.budget).toOpaque())
        drain(job)
        pthread_setspecific(budgetKey, nil)
        busy -= 1
        job.budget.spare += 1
        job.helpers -= 1
        if job.helpers == 0 { pthread_cond_broadcast(jobFinished) }
        continue
      }
      idle += 1
      pthread_cond_wait(workAvailable, mutex)
      idle -= 1
    }
    pthread_mutex_unlock(mutex)
  }
}

/// The helper tokens of one outermost loop and every loop nested in it. Guarded by the
/// pool's mutex; the outermost caller keeps it alive until its loop returns.
private final class _Budget {
  var spare: Int
  init(spare: Int) { self.spare = Swift.max(0, spare) }
}

/// One loop handed to the pool. Fields are guarded by the pool's mutex.
private final class _PoolJob {
  var body: ((Int) -> Void)?
  let count: Int
  let width: Int
  let budget: _Budget
  var next = 0
  var completed = 0
  var helpers = 0

  init(count: Int, width: Int, budget: _Budget, body: @escaping (Int) -> Void) {
    self.count = count
    self.width = width
    self.budget = budget
    self.body = body
  }

  /// Not inlined, so the retain of `body` for the call is balanced inside this frame, before
  /// the helper reports the index finished.
  @inline(never) func run(_ i: Int) { body?(i) }
}
