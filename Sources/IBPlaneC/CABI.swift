import Foundation
import IBPlane
import IBTrain

// The plumbing every entry point of ibplane.h shares: status codes, error messages, strings
// and JSON handed to C. Nothing here may trap on what a caller passes: every argument is
// checked and every thrown error becomes a status and a sentence (see `callC`).

/// The status codes of ibplane.h, the CLI's exit codes.
enum CStatus {
  static let ok: Int32 = 0
  static let runtime: Int32 = 1
  static let input: Int32 = 2
}

/// The ABI version of include/ibplane.h (`IBPLANE_ABI_VERSION`); bump with any change there.
let cABIVersion: Int32 = 1

/// A bad argument of a C call: status `IBPLANE_ERROR_INPUT`.
struct CArgumentError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// `char **` as Swift sees it.
public typealias CStringOut = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

/// `lossy:compress=autoencoder` needs IBTrain's compressor registered, as `ibplane` does at
/// start-up; a global's initialiser runs once, thread-safely, on first use.
let autoencoderRegistration: Void = AutoencoderCompressor.register()

/// Runs `body` and turns anything it throws into a status and `*error`. `*error` is NULL on
/// success, so a caller may free it unconditionally.
func callC(_ error: CStringOut?, _ body: () throws -> Void) -> Int32 {
  error?.pointee = nil
  _ = autoencoderRegistration
  // The library's thread policy (OpenBLAS at one thread per call, GSL's aborting error
  // handler off) is set by its first parallel loop or special function; a BLAS call before
  // that (the Gaussian estimator's covariance) would run on every core and round differently.
  NativeRuntime.ensureInitialised()
  // OpenBLAS and LAPACKE open on first use, and a missing one stops the process: inside a
  // Python interpreter (a Jupyter kernel) that would end the session, so every call checks
  // first (once per process; ~3 ms to open both) and a missing library is an error to catch.
  if let reason = NativeRuntime.linearAlgebraUnavailable {
    error?.pointee = strdup(reason)
    return CStatus.runtime
  }
  do {
    try body()
    return CStatus.ok
  } catch let thrown {
    let (status, message) = describe(thrown)
    error?.pointee = strdup(message)
    return status
  }
}

/// The status and one-sentence message of an error: what the user supplied is status 2 (as
/// the CLI's exit code 2), anything else (I/O, disk full) status 1.
func describe(_ error: Error) -> (Int32, String) {
  switch error {
  case is CArgumentError, is EstimatorError, is NumericsError, is NumPyError, is RecordingError, is CSVError,
    is DatasetError, is SyntheticError:
    return (CStatus.input, "\(error)")
  default:
    let ns = error as NSError
    var message = ns.localizedDescription
    if let path = ns.userInfo[NSFilePathErrorKey] as? String { message += " (\(path))" }
    return (CStatus.runtime, message)
  }
}

/// A required C string argument as Swift text.
func string(_ p: UnsafePointer<CChar>?, _ name: String) throws -> String {
  guard let p else { throw CArgumentError("\(name) is NULL: expected a NUL-terminated UTF-8 string") }
  guard let s = String(validatingCString: p) else { throw CArgumentError("\(name) is not valid UTF-8") }
  return s
}

/// Hands `text` to the caller through `out` (malloc'd; freed with `ibplane_free`).
func deliver(_ text: String, to out: CStringOut?, _ name: String = "result") throws {
  guard let out else { throw CArgumentError("\(name) is NULL: expected a char ** to receive the JSON") }
  guard let copy = strdup(text) else { throw CArgumentError("out of memory copying \(text.utf8.count) bytes of \(name)") }
  out.pointee = copy
}

/// JSON text of `object`: sorted keys, non-finite numbers as null (as the CLI's `--json`).
func json(_ object: [String: Any]) throws -> String {
  let data = try JSONSerialization.data(withJSONObject: sanitize(object), options: [.sortedKeys])
  return String(decoding: data, as: UTF8.self)
}

private func sanitize(_ value: Any) -> Any {
  switch value {
  case let d as Double: return d.isFinite ? d : NSNull()
  case let d as [String: Double]: return d.mapValues { $0.isFinite ? $0 as Any : NSNull() }
  case let dict as [String: Any]: return dict.mapValues(sanitize)
  case let arr as [Any]: return arr.map(sanitize)
  default: return value
  }
}

/// A checked element count `a × b`, within `limit`.
func product(_ a: Int64, _ b: Int64, limit: Int64, _ what: String) throws -> Int {
  guard a >= 0, b >= 0 else { throw CArgumentError("\(what): sizes must be ≥ 0, got \(a) × \(b)") }
  let (p, overflow) = a.multipliedReportingOverflow(by: b)
  guard !overflow, p <= limit else {
    throw CArgumentError("\(what): \(a) × \(b) elements exceeds the limit of \(limit) (IBPLANE_MAX_ELEMENTS)")
  }
  return Int(p)
}

@_cdecl("ibplane_version")
public func ibplane_version() -> UnsafePointer<CChar>? { UnsafePointer(versionString) }

/// Allocated once and never freed: the header promises a static string.
// nonisolated(unsafe): written once by the lazy global initialiser (thread-safe), never mutated.
nonisolated(unsafe) private let versionString: UnsafeMutablePointer<CChar>? = strdup(IBPlaneVersion.string)

@_cdecl("ibplane_abi_version")
public func ibplane_abi_version() -> Int32 { cABIVersion }

@_cdecl("ibplane_free")
public func ibplane_free(_ string: UnsafeMutablePointer<CChar>?) { free(string) }
