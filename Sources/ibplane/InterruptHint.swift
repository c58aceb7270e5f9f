import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Ctrl-C during `ibplane analyze`: the finished rows are already on disk (one CSV row per
/// finished job), so the handler only says how to continue — the exact command line with
/// `--resume` — and exits with 130 (128 + SIGINT, what a shell reports for a Ctrl-C).
///
/// The message is built before the signal arrives and written with `write(2)`; the process
/// then leaves with `_exit`, as the default action would, so no half-written state is flushed
/// from another thread (a cut-short last row is dropped by `--resume`).
enum InterruptHint {
  // Kept alive for the process's lifetime; set once, on the main thread, before any signal.
  nonisolated(unsafe) private static var source: DispatchSourceSignal?

  static func install(csv: String, arguments: [String] = CommandLine.arguments) {
    let resume = arguments.contains("--resume") ? arguments : arguments + ["--resume"]
    let lead = isatty(2) != 0 ? "\n" : ""  // ends a progress bar's line
    let message = Array(
      (lead + "error: interrupted; the finished rows are kept in \(csv). Continue with:\n  \(shellCommand(resume))\n").utf8)
    signal(SIGINT, SIG_IGN)
    let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    s.setEventHandler {
      message.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
      _exit(130)
    }
    s.resume()
    source = s
  }

  /// The words as one POSIX shell command: a word of only safe characters as it is, any other
  /// in single quotes (a `'` inside as `'\''`), the empty word as `''`.
  static func shellCommand(_ words: [String]) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-")
    return words.map { w in
      !w.isEmpty && w.allSatisfy(safe.contains) ? w : "'" + w.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }.joined(separator: " ")
  }
}
