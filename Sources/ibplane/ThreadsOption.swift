import IBPlane

/// The one path from the command line to the library's thread bound. `--threads` (analyze,
/// estimate) sets `Parallel.maximumThreads` once, before any work; without it the bound is
/// `IBPLANE_THREADS` (checked by `IBPlaneCommand.main`) or the number of cores. Every loop of
/// the library, nested ones included, stays within it, and OpenBLAS runs one thread per call.
enum ThreadsOption {
  static func apply(_ threads: Int?) throws {
    NativeRuntime.ensureInitialised()  // stops OpenBLAS's idle pool before it spins (issue 18)
    guard let threads else { return }
    guard (1...Parallel.threadLimit).contains(threads) else {
      throw BadInput("--threads must lie in 1…\(Parallel.threadLimit), got \(threads)")
    }
    Parallel.maximumThreads = threads
  }
}
