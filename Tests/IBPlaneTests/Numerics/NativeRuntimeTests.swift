import Testing

import IBPlane
@testable import IBPlaneNumerics

/// OpenBLAS's idle pool is stopped at start-up (issue 18), so its server threads do not
/// busy-wait while ibplane runs single-threaded BLAS or none at all. (Raising the count
/// restarts it: `ibplane train --blas-threads`, TrainCommandTests, in a child process, since
/// a second BLAS thread here would change other tests' LAPACK results.)
@Suite struct NativeRuntimeTests {
  @Test func blasPoolIsStoppedAtStartUp() {
    NativeRuntime.ensureInitialised()
    #expect(NativeRuntime.blasThreads == 1)
    #expect(!NativeRuntime.blasPoolRunning)
  }

  /// `openblas_set_num_threads(1)` alone restarts a stopped pool (OpenBLAS 0.3); the trainer
  /// sets 1 thread before and after every run, which brought the spinning threads back for the
  /// rest of the process (and failed the test above when a training test ran first).
  @Test func settingOneThreadKeepsThePoolStopped() {
    NativeRuntime.setBLASThreads(1)
    NativeRuntime.setBLASThreads(1)
    #expect(NativeRuntime.blasThreads == 1)
    #expect(!NativeRuntime.blasPoolRunning)
  }
}
