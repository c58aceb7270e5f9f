import Dispatch
import Foundation
import IBPlane

/// Per-call overhead of a parallel loop with a trivial body: ibplane's pool (parked threads),
/// threads created and joined per call, and Dispatch's `concurrentPerform` (the old loop,
/// which cannot be held to a width). `Parallel.forEach` runs once per tile row block or kNN
/// query chunk, so this is the fixed price of every parallel step.
func benchParallelOverhead() {
  let threads = Parallel.maximumThreads
  let count = 16
  let calls = 20_000
  print("== parallel loop overhead: \(count) trivial bodies per call, \(threads) threads, best of 3 × \(calls) calls ==")
  var slots = [Int](repeating: 0, count: count)
  let pool = bestTime {
    slots.withUnsafeMutableBufferPointer { out in
      for _ in 0..<calls { Parallel.forEach(count, threads: threads) { out[$0] &+= 1 } }
    }
  }
  let perCall = bestTime(repeats: 3) {
    slots.withUnsafeMutableBufferPointer { out in
      for _ in 0..<(calls / 10) { _perCallThreads(count, threads: threads) { out[$0] &+= 1 } }
    }
  } * 10
  let dispatch = bestTime {
    slots.withUnsafeMutableBufferPointer { out in
      // Each index writes its own slot.
      nonisolated(unsafe) let out = out
      for _ in 0..<calls { DispatchQueue.concurrentPerform(iterations: count) { out[$0] &+= 1 } }
    }
  }
  let widths = [34, 12]
  print(row(["loop", "µs per call"], widths: widths))
  for (name, t) in [("pool (Parallel.forEach)", pool), ("threads created per call", perCall), ("DispatchQueue.concurrentPerform", dispatch)] {
    print(row([name, String(format: "%.2f", t / Double(calls) * 1e6)], widths: widths))
  }
}

/// `threads − 1` POSIX threads created for one loop and joined at its end, the caller taking
/// part; indices handed out under a lock, as the pool does.
private func _perCallThreads(_ count: Int, threads: Int, _ body: (Int) -> Void) {
  withoutActuallyEscaping(body) { body in
    final class Shared {
      let lock = NSLock()
      var next = 0
      let count: Int
      let body: (Int) -> Void
      init(_ count: Int, _ body: @escaping (Int) -> Void) { self.count = count; self.body = body }
      func drain() {
        while true {
          lock.lock()
          let i = next
          next += 1
          lock.unlock()
          if i >= count { return }
          body(i)
        }
      }
    }
    let shared = Shared(count, body)
    var started: [pthread_t] = []
    for _ in 1..<Swift.max(1, threads) {
      var t = pthread_t()
      let context = Unmanaged.passRetained(shared).toOpaque()
      if pthread_create(&t, nil, { raw in
        Unmanaged<Shared>.fromOpaque(raw!).takeRetainedValue().drain()
        return nil
      }, context) == 0 {
        started.append(t)
      } else {
        Unmanaged<Shared>.fromOpaque(context).release()
      }
    }
    shared.drain()
    for t in started { pthread_join(t, nil) }
  }
}
