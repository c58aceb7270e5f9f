import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The one place a Foundation file error (`NSError`, `CocoaError`, `POSIXError`) becomes plain
/// words: Foundation prints `The operation could not be completed. (… error 260.)` or
/// `Error Domain=NSCocoaErrorDomain Code=640`, which names neither the cause nor the file.
/// Callers put the path in front (`"/data/x.npy: no such file"`).
package enum FileErrorCause {
  /// "no such file", "permission denied", "is a directory", "no space left on device", …:
  /// the POSIX error underneath (`strerror`'s text, lower-cased), or the Cocoa code's.
  package static func text(_ error: Error) -> String {
    var e = error as NSError
    for _ in 0..<4 {
      if e.domain == NSPOSIXErrorDomain { return errnoText(Int32(e.code)) }
      guard let next = e.userInfo[NSUnderlyingErrorKey] as? Error else { break }
      e = next as NSError
    }
    if let posix = error as? POSIXError { return errnoText(posix.code.rawValue) }
    switch (error as NSError).code {
    case CocoaError.fileWriteOutOfSpace.rawValue: return errnoText(ENOSPC)
    case CocoaError.fileWriteNoPermission.rawValue, CocoaError.fileReadNoPermission.rawValue: return errnoText(EACCES)
    case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return errnoText(ENOENT)
    case CocoaError.fileWriteFileExists.rawValue: return errnoText(EEXIST)
    default: return (error as NSError).localizedDescription
    }
  }

  /// `strerror(code)` with a lower-case first letter, to sit after a colon mid-sentence;
  /// ENOENT is "no such file" (the path in front says whether a file or a folder was meant).
  package static func errnoText(_ code: Int32) -> String {
    if code == ENOENT { return "no such file" }
    let text = String(cString: strerror(code))
    return text.prefix(1).lowercased() + text.dropFirst()
  }
}
