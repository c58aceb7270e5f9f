import Foundation
import IBPlane

#if canImport(Glibc)
  import Glibc
#endif

/// Progress on stderr: a redrawn bar on a terminal, a plain line every 10% (or 10 s)
/// otherwise, nothing when quiet.
// @unchecked Sendable: `update` is called only from PlaneAnalysis' progress callback, which runs
// under the analysis' result lock, so its mutable fields are never touched concurrently.
final class AnalysisProgressPrinter: @unchecked Sendable {
  private let quiet: Bool
  private let terminal = isatty(2) != 0
  private var lastPrintedFraction = 0.0
  private var lastPrintedTime = 0.0

  init(quiet: Bool) { self.quiet = quiet }

  func update(_ p: PlaneProgress) {
    if quiet || p.total == 0 { return }
    let fraction = Double(p.finished) / Double(p.total)
    let eta = p.finished > 0 ? p.elapsedSeconds / Double(p.finished) * Double(p.total - p.finished) : 0
    let counts = "\(p.finished)/\(p.total) jobs" + (p.skipped > 0 ? " (+\(p.skipped) resumed)" : "")
    let times = String(format: "%.1f s, eta %.0f s", p.elapsedSeconds, eta)
    if terminal {
      let width = 30
      let filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      write("\r[\(bar)] \(counts)  \(times)  \(p.lastRow.layer) e\(p.lastRow.epoch) \(p.lastRow.estimator)\u{1B}[K" + (p.finished == p.total ? "\n" : ""))
    } else if fraction - lastPrintedFraction >= 0.1 || p.elapsedSeconds - lastPrintedTime >= 10 || p.finished == p.total {
      lastPrintedFraction = fraction
      lastPrintedTime = p.elapsedSeconds
      write("analyze: \(counts), \(times)\n")
    }
  }

  private func write(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
