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

/// JSON output helpers: stable key order, numbers as JSON numbers, non-finite values as null.
enum JSONOutput {
  static func render(_ object: [String: Any]) throws -> String {
    let clean = sanitize(object)
    let data = try JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .prettyPrinted])
    return String(decoding: data, as: UTF8.self)
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
