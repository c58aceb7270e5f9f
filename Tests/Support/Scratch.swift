import Foundation
import Testing

/// Scratch directories for tests. Each is unique (a UUID in its name) and lives under one
/// folder per test process, `$TMPDIR/ibplane-tests-<pid>-<random>/`, which is removed when the
/// process exits normally; so a test may keep its directory (e.g. to read it after a failure
/// within the run) without leaving litter behind, and `TemporaryDirectory.remove()` frees space early.
package enum Scratch {
  /// The per-process parent; created, and registered for removal at exit, on first use.
  package static let root: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ibplane-tests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: Scratch.root) }
    return url
  }()

  /// A new, empty directory; `prefix` only helps a human find it while the tests run.
  package static func directory(_ prefix: String = "scratch") throws -> URL {
    let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// `directory(prefix)` for helpers that cannot throw: a failure to create it is recorded as
  /// an issue of the running test (and the first write into the URL then fails naming it).
  package static func directoryOrIssue(_ prefix: String = "scratch") -> URL {
    do { return try directory(prefix) } catch {
      Issue.record(error, "cannot create a scratch directory under \(root.path)")
      return root.appendingPathComponent("\(prefix)-not-created-\(UUID().uuidString)")
    }
  }
}

/// A fresh scratch directory with helpers to name and write files in it.
package struct TemporaryDirectory: Sendable {
  package let url: URL

  package init(_ prefix: String = "scratch") throws {
    url = try Scratch.directory(prefix)
  }

  package func file(_ name: String) -> URL { url.appendingPathComponent(name) }

  /// Writes `bytes` to `name` and returns its URL.
  package func write(_ bytes: [UInt8], _ name: String) throws -> URL {
    let f = file(name)
    try Data(bytes).write(to: f)
    return f
  }

  /// Removes the directory now instead of at process exit.
  package func remove() { try? FileManager.default.removeItem(at: url) }
}
