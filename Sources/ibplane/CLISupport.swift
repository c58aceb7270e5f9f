import ArgumentParser
import Foundation
import IBPlane

/// Every subcommand of `ibplane`, in `--help` order. Each lives in its own file.
enum CLISubcommands {
  static let all: [ParsableCommand.Type] = [
    Synth.self, Estimate.self, Train.self, Analyze.self, Merge.self, Inspect.self, Convert.self,
    GeneralisationCommand.self,
  ]
}

/// A failure the user caused (bad input file, bad parameter): exit code 2.
struct BadInput: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Maps errors to the documented exit codes and prints one clear sentence to stderr.
enum CLIFailure {
  static func report(_ error: Error, command: ParsableCommand.Type) -> Int32 {
    switch error {
    case is BadInput, is NumPyError, is EstimatorError, is NumericsError, is PlaneAnalysisError, is CSVError:
      printError("error: \(error)")
      return 2
    case let e as RecordingError:
      printError("error: \(error)")
      return e.isRuntimeFailure ? 1 : 2
    // Runtime failures: a file that cannot be written (disk full, no permission), an output
    // another process is writing.
    case is OutputError, is OutputLockError:
      printError("error: \(error)")
      return 1
    default:
      break
    }
    let code = command.exitCode(for: error)
    let message = command.fullMessage(for: error)
    if code == .success {
      print(message)
      return 0
    }
    if let e = error as? ExitCode { return e.rawValue }
    // The parser's own errors (unknown option, missing or invalid value, `validate()`) print
    // `Error: …` plus the usage; they get the one prefix every other error has.
    printError(lowercasedPrefix(message.isEmpty ? String(describing: error) : message))
    return code == .validationFailure ? 2 : 1
  }

  /// `Error: x` → `error: x`, and a message without a prefix gets one.
  static func lowercasedPrefix(_ message: String) -> String {
    if message.hasPrefix("Error: ") { return "error: " + message.dropFirst("Error: ".count) }
    return message.hasPrefix("error: ") ? message : "error: " + message
  }

  static func printError(_ s: String) {
    FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
  }
}

extension InformationUnit: ExpressibleByArgument {}

/// JSON output helpers, one convention on every command's `--json`: snake_case keys, stable key
/// order, numbers as JSON numbers (non-finite values as null), paths with their slashes as they
/// are (`"/data/run.bin"`, not `"\/data\/run.bin"`).
enum JSONOutput {
  static func render(_ object: [String: Any]) throws -> String {
    let clean = sanitize(object)
    let data = try JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// Parameter values as JSON values: typed by the estimator's parameter table where it names
  /// the key (integer, real, seed, flag; a real's `none` spelling stays text), else a value that
  /// reads back exactly as a number or a boolean becomes one; everything else stays text.
  static func typed(_ parameters: [String: String], table: [EstimatorParameter] = []) -> [String: Any] {
    var out: [String: Any] = [:]
    for (key, value) in parameters {
      switch table.first(where: { $0.key == key })?.kind {
      case .integer?: out[key] = Int(value) ?? value
      case .seed?: out[key] = UInt64(value).map { $0 as Any } ?? value
      case .real?: out[key] = Double(value).map { $0 as Any } ?? value  // the `none` spelling stays text
      case .flag?: out[key] = Bool(value).map { $0 as Any } ?? value
      default: out[key] = inferred(value)
      }
    }
    return out
  }

  /// The typed `parameters` object of a registered estimator (its values as used).
  static func typedParameters(of estimator: Any, name: String, form: EstimatorParameter.Form) -> [String: Any] {
    guard let (family, values) = EstimatorRegistry.values(of: estimator, name: name, form: form) else { return [:] }
    return typed(values.dictionary, table: family.parameters(for: form))
  }

  private static func inferred(_ value: String) -> Any {
    if let i = Int(value), String(i) == value { return i }
    if let b = Bool(value) { return b }
    if let d = Double(value), d.isFinite, value.allSatisfy({ "0123456789.eE+-".contains($0) }) { return d }
    return value
  }

  private static func sanitize(_ value: Any) -> Any {
    switch value {
    case let d as Double: return d.isFinite ? d : NSNull()
    case let dict as [String: Any]: return dict.mapValues(sanitize)
    case let arr as [Any]: return arr.map(sanitize)
    default: return value
    }
  }
}
