import Foundation
import IBPlane
import IBPlaneFuzzSupport

/// libFuzzer entry point over the `.npy` reader (`NumPyFile`): every input is parsed from memory
/// and read from a file, then converted every way the library converts arrays (to doubles,
/// integer labels, float32 and float64 matrices). Bad input must end in a `NumPyError`.
///
/// Property: an array the reader accepts is written back by `NumPyFile.encode` as a file that
/// reads as the same array (dtype, shape and bytes); a difference is a silent wrong answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func npyFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Data(bytes: data, count: size)
  let parsed = try? NumPyFile.parse(bytes, file: "input.npy")
  if let url = FuzzScratch.write(bytes, to: "input.npy") {
    let read = try? NumPyFile.read(url)
    guard read == parsed else { fuzzFailure("NumPyFile.read and NumPyFile.parse disagree on the same bytes") }
  }
  guard let array = parsed else { return 0 }
  _ = array.doubles()
  _ = try? array.integers()
  _ = try? array.matrix(Float.self)
  _ = try? array.matrix(Double.self)
  let reparsed: NumPyArray
  do {
    reparsed = try NumPyFile.parse(NumPyFile.encode(array), file: "encoded.npy")
  } catch {
    fuzzFailure("NumPyFile.encode wrote a file its own reader refuses: \(error)")
  }
  guard reparsed == array else {
    fuzzFailure("round trip changed the array: \(array.dtype) \(array.shape) became \(reparsed.dtype) \(reparsed.shape)")
  }
  return 0
}
