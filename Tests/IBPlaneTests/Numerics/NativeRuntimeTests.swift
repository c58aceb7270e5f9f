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
}
