import Foundation
import IBPlane

/// The one place the CLI turns an input path into a `SnapshotSource`.
///
/// Accepted: an `activations.bin` recording (`Recording`), a `.npz` archive or a folder of
/// `.npy` files following the import convention (`NumPyRecordingSource`, see
/// docs/activations-format.md), and a directory of NumPy files with `recording.json` (layout in
/// `NumPyDirectorySource`).
func openSource(_ path: String) throws -> SnapshotSource {
  let url = URL(fileURLWithPath: path)
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
    throw BadInput("\(path): no such file or directory")
  }
  if isDirectory.boolValue, NumPyDirectorySource.isDirectorySource(url) {
    return try NumPyDirectorySource(directory: url)
  }
  if isDirectory.boolValue, NumPyRecordingSource.isFolderSource(url) {
    return try NumPyRecordingSource.folder(url)
  }
  if !isDirectory.boolValue {
    if url.pathExtension == "npz" { return try NumPyRecordingSource.npz(url) }
    let recording = try Recording(contentsOf: url)
    for warning in recording.warnings { CLIFailure.printError("warning: \(warning)") }
    return recording
  }
  throw BadInput(
    "\(path): not a recording this build can open; expected an activations.bin file, a .npz archive, a folder with labels.npy and layer/<name>.npy, or a directory holding recording.json, labels.npy and snapshot-<s>-layer-<l>.npy files")
}
