import Foundation
import IBPlaneTestSupport
import Testing

/// What a process start loads (issue 17.4): OpenBLAS and LAPACKE only when a command calls them
/// (NativeRuntime.swift opens them on first use), and, with the toolchain the static link was
/// verified on, no Swift runtime library at all. Observed through glibc's loader log
/// (`LD_DEBUG=files`, written to stderr), on the real binary.
@Suite struct StartUpCLITests {
  private func loaderLog(_ arguments: [String]) throws -> (status: Int32, log: String, stdout: String) {
    var e = ProcessInfo.processInfo.environment
    e["LD_DEBUG"] = "files"
    let r = try runProcess(try CLI.binary, arguments, environment: e)
    return (r.status, r.stderr, r.stdout)
  }

  private func synthPair(_ task: String, n: Int) throws -> (URL, String, String) {
    let dir = try CLI.scratch()
    let synth = try CLI.run(["synth", "--task", task, "--n", "\(n)", "--seed", "3", "--out", dir.path])
    #expect(synth.status == 0, "\(synth.stderr)")
    return (dir, dir.appendingPathComponent("x.npy").path, dir.appendingPathComponent("y.npy").path)
  }

  @Test func commandsWithoutLinearAlgebraDoNotLoadOpenBLAS() throws {
    let (dir, x, y) = try synthPair("gaussian-dense-5", n: 500)
    defer { try? FileManager.default.removeItem(at: dir) }
    for arguments in [["--version"], ["estimate", "--estimator", "ksg", x, y], ["estimate", "--estimator", "binning", x, y, "--second", "binned"]] {
      let r = try loaderLog(arguments)
      #expect(r.status == 0, "\(arguments): \(r.log.suffix(400))")
      // The log names every object it maps ("file=libgsl.so.27 [0];  needed by …"); a line for
      // OpenBLAS or LAPACKE would mean they were loaded.
      #expect(r.log.contains("file=libgsl.so"), "the loader log was not captured: \(r.log.prefix(300))")
      #expect(!r.log.contains("file=libopenblas"), "\(arguments) loaded OpenBLAS")
      #expect(!r.log.contains("file=liblapacke"), "\(arguments) loaded LAPACKE")
    }
  }

  /// The lazy wrappers reach the real libraries: Cauchy–Schwarz QMI runs GEMMs, PCA a LAPACK
  /// eigendecomposition; both load on first use and give the same value as without the log.
  @Test func linearAlgebraLoadsOnFirstUse() throws {
    let (dir, x, y) = try synthPair("gaussian-dense-5", n: 600)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (estimator, library) in [("cs", "file=libopenblas.so.0"), ("renyi", "file=liblapacke.so.3")] {
      let arguments = ["estimate", "--estimator", estimator, "--unit", "nats", "--json", x, y]
      let logged = try loaderLog(arguments)
      #expect(logged.status == 0, "\(estimator): \(logged.log.suffix(400))")
      #expect(logged.log.contains(library), "\(estimator) did not load \(library)")
      let plain = try CLI.run(arguments)
      #expect(plain.status == 0, "\(plain.stderr)")
      let a = try CLI.json(logged.stdout)["mi_nats"] as? Double
      let b = try CLI.json(plain.stdout)["mi_nats"] as? Double
      #expect(a != nil && a == b, "\(estimator): \(String(describing: a)) vs \(String(describing: b))")
    }
  }

  #if os(Linux) && compiler(>=6.3) && !compiler(>=6.4)
    /// Package.swift links the command's Swift runtime and Foundation statically on this
    /// toolchain: ld.so resolves none of their ~25,000 symbols at start.
    @Test func theCommandLoadsNoSwiftRuntimeLibrary() throws {
      let r = try loaderLog(["--version"])
      #expect(r.status == 0)
      #expect(!r.log.contains("file=libswiftCore.so"))
      #expect(!r.log.contains("file=libFoundation"))
    }
  #endif
}
