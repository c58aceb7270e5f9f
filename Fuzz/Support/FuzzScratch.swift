import Foundation

/// Where the harnesses put the files they build from an input. The readers under test take
/// paths (they map files, list folders, open zip archives), so every input is written out first.
///
/// The directory is `$IBPLANE_FUZZ_SCRATCH` when set (scripts/fuzz makes a fresh one per target
/// and removes it afterwards), else a per-process directory in /dev/shm (a RAM disk: the fuzzer
/// writes thousands of files a second) or the temporary directory.
public enum FuzzScratch {
  public static let directory: URL = {
    let env = ProcessInfo.processInfo.environment
    let root: URL
    if let given = env["IBPLANE_FUZZ_SCRATCH"], !given.isEmpty {
      root = URL(fileURLWithPath: given)
    } else {
      let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
      root = URL(fileURLWithPath: base).appendingPathComponent("ibplane-fuzz")
    }
    let dir = root.appendingPathComponent("\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }()

  /// A file path in the scratch directory (not created).
  public static func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

  /// An empty directory in the scratch directory: whatever the previous input left there is removed.
  public static func emptyDirectory(_ name: String) -> URL {
    let url = directory.appendingPathComponent(name)
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes `bytes` to the scratch file `name`; false when the scratch disk refused (the input is
  /// then skipped: a full RAM disk is not a finding).
  public static func write(_ bytes: Data, to name: String) -> URL? {
    let url = file(name)
    return (try? bytes.write(to: url)) != nil ? url : nil
  }
}

/// Stops the process on a wrong answer the harness detected (as opposed to an error the library
/// threw, which is the expected outcome for bad input): libFuzzer treats the abort as a crash and
/// saves the input as `crash-…`. Never used on the library's own error paths.
public func fuzzFailure(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
  FileHandle.standardError.write(Data("ibplane fuzz property failed (\(file):\(line)): \(message)\n".utf8))
  abort()
}
