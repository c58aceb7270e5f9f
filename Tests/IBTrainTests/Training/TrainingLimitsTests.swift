import Foundation
import IBPlane
import Testing

@testable import IBTrain

/// Sizes from the command line reach `Trainer` and `GaussianMixture` as plain integers:
/// each must be refused (overflow-checked) before the network or the data is allocated.
@Suite("Training limits")
struct TrainingLimitsTests {
  static let mixture = GaussianMixture(classes: 2, dimension: 3, samplesPerClass: 20)

  func refused(_ edit: (inout TrainingConfiguration) -> Void) throws -> String? {
    var c = TrainingConfiguration()
    c.schedule = .none
    edit(&c)
    do {
      _ = try Trainer<Float>(configuration: c, dataset: try Self.mixture.sample(seed: 1))
      return nil
    } catch let e as NumericsError {
      return e.description
    }
  }

  @Test func hugeNetworksSchedulesAndThreadCountsAreRefused() throws {
    #expect(try refused { $0.hiddenWidths = [100_000_000] }?.contains("limit is 67108864") == true)
    #expect(try refused { $0.hiddenWidths = [Int.max, 2] }?.contains("more than \(Int.max) parameters") == true)
    #expect(try refused { $0.hiddenWidths = [Int.max / 2, Int.max / 2] }?.contains("parameters") == true)
    // Five layers of 5,000: 4 × 25 M weights, over the parameter limit long before the activations.
    #expect(try refused { $0.hiddenWidths = [5_000, 5_000, 5_000, 5_000, 5_000] }?.contains("limit is 67108864") == true)
    #expect(try refused { $0.epochs = TrainingLimits.maximumEpochs + 1 }?.contains("epochs") == true)
    #expect(try refused { $0.schedule = .logSpaced(count: Int.max) }?.contains("log-spaced") == true)
    #expect(try refused { $0.epochs = 1_000_000; $0.schedule = .every(1) }?.contains("1000001 snapshots") == true)
    #expect(try refused { $0.blasThreads = 64 + TrainingLimits.maximumBLASThreads }?.contains("BLAS threads") == true)
    #expect(try refused { $0.blasThreads = 0 }?.contains("BLAS threads") == true)
    #expect(try refused { $0.hiddenWidths = [10, 7]; $0.epochs = 2 } == nil)
  }

  @Test func activationsOfAForwardPassAreBounded() throws {
    let c = TrainingConfiguration()
    #expect(throws: NumericsError.self) {
      try TrainingLimits.check(c, inputWidth: 12, classCount: 2, patterns: Int.max)
    }
    var wide = c
    wide.hiddenWidths = [32_766]  // + 2 outputs = 32,768 = 2^27 / 4,096 exactly
    try TrainingLimits.check(wide, inputWidth: 12, classCount: 2, patterns: 4096)
    wide.hiddenWidths = [32_767]
    #expect(throws: NumericsError.self) { try TrainingLimits.check(wide, inputWidth: 12, classCount: 2, patterns: 4096) }
  }

  @Test func hugeMixturesAreRefused() {
    for m in [
      GaussianMixture(classes: Int.max / 2, dimension: 10, samplesPerClass: 1000),
      GaussianMixture(classes: 3, dimension: 10, samplesPerClass: 100_000_000),
      GaussianMixture(classes: 3, dimension: Int.max, samplesPerClass: 2),
      GaussianMixture(classes: TrainingLimits.maximumClasses + 1, dimension: 1, samplesPerClass: 1),
    ] {
      #expect(throws: DatasetError.self, "\(m)") { try m.sample(seed: 1) }
    }
  }
}
