import Foundation
import IBPlaneTestSupport
import Testing

/// `ibplane train` finds its bundled data when the binary is installed and run from PATH in
/// another directory: argv[0] is then just "ibplane", so the executable must be found through
/// /proc/self/exe (the old lookup resolved "ibplane" against the working directory and failed).
@Suite("installed ibplane finds its data")
struct InstalledDataTests {
  /// A `make install`-shaped prefix holding a copy of the built binary, and `share/` when asked.
  static func prefix(withData: Bool) throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory()
    let fm = FileManager.default
    try fm.createDirectory(at: dir.file("bin"), withIntermediateDirectories: true)
    try fm.copyItem(at: try CLI.binary, to: dir.file("bin/ibplane"))
    if withData {
      let data = dir.file("share/ibplane/notebooks-data")
      try fm.createDirectory(at: data, withIntermediateDirectories: true)
      try fm.copyItem(
        at: Repository.file("notebooks-data/ib12-var_u.csv"), to: data.appendingPathComponent("ib12-var_u.csv"))
    }
    return dir
  }

  /// Runs `ibplane ARGS` through the shell from `/`, so argv[0] is the bare command name.
  static func runFromRoot(_ prefix: TemporaryDirectory, _ arguments: String) throws -> CLI.Result {
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = prefix.file("bin").path + ":/usr/bin:/bin"
    environment["IBPLANE_DATA"] = nil
    return try runProcess(
      URL(fileURLWithPath: "/bin/sh"), ["-c", "cd / && exec ibplane \(arguments)"], environment: environment)
  }

  @Test func trainRunsFromRootWithTheInstalledData() throws {
    let prefix = try Self.prefix(withData: true)
    defer { prefix.remove() }
    let r = try Self.runFromRoot(prefix, "train --dataset ib12 --epochs 2 --log-epochs 0 --quiet --json")
    #expect(r.status == 0, "\(r.stderr)")
    let object = try CLI.json(r.stdout)
    #expect(object["dataset"] as? String == "ib12")
    #expect(object["architecture"] as? String == "12-10-7-5-4-3-2")
  }

  @Test func missingDataNamesEveryPlaceSearched() throws {
    let prefix = try Self.prefix(withData: false)
    defer { prefix.remove() }
    let r = try Self.runFromRoot(prefix, "train --dataset ib12 --epochs 1 --quiet")
    #expect(r.status == 2)
    #expect(r.stderr.contains("cannot find notebooks-data/ (searched ./notebooks-data, \(prefix.file("share/ibplane/notebooks-data").path)"), "\(r.stderr)")
    #expect(r.stderr.contains("pass --data-dir or set IBPLANE_DATA"))
  }
}
