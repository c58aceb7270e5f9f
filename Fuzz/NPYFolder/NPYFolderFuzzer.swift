import Foundation
import IBPlane
import IBPlaneFuzzSupport

/// libFuzzer entry point over the two folder sources the CLI opens: a directory holding
/// `recording.json`, `labels.npy` and `snapshot-<s>-layer-<l>.npy` files (`NumPyDirectorySource`)
/// and a folder following the import convention, `labels.npy` with `layer/<name>.npy`
/// (`NumPyRecordingSource.folder`, also what `ibplane convert FOLDER` reads). Each input is a
/// `FileBundle` unpacked into an emptied folder; both sources are opened on it whatever it
/// holds (so their "missing file" paths run too), read like `ibplane analyze` reads them, and the
/// import-convention one is converted to a recording and read back
/// (`SourceChecks.checkConversion`). Bad input must end in a thrown error.
@_cdecl("LLVMFuzzerTestOneInput")
public func npyFolderFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let folder = FuzzScratch.emptyDirectory("folder")
  FileBundle.write(Data(bytes: data, count: size), into: folder)
  if let source = try? NumPyDirectorySource(directory: folder) {
    SourceChecks.exercise(source)
  }
  if let source = try? NumPyRecordingSource.folder(folder) {
    SourceChecks.exercise(source)
    SourceChecks.checkConversion(source)
  }
  return 0
}
