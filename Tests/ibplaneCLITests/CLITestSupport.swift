import Foundation
import IBPlaneTestSupport

/// Runs the built `ibplane` binary (next to the test bundle, else `.build/debug` or `.build/release`)
/// for every CLI test, through the shared process runner (stdout and stderr read concurrently).
enum CLI {
  typealias Result = ProcessResult

  static var binary: URL { get throws { try BuiltProducts.ibplane } }

  static func run(_ arguments: [String]) throws -> Result {
    try runProcess(try binary, arguments)
  }

  /// A fresh scratch directory (removed when the test process exits).
  static func scratch() throws -> URL { try Scratch.directory("ibplane-cli") }

  /// The JSON object printed on stdout.
  static func json(_ s: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any] else {
      throw CocoaError(.propertyListReadCorrupt)
    }
    return object
  }
}
