import Foundation
import Testing
import IBPlane
@testable import IBPlaneSynthetic

/// Sizes a user types (`--n`, the D or K in a task name) are checked against
/// `SyntheticLimits` before anything is allocated: these requests would need terabytes.
@Suite struct SyntheticLimitsTests {
  @Test func hugeSampleCountsAreRefusedBeforeAllocating() throws {
    let dense = try SyntheticTasks.task(named: "gaussian-dense-5")
    #expect(throws: SyntheticError.sampleTooLarge(task: "gaussian-dense-5", count: 10_000_000_000, width: 10)) {
      try dense.sample(count: 10_000_000_000, seed: 1)
    }
    #expect(throws: SyntheticError.self) { try dense.sample(count: Int.max, seed: 1) }  // N·10 overflows
    for name in ["bsc-0.1", "noiseless-4", "quantised-gaussian-8", "uniform-additive-0.1", "student-2x2-nu2",
      "asinh-gaussian-dense-5", "gaussian-channel-3", "blob-16x16-mi2"]
    {
      let task = try SyntheticTasks.task(named: name)
      let width = task.xDimension + task.yDimension
      #expect(throws: SyntheticError.sampleTooLarge(task: name, count: SyntheticLimits.maximumSampleValues / width + 1, width: width), "\(name)") {
        try task.sample(count: SyntheticLimits.maximumSampleValues / width + 1, seed: 1)
      }
    }
    let blob = try BlobImageTask(mutualInformation: 1)
    #expect(throws: SyntheticError.self) { try blob.sampleImages(count: 1 << 40, seed: 1) }
    let message = "\(SyntheticError.sampleTooLarge(task: "gaussian-dense-5", count: 10_000_000_000, width: 10))"
    #expect(message == "task 'gaussian-dense-5': 10000000000 samples of dx + dy = 10 values exceed the limit N·(dx + dy) ≤ 67108864 (512 MiB per float64 copy); use N ≤ 6710886")
  }

  @Test func hugeDimensionsAreRefusedBeforeAllocating() throws {
    for name in [
      "gaussian-dense-100000", "gaussian-dense-2049", "gaussian-dense-4611686018427387904", "gaussian-channel-100000",
      "gaussian-4000x97-rho0.5", "student-4096x1-nu2", "gaussian-1pair-4096x4096", "noiseless-4097", "noiseless-1048576",
      String(repeating: "asinh-", count: 20_000) + "bsc-0.1",
    ] {
      #expect(throws: SyntheticError.self, "\(name.prefix(60))") { try SyntheticTasks.task(named: name) }
    }
    // The limits themselves are accepted (sizes only: not sampled here).
    #expect(try _TaskNameParser(name: "t").dimensions("4000x96") == (4000, 96))
    #expect(throws: SyntheticError.self) { try _TaskNameParser(name: "t").dimensions("4000x97") }
    #expect(try SyntheticTasks.task(named: "noiseless-16").mutualInformationNats > 0)
    #expect(try GaussianTask.dense(dimension: 8).xDimension == 8)
    #expect(throws: SyntheticError.self) { try GaussianTask.dense(dimension: Int.max) }
    #expect(throws: SyntheticError.self) {
      try GaussianTask.pairs(xDimension: Int.max, yDimension: 2, pairs: 0, correlation: 0, name: "overflow")
    }
  }
}
