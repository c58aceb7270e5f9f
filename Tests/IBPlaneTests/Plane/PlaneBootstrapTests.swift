import Foundation
import Testing
import IBPlane

/// The bootstrap's limits (finding 3: `--bootstrap 100000000` aborted on a failed allocation):
/// the resample count and the memory its cached resamples imply are checked before anything is
/// allocated, and the error names the option and the limit.
@Suite struct PlaneBootstrapTests {
  static func context(n: Int, inputWidth: Int) throws -> PlaneContext {
    try PlaneContext(
      inputs: Matrix<Float>(rows: n, columns: inputWidth), labels: .classes((0..<n).map { $0 % 2 }, classCount: 2))
  }

  @Test func resampleCountIsBounded() throws {
    let c = try Self.context(n: 50, inputWidth: 3)
    for b in [100_000_000, Int.max, 10_001, 1, 0, -5] {
      #expect {
        _ = try PlaneBootstrap(resamples: b, level: 0.95, seed: 0, context: c)
      } throws: { e in
        "\(e)" == "invalid value \(b) for bootstrap: expected 2…10000 resamples"
      }
    }
    #expect(try PlaneBootstrap(resamples: 10_000, level: 0.95, seed: 0, context: c).resamples == 10_000)
  }

  /// 1,000 samples of 250 float32 inputs plus a class and an index: 1,016 bytes per sample,
  /// 1,016,000 per resample; a 100 MB budget holds 103 of them.
  @Test func cachedResamplesMustFitTheMemoryBudget() throws {
    let c = try Self.context(n: 1_000, inputWidth: 250)
    #expect(PlaneBootstrap.bytesPerResample(c) == 1_000 * (250 * 4 + 8 + 8))
    let budget = 100_000_000
    #expect(try PlaneBootstrap(resamples: 98, level: 0.9, seed: 1, context: c, memoryBudget: budget).resamples == 98)
    #expect {
      _ = try PlaneBootstrap(resamples: 99, level: 0.9, seed: 1, context: c, memoryBudget: budget)
    } throws: { e in
      let s = "\(e)"
      return s.hasPrefix("invalid value 99 for bootstrap") && s.contains("fit in 95 MiB") && s.contains("at most 98 resamples")
    }
  }

  @Test func levelIsInTheOpenUnitInterval() throws {
    let c = try Self.context(n: 20, inputWidth: 1)
    for level in [0, 1, -0.5, 1.5, .nan, .infinity] {
      #expect(throws: EstimatorError.self, "\(level)") { try PlaneBootstrap(resamples: 10, level: level, seed: 0, context: c) }
      #expect(throws: EstimatorError.self, "\(level)") { try PlaneBootstrap.validate(level: level) }
    }
    #expect(throws: Never.self) { try PlaneBootstrap.validate(level: 0.95) }
  }
}
