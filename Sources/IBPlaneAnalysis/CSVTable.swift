import Foundation

/// A CSV file that does not have the expected shape: which file, line and column, and why.
public struct CSVError: Error, Equatable, CustomStringConvertible {
  public var file: String
  /// 1-based line number, 0 when the problem is not tied to a line.
  public var line: Int
  public var field: String
  public var message: String
  public init(file: String, line: Int, field: String, message: String) {
    self.file = file
    self.line = line
    self.field = field
    self.message = message
  }
  public var description: String {
    line > 0 ? "\(file):\(line): \(field): \(message)" : "\(file): \(field): \(message)"
  }
}

/// RFC 4180 CSV: comma-separated, `\n` line ends, fields quoted only when they hold a
/// comma, a quote or a line break (quotes doubled). What pandas `read_csv` reads with no options.
public enum CSVTable {
  /// One record as a line, with its trailing `\n`.
  public static func line(_ fields: [String]) -> String {
    fields.map(quoted).joined(separator: ",") + "\n"
  }

  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// Parses CSV text into records. Returns the complete records and the byte length of the
  /// text they span: a final record without its line end (a write cut short by a kill) is
  /// not returned, so the caller can truncate the file there.
  public static func records(_ text: String, file: String) throws -> (records: [[String]], completeBytes: Int) {
    var records: [[String]] = []
    var field = ""
    var fields: [String] = []
    var inQuotes = false
    var afterQuote = false
    var completeBytes = 0
    var bytes = 0
    var line = 1
    for scalar in text.unicodeScalars {
      bytes += String(scalar).utf8.count
      if inQuotes {
        if scalar == "\"" {
          inQuotes = false
          afterQuote = true
        } else {
          if scalar == "\n" { line += 1 }
          field.unicodeScalars.append(scalar)
        }
        continue
      }
      switch scalar {
      case "\"":
        if afterQuote {
          field.append("\"")
          inQuotes = true
          afterQuote = false
        } else if field.isEmpty {
          inQuotes = true
        } else {
          throw CSVError(file: file, line: line, field: "field \(fields.count + 1)", message: "quote inside an unquoted field")
        }
      case ",":
        fields.append(field)
        field = ""
        afterQuote = false
      case "\r":
        continue
      case "\n":
        fields.append(field)
        records.append(fields)
        fields = []
        field = ""
        afterQuote = false
        completeBytes = bytes
        line += 1
      default:
        if afterQuote {
          throw CSVError(file: file, line: line, field: "field \(fields.count + 1)", message: "text after a closing quote")
        }
        field.unicodeScalars.append(scalar)
      }
    }
    return (records, completeBytes)
  }
}
