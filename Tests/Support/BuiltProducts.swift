import Foundation

/// The products `swift build` / `swift test` put in the build folder, for tests that run them
/// as a user would.
package enum BuiltProducts {
  /// The build folder of the running tests: the test bundle's own folder (`.build/<config>/`,
  /// where SwiftPM also puts the `ibplane` executable it built for them).
  package static var buildFolder: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  }

  /// Where a product named `name` may be: beside the test executable or bundle first (the build
  /// being tested; on macOS the tests run inside an .xctest bundle in the build folder), then
  /// `.build/debug` and `.build/release` under the package root.
  static func candidates(_ name: String) -> [URL] {
    [buildFolder, Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()].map { $0.appendingPathComponent(name) }
      + ["debug", "release"].map { Repository.file(".build/\($0)/\(name)") }
  }

  /// The `ibplane` executable; throws naming every place searched when it is not built.
  package static var ibplane: URL {
    get throws {
      let places = candidates("ibplane")
      if let found = places.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
      throw MissingProduct(name: "ibplane", searched: places, advice: "swift build --product ibplane")
    }
  }

  /// The C library (`libIBPlaneC.so`, installed as libibplane.so); `swift test` does not build it
  /// by itself.
  package static var cLibrary: URL {
    get throws {
      let places = candidates("libIBPlaneC.so")
      if let found = places.first(where: { FileManager.default.fileExists(atPath: $0.path) }) { return found }
      throw MissingProduct(name: "libIBPlaneC.so", searched: places, advice: "swift build --product IBPlaneC")
    }
  }

  package struct MissingProduct: Error, CustomStringConvertible {
    var name: String
    var searched: [URL]
    var advice: String
    package var description: String {
      "\(name) is not built (searched \(searched.map(\.path).joined(separator: ", "))); run `\(advice)`"
    }
  }
}
