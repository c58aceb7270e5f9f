import Foundation
import IBPlane

/// The sizes a training run accepts, checked (overflow-checked) before the network, the
/// schedule or a data set is allocated. `ibplane train --help` quotes them; errors name the
/// value, the limit and what it protects.
public enum TrainingLimits {
  /// Weights and biases at most 2²⁶: 256 MiB of float32; training keeps four copies
  /// (parameters, gradient, Adam's two moments).
  public static let maximumParameters = 1 << 26
  /// One forward pass over every pattern (each snapshot) keeps N·(Σ layer widths) values:
  /// at most 2²⁷, 512 MiB of float32. It also bounds a mini-batch's activations.
  public static let maximumActivationValues = 1 << 27
  /// At most 10⁹ epochs (log-spaced snapshot epochs are computed in floating point up to E).
  public static let maximumEpochs = 1_000_000_000
  /// At most 100,000 snapshots per run (each is one forward pass and, when recording, one
  /// record), and at most 100,000 log-spaced candidates K (generated before deduplication).
  public static let maximumSnapshots = 100_000
  /// Generated data sets (`gaussian-mixture`): N·d at most 2²⁷ values, and at most 10⁴ classes.
  public static let maximumDatasetValues = 1 << 27
  public static let maximumClasses = 10_000

  /// OpenBLAS threads at most the cores this process may run on: more only slow BLAS down,
  /// and each extra OpenBLAS thread reserves its own buffers (under a memory limit, 64 of
  /// them left `train --blas-threads 64` spinning at 200 % CPU instead of starting).
  public static var maximumBLASThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

  /// Checks `configuration` for a network `inputWidth → hidden… → classCount` trained on
  /// `patterns` patterns, before anything is allocated.
  public static func check(_ configuration: TrainingConfiguration, inputWidth: Int, classCount: Int, patterns: Int) throws {
    let widths = configuration.hiddenWidths + [classCount]
    let architecture = ([inputWidth] + widths).map(String.init).joined(separator: "-")
    var parameters = 0
    var activations = 0
    var fanIn = inputWidth
    var overflow = false
    for w in widths {
      let (weights, o1) = fanIn.multipliedReportingOverflow(by: w)
      let (layer, o2) = weights.addingReportingOverflow(w)
      let (sum, o3) = parameters.addingReportingOverflow(layer)
      let (units, o4) = activations.addingReportingOverflow(w)
      overflow = overflow || o1 || o2 || o3 || o4
      parameters = sum
      activations = units
      fanIn = w
    }
    guard !overflow, parameters <= maximumParameters else {
      throw NumericsError.invalidParameter(
        "the network \(architecture) has \(overflow ? "more than \(Int.max)" : "\(parameters)") parameters; the limit is \(maximumParameters) (2^26: 256 MiB of float32, 1 GiB with the gradient and Adam's moments)")
    }
    let (values, o5) = activations.multipliedReportingOverflow(by: max(patterns, 1))
    guard !o5, values <= maximumActivationValues else {
      throw NumericsError.invalidParameter(
        "the network \(architecture) on \(patterns) patterns keeps \(o5 ? "more than \(Int.max)" : "\(values)") activations per forward pass; the limit is \(maximumActivationValues) (2^27: 512 MiB of float32), so the layer widths may sum to at most \(maximumActivationValues / max(patterns, 1))")
    }
    guard configuration.epochs <= maximumEpochs else {
      throw NumericsError.invalidParameter("epochs \(configuration.epochs) is more than the limit of \(maximumEpochs)")
    }
    switch configuration.schedule {
    case .logSpaced(let k) where k > maximumSnapshots:
      throw NumericsError.invalidParameter("\(k) log-spaced snapshot epochs is more than the limit of \(maximumSnapshots)")
    case .every(let n) where n >= 1 && configuration.epochs / n + 1 > maximumSnapshots:
      throw NumericsError.invalidParameter(
        "a snapshot every \(n) epochs of \(configuration.epochs) makes \(configuration.epochs / n + 1) snapshots; the limit is \(maximumSnapshots)")
    default:
      break
    }
    if let t = configuration.blasThreads, !(1...maximumBLASThreads).contains(t) {
      throw NumericsError.invalidParameter(
        "\(t) BLAS threads: expected 1…\(maximumBLASThreads), the cores this process may use")
    }
  }
}
