import CNative
import Foundation
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

  /// OpenBLAS and LAPACKE are opened with their own scope first (`RTLD_DEEPBIND`) in a
  /// process without a sanitizer runtime, locally and bound at load; their functions answer.
  @Test func nativeLibrariesOpenWithTheirOwnScopeFirst() {
    #expect(_NativeLibraries.openFlags & RTLD_DEEPBIND != 0)
    #expect(_NativeLibraries.openFlags & RTLD_LOCAL != 0 || RTLD_LOCAL == 0)
    #expect(_NativeLibraries.openFlags & RTLD_NOW != 0)
    #expect(dlsym(_NativeLibraries.openBLAS, "dgemm_") != nil)
    #expect(dlsym(_NativeLibraries.lapacke, "LAPACKE_dsyevd") != nil)
  }

  /// On x86-64 with AVX2 and FMA OpenBLAS runs its Haswell kernels (the same rounding on every
  /// such machine; Debian's 0.3.21 fell back to SSE3 `Prescott` kernels on an AVX-512 Xeon),
  /// unless the environment chose a core, and the variable set for the load is gone again.
  @Test func openBLASRunsTheHaswellKernels() {
    let chosen = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
    let core = NativeRuntime.blasCore
    if let chosen {
      #expect(core.lowercased() == chosen.lowercased())
    } else if ibp_cpu_runs_haswell_kernels() != 0 {
      #expect(core == "Haswell")
      #expect(getenv("OPENBLAS_CORETYPE") == nil)
    }
  }
}
