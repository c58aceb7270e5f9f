import Foundation
import Testing
import IBPlane
@testable import IBPlaneNumerics

/// A context refuses labels that would index past its class partition (a trap now that bounds
/// checks stay on) and non-finite inputs or targets (a NaN would reach every estimator).
@Suite struct PlaneContextTests {
  @Test func outOfRangeClassLabelsAreRefused() throws {
    for (labels, k, message) in [
      ([0, 1, 2], 2, "invalid value 2 for labels[2]: expected a class index in 0..<2"),
      ([0, -1, 1], 2, "invalid value -1 for labels[1]: expected a class index in 0..<2"),
      ([0], 0, "invalid value 0 for labels.class_count: expected 1…65536 classes"),
    ] {
      #expect {
        _ = try PlaneContext(inputs: nil, labels: .classes(labels, classCount: k))
      } throws: { e in
        "\(e)".hasPrefix(message)
      }
    }
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .classes([], classCount: -1)) }
    let c = try PlaneContext(inputs: nil, labels: .classes([0, 1, 1], classCount: 3))
    #expect(c.classPartition == [[0], [1, 2], []])
  }

  @Test func nonFiniteInputsAndTargetsAreRefused() throws {
    var x = Matrix<Float>(rows: 4, columns: 2)
    x[2, 1] = .nan
    #expect {
      _ = try PlaneContext(inputs: x, labels: .classes([0, 1, 0, 1], classCount: 2))
    } throws: { e in "\(e)" == "inputs has a non-finite value at row 2, column 1" }
    var y = Matrix<Float>(rows: 4, columns: 1)
    y[3, 0] = -.infinity
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .targets(y)) }
  }

  // MARK: - The cache computes each key once

  /// Runs `body(0)`, …, `body(callers − 1)` on `callers` threads at once (a pool of its own).
  private func concurrently(_ callers: Int, _ body: (Int) -> Void) {
    let pool = _WorkerPool(workerLimit: callers - 1)
    defer { pool.shutdown() }
    pool.run(callers, threads: callers, body)
  }

  private static func context() throws -> PlaneContext {
    try PlaneContext(inputs: nil, labels: .classes([0, 1, 0, 1], classCount: 2))
  }

  @Test func concurrentCallersOfOneKeyComputeItOnce() throws {
    let context = try Self.context()
    let gate = CallerGate(expected: 8)
    let makes = LockedCounter()
    var values = [Int](repeating: 0, count: 8)
    values.withUnsafeMutableBufferPointer { out in
      concurrently(8) { i in
        gate.arriveAndWait()
        out[i] = context.cached("test.answer") {
          makes.increment()
          Thread.sleep(forTimeInterval: 0.05)
          return 42
        }
      }
    }
    #expect(gate.allArrived, "the callers did not overlap, so the test proves nothing")
    #expect(makes.value == 1)
    #expect(values == [Int](repeating: 42, count: 8))
  }

  @Test func differentKeysComputeAtTheSameTime() throws {
    let context = try Self.context()
    // Each `make` waits (up to 5 s) for the other to start: with one lock held across `make`
    // the second could not start until the first gave up.
    let started = CallerGate(expected: 2)
    var overlapped = [false, false]
    overlapped.withUnsafeMutableBufferPointer { out in
      concurrently(2) { i in
        out[i] = context.cached("test.key\(i)") {
          started.arriveAndWait(timeout: 5)
          return started.allArrived
        }
      }
    }
    #expect(overlapped == [true, true])
  }

  @Test func aThrowingMakeReachesItsCallerAndWaitersRetry() throws {
    struct Refused: Error {}
    let context = try Self.context()
    let gate = CallerGate(expected: 4)
    let makes = LockedCounter()
    var results = [Result<Int, any Error>](repeating: .success(0), count: 4)
    results.withUnsafeMutableBufferPointer { out in
      concurrently(4) { i in
        gate.arriveAndWait()
        out[i] = Result {
          try context.cached("test.flaky") { () throws -> Int in
            // Only the first computation fails; a waiter that retries succeeds.
            if makes.increment() == 1 {
              Thread.sleep(forTimeInterval: 0.05)
              throw Refused()
            }
            return 7
          }
        }
      }
    }
    let failures = results.filter { if case .failure(let e) = $0 { return e is Refused } else { return false } }
    #expect(failures.count == 1)
    #expect(results.compactMap { try? $0.get() } == [7, 7, 7])
    #expect(makes.value == 2)
  }

  @Test func makeMayAskForAnotherKey() throws {
    let context = try Self.context()
    let v = context.cached("test.outer") { context.cached("test.inner") { 1 } + 1 }
    #expect(v == 2)
    #expect(context.cached("test.inner") { 99 } == 1)
  }
}

/// A thread-safe counter; `increment` returns the new value.
private final class LockedCounter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  var value: Int { lock.lock(); defer { lock.unlock() }; return count }
  @discardableResult func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
}

/// Lets `expected` callers start together: each waits until all have arrived or the timeout
/// passes. `allArrived` tells whether they really overlapped.
private final class CallerGate: @unchecked Sendable {
  private let condition = NSCondition()
  private let expected: Int
  private var arrived = 0
  init(expected: Int) { self.expected = expected }

  var allArrived: Bool { condition.lock(); defer { condition.unlock() }; return arrived >= expected }

  func arriveAndWait(timeout: Double = 5) {
    condition.lock()
    arrived += 1
    condition.broadcast()
    let deadline = Date(timeIntervalSinceNow: timeout)
    while arrived < expected && condition.wait(until: deadline) {}
    condition.unlock()
  }
}
