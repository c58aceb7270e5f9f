import Foundation

/// Several files in one fuzzer input, so that a folder source (a `recording.json` with `.npy`
/// files, or `labels.npy` with `layer/<name>.npy`) can be fuzzed as a whole. The layout is the
/// one `head` prints for several files:
///
///     ==> recording.json <==
///     {"layers": [{"name": "h1", "width": 2}], "snapshots": [{"epoch": 0, "step": 0}]}
///     ==> labels.npy <==
///     \x93NUMPY…
///
/// A file starts after its `==> NAME <==\n` line and ends before the `\n` that precedes the next
/// such line (or at the end of the input), so its bytes are exact. Delimiters rather than length
/// prefixes keep a mutation inside one file from shifting every file after it. Names are
/// `[A-Za-z0-9._-]` words, optionally under one folder (`layer/h1.npy`); other names, `.` and
/// `..` and files past `maxFiles` are ignored. A name given twice keeps its last content.
/// scripts/fuzz-seeds.py writes the seeds in this layout.
public enum FileBundle {
  public static let maxFiles = 32
  private static let opening = Array("==> ".utf8)
  private static let closing = Array(" <==\n".utf8)

  /// The files of `input`, in order of first appearance.
  public static func files(_ input: Data) -> [(name: String, contents: Data)] {
    let b = [UInt8](input)
    // Starts of header lines: offset 0, or just after a newline.
    var headers: [(start: Int, name: String, body: Int)] = []
    var i = 0
    while i + opening.count <= b.count {
      if (i == 0 || b[i - 1] == 0x0A), b[i..<(i + opening.count)].elementsEqual(opening),
        let (name, body) = header(b, at: i)
      {
        headers.append((i, name, body))
        i = body
      } else {
        i += 1
      }
    }
    var order: [String] = []
    var contents: [String: Data] = [:]
    for (k, h) in headers.enumerated() {
      let end = k + 1 < headers.count ? headers[k + 1].start - 1 : b.count
      if contents[h.name] == nil {
        guard order.count < maxFiles else { continue }
        order.append(h.name)
      }
      contents[h.name] = Data(b[h.body..<max(h.body, end)])
    }
    return order.compactMap { name in contents[name].map { (name, $0) } }
  }

  /// Writes the files of `input` into `directory` (which the caller emptied); returns their names.
  @discardableResult
  public static func write(_ input: Data, into directory: URL) -> [String] {
    let fm = FileManager.default
    var written: [String] = []
    for (name, contents) in files(input) {
      let url = directory.appendingPathComponent(name)
      if name.contains("/") {
        try? fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      }
      if (try? contents.write(to: url)) != nil { written.append(name) }
    }
    return written
  }

  /// The name of the header line at `i` and the offset where its file starts.
  private static func header(_ b: [UInt8], at i: Int) -> (String, Int)? {
    let nameStart = i + opening.count
    var j = nameStart
    while j < b.count, j - nameStart <= 128, b[j] != 0x0A {
      if j + closing.count <= b.count, b[j..<(j + closing.count)].elementsEqual(closing) {
        guard let name = String(bytes: b[nameStart..<j], encoding: .utf8), isAllowed(name) else { return nil }
        return (name, j + closing.count)
      }
      j += 1
    }
    return nil
  }

  private static func isAllowed(_ name: String) -> Bool {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count) else { return false }
    return parts.allSatisfy { part in
      !part.isEmpty && part != "." && part != ".."
        && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
    }
  }
}
