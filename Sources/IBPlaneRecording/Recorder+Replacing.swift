import Foundation

extension Recorder {
  /// Writes a whole recording to `url` without ever opening `url` for writing: `write` is given
  /// a temporary path in the same folder (so on the same file system) and must create the
  /// recording there (`Recorder(creating:)`, `NumPyRecordingSource.write(to:)`); the result must
  /// then open as a recording, is flushed to disk, and only then renamed onto `url`. On any
  /// error the temporary file is removed and `url` is left as it was, so `url` may even be the
  /// file `write` reads from (`ibplane convert run.bin run.bin --storage float16 --overwrite`).
  ///
  /// Throws `io` when `url` exists and `overwrite` is false, or names a folder or a device.
  /// A process killed while writing leaves a hidden `.NAME.partial-…` file beside `url`.
  /// The corresponding C functions are `fsync` and `rename`.
  @discardableResult
  public static func writeReplacing(_ url: URL, overwrite: Bool, _ write: (URL) throws -> Void) throws -> Recording {
    let path = url.path
    func check() throws {
      switch _FileKind(path: path) {
      case .missing: return
      case .regular:
        guard overwrite else {
          throw RecordingError.io(file: path, operation: "create", reason: "the file exists (replace it with overwrite: true, --overwrite in the CLI)")
        }
      case .directory, .other:
        throw RecordingError.io(file: path, operation: "replace", reason: "not a regular file; give a path for the new .bin file")
      }
    }
    try check()
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
    defer { _AppendFile.removeIfPresent(path: temporary.path) }
    try write(temporary)
    _ = try Recording(contentsOf: temporary)
    try _AppendFile.synchronize(path: temporary.path)
    // Checked again: another process may have created `url` while this one was writing.
    try check()
    try _AppendFile.rename(temporary.path, onto: path)
    return try Recording(contentsOf: url)
  }
}
