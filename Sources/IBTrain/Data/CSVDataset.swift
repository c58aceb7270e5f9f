import Foundation
import IBPlane

/// Reads a numeric CSV with a header row whose last column is an integer class label
/// (the layout of `notebooks-data/ib12-*.csv`: `x1,…,x12,y`).
///
/// Every row must have the header's number of fields; features parse as decimal numbers,
/// labels as non-negative integers. Errors name the file, the line (1-based, header = 1),
/// the column and what was expected. Complexity O(file size).
public enum CSVDataset {
  public static func load(path: String) throws -> (inputs: Matrix<Float>, labels: [Int], featureNames: [String]) {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw DatasetError.unreadable(file: path, detail: FileErrorCause.text(error))
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw DatasetError.malformed(file: path, location: "byte 0", expected: "UTF-8 text", found: "invalid UTF-8")
    }
    // "\r\n" is one Character in Swift, so both line ends are matched explicitly.
    var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    while let last = lines.last, last.isEmpty { lines.removeLast() }
    guard let header = lines.first else {
      throw DatasetError.malformed(file: path, location: "line 1", expected: "a header row", found: "an empty file")
    }
    let names = header.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    guard names.count >= 2 else {
      throw DatasetError.malformed(
        file: path, location: "line 1", expected: "at least one feature column and a label column", found: "\(names.count) column")
    }
    let d = names.count - 1
    var features: [Float] = []
    features.reserveCapacity((lines.count - 1) * d)
    var labels: [Int] = []
    labels.reserveCapacity(lines.count - 1)
    for (offset, line) in lines.enumerated().dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == names.count else {
        throw DatasetError.malformed(
          file: path, location: "line \(offset + 1)", expected: "\(names.count) fields", found: "\(fields.count)")
      }
      for j in 0..<d {
        let s = fields[j].trimmingCharacters(in: .whitespaces)
        guard let v = Float(s), v.isFinite else {
          throw DatasetError.malformed(
            file: path, location: "line \(offset + 1), column \(names[j])", expected: "a finite number", found: "'\(s)'")
        }
        features.append(v)
      }
      let s = fields[d].trimmingCharacters(in: .whitespaces)
      guard let y = Int(s) ?? Double(s).flatMap({ $0 == $0.rounded() && abs($0) < 1e9 ? Int($0) : nil }), y >= 0 else {
        throw DatasetError.malformed(
          file: path, location: "line \(offset + 1), column \(names[d])", expected: "a non-negative integer label",
          found: "'\(s)'")
      }
      labels.append(y)
    }
    guard !labels.isEmpty else {
      throw DatasetError.malformed(file: path, location: "line 2", expected: "at least one data row", found: "none")
    }
    return (try Matrix(rows: labels.count, columns: d, elements: features), labels, Array(names.prefix(d)))
  }
}
