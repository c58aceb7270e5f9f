import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Another process holds the lock of an output: the lock file and what that process wrote
/// into it (its PID and command line).
///
/// A runtime condition, not bad input: the CLI exits with 1.
public struct OutputLockError: Error, Equatable, CustomStringConvertible {
  public var lockFile: String
  /// `pid <n>: <command line>`, or a note that the holder has not written it yet.
  public var holder: String

  public var description: String {
    "\(lockFile): the output is in use by another ibplane process (\(holder)); wait for it to finish or write to another directory"
  }
}

/// An exclusive, non-blocking lock on one output of an analysis, so two processes never
/// write the same CSV at once (their rows would interleave, and the next `--resume` would
/// refuse the file).
///
/// The lock is `flock(2)` on a lock file next to the output (`DIR/.plane.lock` for
/// `plane.csv` and the reports, `DIR/.plane-shard-i-of-n.lock` for a shard, so the shards
/// of one analysis can run into one directory at once). The holder writes `pid <n>: <command
/// line>` into the file so the refused process can say who holds it. The kernel drops the
/// lock when the holder exits, even on SIGKILL, so a killed run never leaves a stale lock;
/// the file itself stays (emptied when released normally).
///
/// Re-entrant within a process: acquiring a lock this process already holds returns it
/// again (the CLI holds `.plane.lock` across `PlaneAnalysis.run` and the reports).
// @unchecked Sendable: `released` is read and written only under `releaseLock`; the rest is
// immutable.
public final class OutputLock: @unchecked Sendable {
  public let lockFile: URL
  private var released = false
  private let releaseLock = NSLock()

  /// The lock file guarding `csvFileName` (e.g. `plane.csv`) in `directory`.
  public static func lockFile(for csvFileName: String, in directory: URL) -> URL {
    let stem = csvFileName.hasSuffix(".csv") ? String(csvFileName.dropLast(4)) : csvFileName
    return directory.appendingPathComponent(".\(stem).lock")
  }

  /// Takes the lock of `csvFileName` in `directory` (which must exist), or throws
  /// `OutputLockError` naming the holder, without waiting.
  public static func acquire(_ csvFileName: String, in directory: URL) throws -> OutputLock {
    try OutputLock(lockFile: lockFile(for: csvFileName, in: directory))
  }

  /// Takes the lock of `csvFileName` in `directory` only if its lock file exists and can be
  /// opened (`merge` reading shards from a read-only directory); `nil` otherwise. Throws
  /// `OutputLockError` when another process holds it: that shard is still being written.
  public static func acquireIfPresent(_ csvFileName: String, in directory: URL) throws -> OutputLock? {
    let url = lockFile(for: csvFileName, in: directory)
    guard try registry.acquire(url.standardizedFileURL.path, create: false) else { return nil }
    return OutputLock(acquired: url)
  }

  private init(lockFile: URL) throws {
    self.lockFile = lockFile
    _ = try Self.registry.acquire(lockFile.standardizedFileURL.path, create: true)
  }

  private init(acquired lockFile: URL) { self.lockFile = lockFile }

  /// Releases the lock (once; later calls do nothing). `deinit` releases it too.
  public func release() {
    releaseLock.lock()
    defer { releaseLock.unlock() }
    guard !released else { return }
    released = true
    Self.registry.release(lockFile.standardizedFileURL.path)
  }

  deinit { release() }

  private static let registry = _LockRegistry()
}

/// The locks this process holds: one descriptor per lock file, with a use count.
// @unchecked Sendable: `held` is read and written only under `mutex`.
final class _LockRegistry: @unchecked Sendable {
  private let mutex = NSLock()
  private var held: [String: (fd: Int32, uses: Int)] = [:]

  /// Takes the lock of `path`; without `create`, returns false when the lock file cannot be
  /// opened (absent, or in a directory this process may not write).
  func acquire(_ path: String, create: Bool) throws -> Bool {
    mutex.lock()
    defer { mutex.unlock() }
    if let entry = held[path] {
      held[path] = (entry.fd, entry.uses + 1)
      return true
    }
    let fd = open(path, create ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDWR | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      if !create { return false }
      throw OutputError(path: path, action: "create the lock file", cause: OutputError.errnoText(errno))
    }
    guard Self.lockBriefly(fd) == 0 else {
      let code = errno
      let holder = Self.contents(fd)
      close(fd)
      guard code == EWOULDBLOCK else {
        throw OutputError(path: path, action: "lock", cause: OutputError.errnoText(code))
      }
      throw OutputLockError(lockFile: path, holder: holder.isEmpty ? "its PID is not recorded yet" : holder)
    }
    let command = CommandLine.arguments.joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
    let line = Array("pid \(getpid()): \(command.prefix(2000))\n".utf8)
    let written = ftruncate(fd, 0) == 0 ? line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } : -1
    guard written == line.count else {
      let code = errno
      close(fd)
      throw OutputError(path: path, action: "write", cause: OutputError.errnoText(code))
    }
    held[path] = (fd, 1)
    return true
  }

  /// `flock(fd, LOCK_EX | LOCK_NB)`, retried for up to ~0.5 s while it would block (returns
  /// its result; `errno` is that of the last try). A child process spawned by another thread
  /// holds a copy of every descriptor between its fork and its exec (O_CLOEXEC closes them only
  /// at the exec), and with it the lock of a file this process has just released: without the
  /// retry, a process that spawns children while it locks and unlocks outputs (the test suite)
  /// could be refused its own, already released, lock. A real holder is still refused after
  /// the short wait.
  static func lockBriefly(_ fd: Int32) -> Int32 {
    var attempt = 0
    while true {
      let r = flock(fd, LOCK_EX | LOCK_NB)
      if r == 0 || errno != EWOULDBLOCK || attempt == 50 { return r }
      attempt += 1
      usleep(10_000)
    }
  }

  func release(_ path: String) {
    mutex.lock()
    defer { mutex.unlock() }
    guard let entry = held[path] else { return }
    if entry.uses > 1 {
      held[path] = (entry.fd, entry.uses - 1)
      return
    }
    held[path] = nil
    _ = ftruncate(entry.fd, 0)
    close(entry.fd)  // drops the flock
  }

  /// The holder line of a lock file (at most 4 KiB, without its line end).
  private static func contents(_ fd: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0 else { return "" }
    return String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
