import Foundation
import IBPlaneNumerics

#if canImport(Glibc)
  import Glibc
#endif

/// A file or directory that could not be created, read or written: the path, what was being
/// done, and the cause in plain words (`strerror`'s text for the POSIX error underneath).
///
/// A runtime failure, not bad input: the CLI exits with 1. Foundation's own errors print as
/// `Error Domain=NSCocoaErrorDomain Code=640 …` and some (ENOSPC on write) name no file, so
/// every output of an analysis goes through `OutputFiles`, which throws this instead.
public struct OutputError: Error, Equatable, CustomStringConvertible {
  public var path: String
  /// What was being done, as a verb phrase: "write", "create the directory", "read".
  public var action: String
  public var cause: String

  public init(path: String, action: String, cause: String) {
    self.path = path
    self.action = action
    self.cause = cause
  }

  /// Wraps `error` (an `NSError`, a `CocoaError`, a POSIX error) thrown while doing `action` on `path`.
  public init(path: String, action: String, error: Error) {
    self.init(path: path, action: action, cause: Self.cause(of: error))
  }

  public var description: String { "cannot \(action) \(path): \(cause)" }

  /// The plain-words cause (`FileErrorCause`): the POSIX error's `strerror` text when there is
  /// one underneath.
  package static func cause(of error: Error) -> String { FileErrorCause.text(error) }

  static func errnoText(_ code: Int32) -> String { FileErrorCause.errnoText(code) }
}

/// The file operations of an analysis's outputs, each failing with an `OutputError` that
/// names the path.
public enum OutputFiles {
  /// Cuts `csv` to its first `bytes` bytes: the rows a resumed run keeps, without the last row
  /// an interrupted run left cut short.
  static func truncateCutShortRow(_ csv: URL, to bytes: Int) throws {
    do {
      let h = try FileHandle(forWritingTo: csv)
      try h.truncate(atOffset: UInt64(bytes))
      try h.close()
    } catch {
      throw OutputError(path: csv.path, action: "truncate the cut-short last row of", error: error)
    }
  }

  /// Creates `directory` and its parents; fails when the path exists and is not a directory.
  public static func createDirectory(_ directory: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw OutputError(path: directory.path, action: "use the output directory", cause: "it exists and is not a directory")
      }
      return
    }
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw OutputError(path: directory.path, action: "create the output directory", error: error)
    }
  }

  /// Writes `data` to `url`; `atomic` writes a temporary file and renames it over `url`.
  public static func write(_ data: Data, to url: URL, atomic: Bool = false) throws {
    do { try data.write(to: url, options: atomic ? .atomic : []) } catch {
      throw OutputError(path: url.path, action: "write", error: error)
    }
  }

  /// The contents of `url`.
  public static func read(_ url: URL) throws -> Data {
    do { return try Data(contentsOf: url) } catch {
      throw OutputError(path: url.path, action: "read", error: error)
    }
  }
}
