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
  static let formatting: JSONEncoder.OutputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]

  /// The object as pretty-printed JSON with sorted keys, through `JSONEncoder` on a typed
  /// `Value`: the same text as `JSONSerialization` (`JSONConventionCLITests` compares every
  /// command's), which took 1.0–1.7 ms cold for an `estimate`'s 800 bytes, mostly the runtime's
  /// protocol-conformance scans behind its dynamic casts; the encoder takes ~0.4 ms (issue 18).
  /// An object holding a type `Value` does not take falls back to `JSONSerialization`.
  static func render(_ object: [String: Any]) throws -> String {
    if let value = Value(object) {
      let encoder = JSONEncoder()
      encoder.outputFormatting = formatting
      return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
    return try serialized(object)
  }

  /// `render` through `JSONSerialization` (the fallback).
  static func serialized(_ object: [String: Any]) throws -> String {
    let clean = sanitize(object)
    let data = try JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// A JSON value: what the commands' `[String: Any]` objects hold, typed. Non-finite numbers
  /// are null, as `sanitize` makes them for `JSONSerialization`.
  enum Value: Encodable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case unsigned(UInt64)
    case double(Double)
    case string(String)
    case array([Value])
    case object([String: Value])

    /// nil when `any` holds (or nests) a type other than NSNumber, NSNull, Bool, Swift's
    /// integers, Double, String, and arrays and string-keyed dictionaries of them (a `Float`,
    /// say, whose text `JSONSerialization` writes in its own way: the caller falls back to it).
    init?(_ any: Any) {
      if Swift.type(of: any) is NSNumber.Type, let n = any as? NSNumber {
        // An NSNumber (a seed kept exact as UInt64, say) by its own type: cast to `Bool` it
        // would read 0 and 1 as false and true.
        switch String(cString: n.objCType) {
        case "c", "B": self = .bool(n.boolValue)
        case "C", "S", "I", "L", "Q": self = .unsigned(n.uint64Value)
        case "s", "i", "l", "q": self = .int(n.int64Value)
        default: self = n.doubleValue.isFinite ? .double(n.doubleValue) : .null
        }
        return
      }
      switch any {
      case let v as Bool: self = .bool(v)
      case let v as Int: self = .int(Int64(v))
      case let v as Int64: self = .int(v)
      case let v as Int32: self = .int(Int64(v))
      case let v as UInt64: self = .unsigned(v)
      case let v as UInt: self = .unsigned(UInt64(v))
      case let v as UInt32: self = .unsigned(UInt64(v))
      case let v as Double: self = v.isFinite ? .double(v) : .null
      case let v as String: self = .string(v)
      case is NSNull: self = .null
      case let v as [String: Any]:
        var out: [String: Value] = [:]
        for (key, item) in v {
          guard let value = Value(item) else { return nil }
          out[key] = value
        }
        self = .object(out)
      case let v as [Any]:
        var out: [Value] = []
        out.reserveCapacity(v.count)
        for item in v {
          guard let value = Value(item) else { return nil }
          out.append(value)
        }
        self = .array(out)
      default: return nil
      }
    }

    func encode(to encoder: Encoder) throws {
      var c = encoder.singleValueContainer()
      switch self {
      case .null: try c.encodeNil()
      case .bool(let v): try c.encode(v)
      case .int(let v): try c.encode(v)
      case .unsigned(let v): try c.encode(v)
      case .double(let v): try c.encode(v)
      case .string(let v): try c.encode(v)
      case .array(let v): try c.encode(v)
      case .object(let v): try c.encode(v)
      }
    }
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
