import Foundation
import IBPlane

/// The recordings the C interface opens: the same four kinds, tried in the same order, as
/// `ibplane analyze` (Sources/ibplane/OpenSource.swift), so a path that works on the command
/// line works from Python. Warnings (a truncated last record) are returned, not printed: a
/// library does not write to the caller's stderr.
func openSource(_ path: String) throws -> (source: SnapshotSource, warnings: [String]) {
  let url = URL(fileURLWithPath: path)
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
    throw CArgumentError("\(path): no such file or directory")
  }
  if isDirectory.boolValue, NumPyDirectorySource.isDirectorySource(url) {
    return (try NumPyDirectorySource(directory: url), [])
  }
  if isDirectory.boolValue, NumPyRecordingSource.isFolderSource(url) {
    return (try NumPyRecordingSource.folder(url), [])
  }
  if !isDirectory.boolValue {
    if url.pathExtension == "npz" { return (try NumPyRecordingSource.npz(url), []) }
    let recording = try Recording(contentsOf: url)
    return (recording, recording.warnings)
  }
  throw CArgumentError(
    "\(path): not a recording this build can open; expected an activations.bin file, a .npz archive, a folder with labels.npy and layer/<name>.npy, or a directory holding recording.json, labels.npy and snapshot-<s>-layer-<l>.npy files")
}

/// An open recording behind an `ibplane_recording *`, with its plane context (inputs and
/// labels) read on first use.
// @unchecked Sendable: `cachedContext` is read and written only under `lock`; the rest is immutable.
final class OpenRecording: @unchecked Sendable {
  let source: SnapshotSource
  let warnings: [String]
  private let lock = NSLock()
  private var cachedContext: PlaneContext?

  init(source: SnapshotSource, warnings: [String]) {
    self.source = source
    self.warnings = warnings
  }

  func context() throws -> PlaneContext {
    lock.lock()
    defer { lock.unlock() }
    if let c = cachedContext { return c }
    let c = try source.makePlaneContext()
    cachedContext = c
    return c
  }
}

/// The live handles. A handle is a number, not an address, so a closed, forged or doubly
/// closed handle is an error message instead of a use-after-free.
// @unchecked Sendable: `next` and `open` are read and written only under `lock`.
final class HandleTable: @unchecked Sendable {
  static let shared = HandleTable()
  private let lock = NSLock()
  private var next: UInt = 1
  private var open: [UInt: OpenRecording] = [:]

  func insert(_ r: OpenRecording) -> OpaquePointer {
    lock.lock()
    defer { lock.unlock() }
    let id = next
    next += 1
    open[id] = r
    return OpaquePointer(bitPattern: id)!
  }

  func lookup(_ handle: OpaquePointer?) throws -> OpenRecording {
    lock.lock()
    defer { lock.unlock() }
    guard let handle else { throw CArgumentError("recording is NULL: expected a handle from ibplane_recording_open") }
    guard let r = open[UInt(bitPattern: handle)] else {
      throw CArgumentError("recording is not an open handle (closed already, or never returned by ibplane_recording_open)")
    }
    return r
  }

  func remove(_ handle: OpaquePointer?) {
    guard let handle else { return }
    lock.lock()
    defer { lock.unlock() }
    open[UInt(bitPattern: handle)] = nil
  }
}
