import Foundation

/// Paths inside this source tree, found from this file's own path (`Tests/Support/` is two
/// levels below the root), so tests work from any working directory and in any build folder.
package enum Repository {
  /// The package root: the folder holding Package.swift.
  package static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// `relativePath` under the package root, e.g. `bench/ksg_reference.py`.
  package static func file(_ relativePath: String) -> URL {
    root.appendingPathComponent(relativePath)
  }

  /// The bundled data sets (`notebooks-data/`).
  package static var notebooksData: URL { file("notebooks-data") }
}
