import Foundation
import Testing
import IBPlane
@testable import IBPlaneNumerics

/// Counts bodies running at the same time and remembers the most seen.
private final class ConcurrencyProbe: @unchecked Sendable {
  private let lock = NSLock()
  private var running = 0
  private(set) var peak = 0

  /// Enters, then spins until `target` bodies are inside at once or `timeout` has passed (so a
  /// pool that can reach its width does, even on a loaded machine), then leaves.
  func visit(waitingFor target: Int, timeout: Double = 0.05) {
    lock.lock()
    running += 1
    peak = Swift.max(peak, running)
    lock.unlock()
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
      lock.lock()
      let now = running
      lock.unlock()
      if now >= target || Double(DispatchTime.now().uptimeNanoseconds - start) > timeout * 1e9 { break }
    }
    lock.lock()
    running -= 1
    lock.unlock()
  }
}

/// The worker pool behind `Parallel.forEach`: a loop runs at most `threads` bodies at once
/// (nested loops included), reaches that width when there is work, runs every index exactly
/// once, and returns only after its body is released.
@Suite struct ParallelTests {
  @Test(arguments: [2, 3])
  func loopsRunAtMostThreadsBodiesAtOnceAndReachThatWidth(threads: Int) {
    // A pool of its own with room for more workers than the loop may use, so the bound comes
    // from `threads`, not from the machine or from other tests using the shared pool.
    let pool = _WorkerPool(workerLimit: 4)
    defer { pool.shutdown() }
    let probe = ConcurrencyProbe()
    var out = [Int](repeating: 0, count: 64)
    out.withUnsafeMutableBufferPointer { slots in
      pool.run(slots.count, threads: threads) { i in
        probe.visit(waitingFor: threads + 1, timeout: 0.002)
        slots[i] = i * i
      }
    }
    #expect(probe.peak == threads)
    #expect(out == (0..<64).map { $0 * $0 })
    #expect(pool.threadCount <= 4)
  }

  @Test func nestedLoopsShareTheOuterBoundAndFinish() {
    let pool = _WorkerPool(workerLimit: 6)
    defer { pool.shutdown() }
    for threads in [1, 3] {
      let probe = ConcurrencyProbe()
      var out = [Int](repeating: 0, count: 6 * 5)
      out.withUnsafeMutableBufferPointer { slots in
        pool.run(6, threads: threads) { i in
          pool.run(5, threads: 8) { j in
            probe.visit(waitingFor: threads + 1, timeout: 0.002)
            slots[i * 5 + j] += 10 * i + j
          }
        }
      }
      #expect(probe.peak <= threads)
      #expect(out == (0..<6).flatMap { i in (0..<5).map { 10 * i + $0 } })
    }
  }

  @Test func sharedLoopsHonourThreadsAndGiveSerialResults() {
    let probe = ConcurrencyProbe()
    var parallel = [Double](repeating: 0, count: 100)
    parallel.withUnsafeMutableBufferPointer { slots in
      Parallel.forEach(slots.count, threads: 2) { i in
        probe.visit(waitingFor: 3, timeout: 0.0005)
        slots[i] = (0...i).reduce(0.0) { $0 + sin(Double($1)) }
      }
    }
    var serial = [Double](repeating: 0, count: 100)
    Parallel.forEach(serial.count, threads: 1) { i in serial[i] = (0...i).reduce(0.0) { $0 + sin(Double($1)) } }
    #expect(probe.peak <= Swift.min(2, Parallel.maximumThreads))
    #expect(parallel == serial)
  }

  @Test func aStoppedPoolRunsLoopsOnTheirCaller() {
    let pool = _WorkerPool(workerLimit: 2)
    pool.shutdown()
    var hits = [Int](repeating: 0, count: 10)
    hits.withUnsafeMutableBufferPointer { slots in pool.run(slots.count, threads: 3) { slots[$0] += 1 } }
    #expect(hits == [Int](repeating: 1, count: 10))
    #expect(pool.threadCount == 0)
  }

  /// The old `_runOnDedicatedThreads` (Foundation `Thread`s released some time after their
  /// block returned) let the closure outlive the call, which `withoutActuallyEscaping` turns
  /// into a runtime crash ("closure argument was escaped"). The pool must drop its reference
  /// to the body before returning; a crash ends the test process, so this loop fails loudly.
  @Test func poolRunsEveryIndexOnceAndReleasesTheBody() {
    let pool = _WorkerPool(workerLimit: 3)
    defer { pool.shutdown() }
    for round in 0..<2_000 {
      let count = 2 + round % 3
      var hits = [Int](repeating: 0, count: count)
      hits.withUnsafeMutableBufferPointer { out in
        let slots = out.baseAddress!
        pool.run(count, threads: 3) { i in slots[i] += i + 1 }
      }
      #expect(hits == (0..<count).map { $0 + 1 })
    }
  }

  @Test func exactRenyiSurvivesRepeatedConcurrentSpectra() throws {
    // The exact method decomposes the three spectra of I_α on pool workers (when more than
    // one worker is available); every repetition must also give the same number.
    let x = RandomSource(seed: 3).normalMatrix(rows: 48, columns: 3)
    let y = RandomSource(seed: 4).normalMatrix(rows: 48, columns: 2)
    let estimator = MatrixRenyiMutualInformation(alpha: 1.01)
    let first = try estimator.estimate(x, y).nats
    for _ in 0..<200 {
      #expect(try estimator.estimate(x, y).nats == first)
    }
  }
}
