import Foundation
import Testing

/// An independent reference some tests compare with: the Python interpreter, and the modules
/// `make pydeps` installs for the oracle scripts in `bench/` and the inline ones in the tests.
package enum Oracle: String, CaseIterable, Sendable, CustomStringConvertible {
  case python3
  case numpy
  case scipy
  case scikitLearn

  /// The name `import` uses; nil for the interpreter itself.
  var module: String? {
    switch self {
    case .python3: nil
    case .numpy: "numpy"
    case .scipy: "scipy"
    case .scikitLearn: "sklearn"
    }
  }

  package var description: String { self == .scikitLearn ? "scikit-learn" : rawValue }
}

/// A Python run that exited with a non-zero status.
package struct PythonFailure: Error, CustomStringConvertible {
  package var description: String
}

/// Which oracles are installed, a gate that makes a missing one an error, and the launcher
/// that runs Python for the tests.
///
/// A test that needs an oracle says so with `.requires(.numpy)`: it is skipped, with a note
/// naming what is missing, on a machine without it. `make test` installs every oracle and sets
/// `IBPLANE_REQUIRE_ORACLES=1`; then such a test runs anyway (and fails on the missing module)
/// and `OracleGateTests` fails listing what is missing, so a skipped oracle cannot pass CI.
package enum Oracles {
  /// The interpreter: `$IBPLANE_PYTHON` (the Makefile passes its `PYTHON`, the one `make pydeps`
  /// installed into) or else `python3` on PATH.
  package static let python: String = {
    let chosen = ProcessInfo.processInfo.environment["IBPLANE_PYTHON"] ?? ""
    return chosen.isEmpty ? "python3" : chosen
  }()

  /// True when `IBPLANE_REQUIRE_ORACLES=1`: every oracle must be installed.
  package static var required: Bool { ProcessInfo.processInfo.environment["IBPLANE_REQUIRE_ORACLES"] == "1" }

  /// What is installed, probed once per test process (one Python run importing every module).
  package static let installed: Set<Oracle> = {
    let modules = Oracle.allCases.compactMap(\.module)
    let probe = """
      import sys
      for name in sys.argv[1:]:
          try:
              __import__(name)
              print(name)
          except Exception:
              pass
      """
    guard let out = try? run(probe, arguments: modules) else { return [] }  // no interpreter at all
    let found = Set(out.split(separator: "\n").map(String.init))
    return Set(Oracle.allCases.filter { $0.module.map(found.contains) ?? true })
  }()

  package static func isAvailable(_ oracles: Oracle...) -> Bool { oracles.allSatisfy(installed.contains) }

  /// Every oracle that is not installed, in declaration order.
  package static var missing: [Oracle] { Oracle.allCases.filter { !installed.contains($0) } }

  /// The command line that runs the interpreter with `arguments` (through `/usr/bin/env`, which
  /// searches PATH), for tests that start Python and keep it running.
  package static func command(_ arguments: [String]) -> (executable: URL, arguments: [String]) {
    (URL(fileURLWithPath: "/usr/bin/env"), [python] + arguments)
  }

  /// The environment for a Python child: the test process's own, plus `pythonPath` on
  /// PYTHONPATH (e.g. the repository's `python/` for `ibplane_recorder`).
  package static func environment(pythonPath: [URL]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    if !pythonPath.isEmpty { environment["PYTHONPATH"] = pythonPath.map(\.path).joined(separator: ":") }
    return environment
  }

  /// Runs `python -c script arguments…` in `directory`, returns its stdout without surrounding
  /// white space, and throws with its stderr when it fails.
  @discardableResult
  package static func run(
    _ script: String, arguments: [String] = [], in directory: URL? = nil, pythonPath: [URL] = []
  ) throws -> String {
    try launch(["-c", script] + arguments, in: directory, pythonPath: pythonPath)
  }

  /// Runs a script file (e.g. `Repository.file("bench/ksg_reference.py")`) like `run`.
  @discardableResult
  package static func run(file: URL, arguments: [String] = [], in directory: URL? = nil) throws -> String {
    try launch([file.path] + arguments, in: directory, pythonPath: [])
  }

  /// Runs `run(file:)` and decodes its stdout as one JSON value of type `T`.
  package static func json<T>(file: URL, arguments: [String] = [], as type: T.Type = T.self) throws -> T {
    let out = try run(file: file, arguments: arguments)
    guard let value = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? T else {
      throw PythonFailure(description: "\(file.lastPathComponent) printed \(out.prefix(300)), not a JSON \(T.self)")
    }
    return value
  }

  private static func launch(_ arguments: [String], in directory: URL?, pythonPath: [URL]) throws -> String {
    let (executable, fullArguments) = command(arguments)
    let r = try runProcess(executable, fullArguments, environment: environment(pythonPath: pythonPath), currentDirectory: directory)
    guard r.status == 0, !r.signalled else {
      throw PythonFailure(description: "\(python) exited with status \(r.status): \(r.stderr.suffix(4000))")
    }
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }
}

extension Trait where Self == ConditionTrait {
  /// Runs the test when every one of `oracles` is installed, and always when
  /// `IBPLANE_REQUIRE_ORACLES=1` (so that a missing oracle fails the test instead of skipping it);
  /// otherwise skips it with a note naming what is missing.
  package static func requires(_ oracles: Oracle...) -> Self {
    let needed = [Oracle.python3] + oracles
    let missing = needed.filter { !Oracles.installed.contains($0) }.map(\.description)
    return .enabled(
      if: missing.isEmpty || Oracles.required,
      Comment(rawValue: "\(missing.joined(separator: ", ")) not installed for \(Oracles.python) (run `make pydeps`)"))
  }
}
