import Foundation
import IBPlane
import IBPlaneFuzzSupport
import ZIPFoundation

/// libFuzzer entry point over the `.npz` import (`NumPyRecordingSource.npz`, what `ibplane
/// convert` and `ibplane analyze` run on a `.npz`): every input is written as an archive and
/// imported, its layers and plane context are read, and it is converted to a recording and read
/// back (`SourceChecks.checkConversion`). Each input also runs with its stored members' CRC-32s
/// repaired (`ZipChecksums`), so mutations inside a member reach the `.npy` parser.
///
/// Property: an archive the import accepts has members whose bytes match their CRC-32 and
/// declared size — accepting a damaged member would be a silent wrong answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func npzFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  exercise(bytes)
  let repaired = ZipChecksums.repaired(bytes)
  if repaired != bytes { exercise(repaired) }
  return 0
}

private func exercise(_ bytes: Data) {
  guard let url = FuzzScratch.write(bytes, to: "input.npz"),
    let source = try? NumPyRecordingSource.npz(url)
  else { return }
  checkMembers(url)
  SourceChecks.exercise(source)
  SourceChecks.checkConversion(source)
}

/// Re-reads every member the import uses (the naming convention's arrays; other members are
/// ignored, never parsed) of an accepted archive with ZIPFoundation and compares the CRC-32 and
/// size it computes with the ones the archive declares.
private func checkMembers(_ url: URL) {
  guard let archive = try? Archive(url: url, accessMode: .read) else {
    fuzzFailure("the .npz import accepted an archive ZIPFoundation cannot open")
  }
  for entry in archive where entry.type == .file
    && NumPyRecordingSource.isConventionName(NumPyRecordingSource.arrayName(entry.path)) {
    var count: UInt64 = 0
    guard let crc = try? archive.extract(entry, consumer: { count += UInt64($0.count) }) else {
      fuzzFailure("the .npz import accepted member '\(entry.path)', which does not extract")
    }
    guard crc == entry.checksum else {
      fuzzFailure("the .npz import accepted member '\(entry.path)' with CRC-32 \(crc), the archive declares \(entry.checksum)")
    }
    guard count == entry.uncompressedSize else {
      fuzzFailure("the .npz import accepted member '\(entry.path)' of \(count) bytes, the archive declares \(entry.uncompressedSize)")
    }
  }
}
