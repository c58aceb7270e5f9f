import Foundation
import IBPlane

/// The figure renderer of `ibplane render`: librsvg's `rsvg-convert`, run once per figure.
///
/// Found at `$IBPLANE_RSVG_CONVERT` (a path, or a name searched on PATH) or as `rsvg-convert`
/// on PATH. Each child gets `SOURCE_DATE_EPOCH` (the user's, else 0): cairo writes it as the
/// PDF's creation date instead of the wall clock, so the same SVG gives the same PDF bytes
/// (cairo's font-subset tags are derived from the content, and PNGs carry no date).
struct RSVGConvert {
  var executable: URL
  /// As `rsvg-convert --version` prints it, e.g. "2.54.7".
  var version: String

  static let environmentVariable = "IBPLANE_RSVG_CONVERT"
  static let installHint = "sudo apt-get install librsvg2-bin"
  /// Lines of the tool's stderr quoted in an error.
  static let quotedLines = 5

  /// What one conversion wrote.
  struct Rendered {
    var bytes: Int
    /// A PNG's size from its IHDR chunk; nil for a PDF.
    var pixels: (width: Int, height: Int)?
  }

  /// The renderer, checked by running `--version`; a clear error naming the package when absent.
  static func locate(for formats: [Render.Format]) throws -> RSVGConvert {
    let what = formats.map(\.rawValue).joined(separator: " and ")
    let needs = "rendering to \(what) needs rsvg-convert (Debian package librsvg2-bin)"
    let environment = ProcessInfo.processInfo.environment
    let executable: URL
    if let chosen = environment[environmentVariable], !chosen.isEmpty {
      guard let found = search(chosen, path: environment["PATH"]) else {
        throw BadInput("\(needs): \(environmentVariable)=\(chosen) is not an executable; point it at rsvg-convert, or unset it to use rsvg-convert from PATH (\(installHint))")
      }
      executable = found
    } else {
      guard let found = search("rsvg-convert", path: environment["PATH"]) else { throw BadInput("\(needs): \(installHint)") }
      executable = found
    }
    let probe = try run(executable, ["--version"])
    let words = probe.stdout.split(whereSeparator: \.isWhitespace)
    guard probe.succeeded, words.count >= 2, words[words.count - 2] == "version" else {
      throw BadInput("\(executable.path) --version did not answer like rsvg-convert (\(probe.ending)): \(quote(probe.stdout + probe.stderr)); \(needs)")
    }
    return RSVGConvert(executable: executable, version: String(words[words.count - 1]))
  }

  /// `name` itself when it holds a `/`, else the first executable `name` in `path`'s directories.
  static func search(_ name: String, path: String?) -> URL? {
    let fm = FileManager.default
    if name.contains("/") { return fm.isExecutableFile(atPath: name) ? URL(fileURLWithPath: name) : nil }
    for directory in (path ?? "").split(separator: ":") where !directory.isEmpty {
      let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
      if fm.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// Converts every job, at most `Parallel.maximumThreads` children at once; results in job
  /// order. The first failure in job order is thrown once all have finished (the figures that
  /// did convert stay written).
  func render(_ jobs: [Render.Job]) throws -> [Rendered] {
    let fm = FileManager.default
    for directory in Set(jobs.map { $0.output.deletingLastPathComponent().path }) {
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw RenderWriteError(description: "\(directory): cannot be created (\((error as NSError).localizedDescription))")
      }
    }
    let lock = NSLock()
    var results = [Result<Rendered, Error>?](repeating: nil, count: jobs.count)
    Parallel.forEach(jobs.count) { i in
      let result = Result { try convert(jobs[i]) }
      lock.lock()
      results[i] = result
      lock.unlock()
    }
    var rendered: [Rendered] = []
    var failures: [Error] = []
    for case let result? in results {
      switch result {
      case .success(let r): rendered.append(r)
      case .failure(let e): failures.append(e)
      }
    }
    if let first = failures.first {
      guard failures.count > 1 else { throw first }
      let more = "; \(failures.count - 1) other figure(s) failed too"
      if let bad = first as? BadInput { throw BadInput(bad.description + more) }
      throw RenderWriteError(description: "\(first)\(more)")
    }
    return rendered
  }

  /// One figure, written under a temporary name beside the output and renamed when complete.
  func convert(_ job: Render.Job) throws -> Rendered {
    let partial = job.output.deletingLastPathComponent().appendingPathComponent(".\(job.output.lastPathComponent).partial")
    defer { try? FileManager.default.removeItem(at: partial) }
    let arguments = ["--format", job.format.rawValue, "--zoom", "\(job.scale)", "--output", partial.path, job.source.path]
    let child = try Self.run(executable, arguments)
    guard child.succeeded else {
      throw BadInput("\(executable.lastPathComponent) could not render \(job.source.path) (\(child.ending)): \(Self.quote(child.stderr))")
    }
    let data: Data
    do {
      data = try Data(contentsOf: partial)
    } catch {
      throw BadInput("\(executable.lastPathComponent) exited successfully on \(job.source.path) but wrote no \(job.format.rawValue)")
    }
    guard rename(partial.path, job.output.path) == 0 else {
      throw RenderWriteError(description: "\(job.output.path): cannot be written (\(String(cString: strerror(errno))))")
    }
    return Rendered(bytes: data.count, pixels: job.format == .png ? Self.pngSize(data) : nil)
  }

  /// Width and height from a PNG's IHDR chunk (bytes 16…23, big-endian), nil when not a PNG.
  static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
    let bytes = [UInt8](data.prefix(24))
    guard bytes.count == 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { return nil }
    let word = { (at: Int) in bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (word(16), word(20))
  }

  /// The first `quotedLines` non-empty lines of a tool's output, joined with " / ".
  static func quote(_ text: String) -> String {
    let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard !lines.isEmpty else { return "no message" }
    let shown = lines.prefix(quotedLines).joined(separator: " / ")
    return lines.count > quotedLines ? shown + " / …" : shown
  }

  /// Runs the tool to completion with stdout and stderr captured (stdout is read on another
  /// thread, so neither pipe can fill up and block it).
  static func run(_ executable: URL, _ arguments: [String]) throws -> (succeeded: Bool, ending: String, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    if (environment["SOURCE_DATE_EPOCH"] ?? "").isEmpty { environment["SOURCE_DATE_EPOCH"] = "0" }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw BadInput("\(executable.path) cannot be started (\((error as NSError).localizedDescription)); \(installHint)")
    }
    let stdout = OutputBox()
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      stdout.data = out.fileHandleForReading.readDataToEndOfFile()
      done.signal()
    }
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    let ending = process.terminationReason == .uncaughtSignal ? "killed by signal \(process.terminationStatus)" : "exit status \(process.terminationStatus)"
    let succeeded = process.terminationReason == .exit && process.terminationStatus == 0
    return (succeeded, ending,
      String(decoding: stdout.data, as: UTF8.self), String(decoding: errors, as: UTF8.self))
  }
}

/// Holds a reader thread's bytes until it has finished (read after `done.wait()` only).
private final class OutputBox: @unchecked Sendable {
  var data = Data()
}

/// A converted figure that could not be put in place (no permission, disk full): exit 1.
struct RenderWriteError: Error, CustomStringConvertible {
  var description: String
}
