import IBPlaneCore
import IBPlaneNumerics
/// A synthetic task: a law for paired samples (X, Y) whose mutual information I(X;Y) is known
/// in closed form, so every estimator can be checked against the truth.
///
/// Each task has a stable name (see `SyntheticTasks`), the dimensions of X and Y, the true
/// MI in nats, and a seeded sampler: the same seed gives bit-identical samples.
public protocol SyntheticTask: Sendable {
  /// The stable name, e.g. `gaussian-dense-5`; `SyntheticTasks.task(named:)` parses it back.
  var name: String { get }
  /// One sentence on the law, for `ibplane synth --list`.
  var summary: String { get }
  var xDimension: Int { get }
  var yDimension: Int { get }
  /// The true I(X;Y), in nats, from the task's closed form.
  var mutualInformationNats: Double { get }
  /// Draws `count` i.i.d. pairs; row i of `x` and row i of `y` are one draw.
  func sample(count: Int, seed: UInt64) throws -> SyntheticSample
}

/// Paired samples: N × dx and N × dy.
public struct SyntheticSample: Sendable, Equatable {
  public var x: Matrix<Double>
  public var y: Matrix<Double>
  public init(x: Matrix<Double>, y: Matrix<Double>) {
    self.x = x
    self.y = y
  }
}

/// Why a synthetic task could not be built or sampled.
public enum SyntheticError: Error, Equatable, CustomStringConvertible {
  /// The name is not a task: what was given, and what names look like.
  case unknownTask(name: String, expected: String)
  /// A task parameter is out of range: the task, the parameter, the value and what is accepted.
  case invalidParameter(task: String, name: String, value: String, expected: String)
  /// A sample size the sampler cannot produce.
  case invalidSampleCount(Int)
  /// A sample of `count` draws of `width` = dx + dy values each would exceed
  /// `SyntheticLimits.maximumSampleValues`.
  case sampleTooLarge(task: String, count: Int, width: Int)

  public var description: String {
    switch self {
    case .unknownTask(let name, let expected):
      return "unknown task '\(name)': expected \(expected) (run `ibplane synth --list`)"
    case .invalidParameter(let task, let name, let value, let expected):
      return "task '\(task)': invalid \(name) \(value), expected \(expected)"
    case .invalidSampleCount(let n):
      return "invalid sample count \(n): expected at least 1"
    case .sampleTooLarge(let task, let count, let width):
      let limit = SyntheticLimits.maximumSampleValues
      return "task '\(task)': \(count) samples of dx + dy = \(width) values exceed the limit N·(dx + dy) ≤ \(limit) (\((limit * 8) >> 20) MiB per float64 copy); use N ≤ \(limit / max(width, 1))"
    }
  }
}

extension SyntheticTask {
  /// The true I(X;Y) in `unit`.
  public func mutualInformation(in unit: InformationUnit) -> Double { unit.fromNats(mutualInformationNats) }

  /// Checks N before anything is allocated: at least 1, and N·(dx + dy) within
  /// `SyntheticLimits.maximumSampleValues` (overflow-checked).
  func checkSampleCount(_ count: Int) throws {
    guard count >= 1 else { throw SyntheticError.invalidSampleCount(count) }
    let width = xDimension + yDimension
    let (values, overflow) = count.multipliedReportingOverflow(by: width)
    guard !overflow, values <= SyntheticLimits.maximumSampleValues else {
      throw SyntheticError.sampleTooLarge(task: name, count: count, width: width)
    }
  }
}

/// The sizes a synthetic task accepts, checked before anything is allocated; `ibplane synth
/// --help` and docs quote them.
public enum SyntheticLimits {
  /// N·(dx + dy) at most 2²⁶ values: 512 MiB per float64 copy of the sample (sampling holds
  /// about four: draws, their product with the Cholesky factor, X and Y, the .npy bytes).
  public static let maximumSampleValues = 1 << 26
  /// dx + dy at most 4,096: a Gaussian task's joint covariance is (dx + dy)² doubles
  /// (128 MiB) and is factorised three times (O((dx + dy)³) each).
  public static let maximumJointDimension = 4096
  /// Symbols K of `noiseless-K` at most 4,096: its transition matrix is K × K doubles.
  public static let maximumSymbols = 4096
  /// A task name at most 256 UTF-8 bytes (transform prefixes nest, one parser frame each).
  public static let maximumNameLength = 256
}
