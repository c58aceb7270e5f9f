#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Foundation

/// Every system call of the recording code goes through this file (open, write, fsync,
/// ftruncate, mmap), so the rest speaks Swift and throws `RecordingError`.

private func reason() -> String { String(cString: strerror(errno)) }

/// A read-only memory mapping of a whole file. `mmap` costs nothing until pages are touched,
/// so opening a 10 GB recording reads only the pages the header and the record index need.
/// The corresponding C functions are `open`, `fstat`, `mmap` and `munmap`.
// @unchecked Sendable: an immutable read-only mapping (`PROT_READ`); unmapped in `deinit`, after
// the last reader.
final class _MappedFile: @unchecked Sendable {
  let path: String
  let count: Int
  private let base: UnsafeRawPointer?
  private let fd: Int32

  init(path: String) throws {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw RecordingError.io(file: path, operation: "open for reading", reason: reason()) }
    self.fd = fd
    var mapped = false
    defer { if !mapped { close(fd) } }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw RecordingError.io(file: path, operation: "stat", reason: reason()) }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw RecordingError.io(file: path, operation: "read", reason: "not a regular file")
    }
    count = Int(st.st_size)
    if count == 0 {
      base = nil
      mapped = true
      return
    }
    guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw RecordingError.io(file: path, operation: "memory-map", reason: reason())
    }
    base = UnsafeRawPointer(p)
    mapped = true
  }

  deinit {
    if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    close(fd)
  }

  /// Copies `target.count` bytes at `offset` into `target` with `pread` — the kernel's copy,
  /// faster than touching the mapping for bulk payload reads (see `_Decode.decode`). The caller
  /// has checked the range lies inside the file; a short read means the file shrank.
  func read(into target: UnsafeMutableRawBufferPointer, at offset: Int) throws {
    var done = 0
    while done < target.count {
      let n = pread(fd, target.baseAddress! + done, target.count - done, off_t(offset + done))
      if n < 0 {
        if errno == EINTR { continue }
        throw RecordingError.systemFailure(file: path, operation: "read at offset \(offset + done)", reason: reason())
      }
      guard n > 0 else {
        throw RecordingError.truncated(
          file: path, offset: offset + done, field: "snapshot payload", expected: "the file not to shrink while it is open")
      }
      done += n
    }
  }

  /// Tells the kernel the whole range will be read in order (`madvise(MADV_SEQUENTIAL)`).
  func adviseSequential(offset: Int, length: Int) {
    guard let base, length > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = offset / page * page
    _ = madvise(UnsafeMutableRawPointer(mutating: base + start), min(count - start, length + offset - start), MADV_SEQUENTIAL)
  }

  /// The bytes in `range`; the caller has checked it lies inside the file.
  @inline(__always)
  func bytes(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer {
    guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: base + offset, count: length)
  }
}

/// A file opened for appending. The corresponding C functions are `open`, `unlink`, `write`,
/// `fsync`, `truncate`, `rename` and `close`.
///
/// Failures once the file is open (`write`, `fsync`, `truncate`, `rename`) are
/// `RecordingError.systemFailure`: a full disk is a runtime failure, not bad input.
final class _AppendFile {
  let path: String
  private var fd: Int32

  /// `overwrite` never truncates an existing regular file in place: it unlinks it and creates a
  /// new one, so a reader that still has the old file open or mapped (possibly the caller,
  /// copying from it) keeps its bytes instead of meeting a shrunken file (SIGBUS).
  enum Mode { case createNew, overwrite, append }

  init(path: String, mode: Mode) throws {
    self.path = path
    var flags: Int32
    switch mode {
    case .createNew: flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
    case .overwrite:
      flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
      var st = stat()
      if stat(path, &st) == 0 {
        if (st.st_mode & S_IFMT) == S_IFREG {
          guard unlink(path) == 0 || errno == ENOENT else {
            throw RecordingError.io(file: path, operation: "replace", reason: reason())
          }
        } else {
          // A device or FIFO (/dev/null, /dev/full) is written through, never replaced.
          flags = O_WRONLY | O_CLOEXEC
        }
      }
    case .append: flags = O_WRONLY | O_APPEND | O_CLOEXEC
    }
    fd = open(path, flags, 0o644)
    guard fd >= 0 else {
      let why = errno == EEXIST ? "the file exists (pass overwrite: true, or use Recorder.append(to:))" : reason()
      throw RecordingError.io(file: path, operation: mode == .append ? "open for appending" : "create", reason: why)
    }
  }

  deinit { if fd >= 0 { close(fd) } }

  /// Writes all of `bytes`, retrying short writes and EINTR.
  func write(_ bytes: UnsafeRawBufferPointer) throws {
    guard var p = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
      let n = Glibc.write(fd, p, left)
      if n < 0 {
        if errno == EINTR { continue }
        throw RecordingError.systemFailure(file: path, operation: "write", reason: reason())
      }
      p += n
      left -= n
    }
  }

  func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

  func synchronize() throws {
    // fsync of a character device (/dev/full, /dev/null) fails with EINVAL: nothing to flush.
    guard fsync(fd) == 0 || errno == EINVAL else {
      throw RecordingError.systemFailure(file: path, operation: "fsync", reason: reason())
    }
  }

  /// Flushes a closed file to disk (before it is renamed into place).
  static func synchronize(path: String) throws {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw RecordingError.systemFailure(file: path, operation: "open for fsync", reason: reason()) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw RecordingError.systemFailure(file: path, operation: "fsync", reason: reason()) }
  }

  /// Moves `source` onto `target` atomically (`rename`, same file system): a reader of
  /// `target` sees the old file or the new one, never a mixture.
  static func rename(_ source: String, onto target: String) throws {
    guard Glibc.rename(source, target) == 0 else {
      throw RecordingError.systemFailure(file: target, operation: "rename \(source) onto it", reason: reason())
    }
  }

  /// Removes a file, ignoring errors (cleanup of a temporary file after a failure).
  static func removeIfPresent(path: String) { _ = unlink(path) }

  /// Cuts the file to `length` bytes (drops a truncated tail before appending).
  static func truncate(path: String, to length: Int) throws {
    guard Glibc.truncate(path, off_t(length)) == 0 else {
      throw RecordingError.systemFailure(file: path, operation: "truncate", reason: reason())
    }
  }
}

/// What a path names, without following it into a read.
enum _FileKind {
  case missing, regular, directory, other

  /// The corresponding C function is `stat` (symbolic links are followed).
  init(path: String) {
    var st = stat()
    guard stat(path, &st) == 0 else {
      self = .missing
      return
    }
    switch st.st_mode & S_IFMT {
    case S_IFREG: self = .regular
    case S_IFDIR: self = .directory
    default: self = .other
    }
  }
}
