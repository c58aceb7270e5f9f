import Foundation
import IBPlane

/// The one place the CLI turns an input path into a `SnapshotSource`.
///
/// Accepted today: a directory of NumPy files with `recording.json` (layout in
/// `NumPyDirectorySource`). The `activations.bin` / `.npz` reader (`Recording`) plugs in
/// here, by extension, without touching the subcommands.
func openSource(_ path: String) throws -> SnapshotSource {
  let url = URL(fileURLWithPath: path)
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
    throw BadInput("\(path): no such file or directory")
  }
  if isDirectory.boolValue, NumPyDirectorySource.isDirectorySource(url) {
    return try NumPyDirectorySource(directory: url)
  }
  throw BadInput(
    "\(path): not a recording this build can open; expected a directory holding recording.json, labels.npy and snapshot-<s>-layer-<l>.npy files")
}
