import Foundation
import IBPlaneNumerics

/// What an information-plane estimator needs besides the layer: the inputs X and labels Y
/// of the recording, plus a cache for quantities that depend only on X and Y (label
/// partitions, input symbols, input kernel row sums, kernel widths), computed once per
/// recording and shared by every snapshot and layer. Thread-safe.
// @unchecked Sendable: `cache` is read and written only under `lock`; the rest is immutable.
public final class PlaneContext: @unchecked Sendable {
  /// The inputs, N × d; `nil` when the recording has none, in which case X is taken to be
  /// N distinct inputs (the convention of the binning literature, I(X;T) = H(T)).
  public let inputs: Matrix<Float>?
  public let labels: Labels
  public var sampleCount: Int { labels.sampleCount }

  /// Guards `cache` and `inFlight`; waiters for a key being computed wait on it.
  private let condition = NSCondition()
  private var cache: [String: Any] = [:]
  /// Keys whose value a caller is computing right now.
  private var inFlight: Set<String> = []

  /// Throws when the inputs and labels disagree in sample count, a class label is outside
  /// 0..<classCount (it would index past the class partition), or an input or regression
  /// target is NaN or infinite (every estimator would turn it into a NaN or a wrong count).
  public init(inputs: Matrix<Float>?, labels: Labels) throws {
    if let x = inputs, x.rows != labels.sampleCount {
      throw EstimatorError.shapeMismatch("inputs have \(x.rows) samples but labels have \(labels.sampleCount)")
    }
    try labels.validate()
    if let x = inputs { try EstimatorError.validateFinite(x, name: "inputs") }
    if case .targets(let m) = labels { try EstimatorError.validateFinite(m, name: "regression targets") }
    self.inputs = inputs
    self.labels = labels
  }

  /// Sample indices of each class (class labels only), in class order.
  public var classPartition: [[Int]] {
    cached("classPartition") {
      guard case .classes(let c, let k) = labels else { return [] }
      var parts = [[Int]](repeating: [], count: k)
      for (i, y) in c.enumerated() { parts[y].append(i) }
      return parts
    }
  }

  /// Each sample's class as an `Int32` group id for the kernel engine's grouped passes (class
  /// labels only; empty for regression targets), computed once per recording.
  public var classGroupIds: [Int32] {
    cached("classGroupIds") {
      guard case .classes(let c, _) = labels else { return [] }
      return c.map { Int32(truncatingIfNeeded: $0) }
    }
  }

  /// Returns the cached value for `key`, computing it once with `make`.
  /// Keys are namespaced by the caller (e.g. `"binning.inputSymbols"`).
  ///
  /// Computed once: the first caller of a key runs `make` without holding the lock, and
  /// concurrent callers of the same key wait for its value instead of computing it again
  /// (the first wave of parallel plane jobs all ask for the same X-only quantities); callers
  /// of different keys compute at the same time. If `make` throws, the error goes to the
  /// caller whose `make` threw, nothing is cached, and each waiter retries with its own
  /// `make` (one at a time, so a deterministic failure costs one computation per caller,
  /// and an analysis stops at its first error anyway). `make` may ask for other keys, but a
  /// key whose `make` asks for itself (directly or through a cycle of keys) is a programming
  /// error: that caller would wait for itself for ever.
  public func cached<T>(_ key: String, _ make: () throws -> T) rethrows -> T {
    condition.lock()
    while true {
      // Unwrap the stored value first: `cache[key] as? T` with an Optional `T` would succeed
      // on a missing key (as `.some(nil)`) and skip `make`.
      if let stored = cache[key], let v = stored as? T {
        condition.unlock()
        return v
      }
      if !inFlight.contains(key) { break }
      condition.wait()
    }
    inFlight.insert(key)
    condition.unlock()
    let v: T
    do {
      v = try make()
    } catch {
      condition.lock()
      inFlight.remove(key)
      condition.broadcast()
      condition.unlock()
      throw error
    }
    condition.lock()
    cache[key] = v
    inFlight.remove(key)
    condition.broadcast()
    condition.unlock()
    return v
  }
}
