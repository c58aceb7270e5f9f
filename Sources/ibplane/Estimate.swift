import ArgumentParser
import Foundation
import IBPlane
import IBTrain

/// `ibplane estimate`: one MI estimate between two `.npy` arrays, through `EstimatorRegistry`.
struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "estimate",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Estimate I(X;Y) between two .npy arrays.",
    discussion: """
      X.npy and Y.npy hold N × dx and N × dy arrays (a 1-D array is one column); row i of each is one paired draw. The value is printed in bits unless --unit nats is given.

      --json prints one object: "estimator", "label", "params", "mi", "unit", "n", "mi_nats", "x_dim", "y_dim", "parameters" (as used, with what the estimator chose, e.g. the kernel width; numbers and booleans as JSON numbers and booleans) and "diagnostics".

      Y as class labels: binning and adaptive-binning (with --second discrete, the default), kde and adaptive-kde count Y's symbols, so Y must be discrete: at most N/2 distinct rows among N (each class seen twice on average; integer labels stored as floats and one-hot rows are fine). A continuous Y is refused with exit 2 (use ksg, cs or renyi, or --second binned for the binning families). cs and lossy take a continuous Y; with --y-classes they treat Y as class labels as the information plane does (cs: the label kernel [y_i = y_j]; lossy: Ross's kNN form, noise on X), and Y must then be one column of integers with at most N/2 distinct values.

      Every parameter below has a documented range; a value outside it, NaN or infinity, an unknown flag, or a flag the chosen estimator does not read is refused with exit 2 naming the flag. An estimate that comes out NaN or infinite is an error (exit 2) naming the estimator, the quantity and the likely cause, never a printed value.

      "params" in the JSON is the canonical parameter string: every parameter as used, defaults resolved, key=value joined by ','; the flags --key value of its items rebuild the same estimator. "label" is the estimator name, followed by :key=value,... of the parameters that differ from their defaults.

      Estimators and their parameters (flags go after --estimator NAME, in any order around the files):
      \(EstimatorRegistry.help(form: .mutualInformation, flags: true))
        lossy --compress autoencoder: a seeded tanh autoencoder with encoder [64], \(AutoencoderCompressor.defaultEpochs) epochs of Adam on standardised columns.

      Example:
        ibplane estimate --estimator gaussian /tmp/g5/x.npy /tmp/g5/y.npy --json
      """
  )

  @Option(help: "The estimator: \(EstimatorRegistry.mutualInformationNames.joined(separator: ", ")) (case-insensitive).")
  var estimator: String

  @Option(help: "The unit of the printed value: bits or nats.")
  var unit: InformationUnit = .bits

  @Flag(help: "Print one JSON object instead of a sentence.")
  var json = false

  /// X.npy, Y.npy and the estimator's parameters. ArgumentParser cannot declare options from a
  /// table, so they are captured here and read through the estimator's parameter table
  /// (`EstimatorParameterFlags`), which refuses an unknown or misplaced flag with exit 2.
  @Argument(
    parsing: .allUnrecognized,
    help: ArgumentHelp(
      "X.npy and Y.npy (N × dx and N × dy), and the estimator's parameters as --key VALUE (listed below).",
      valueName: "x.npy y.npy [--key value ...]"))
  var arguments: [String] = []

  @Option(parsing: .unconditional, help: "Worker threads, 1…4096: at most this many computations run at once (default: IBPLANE_THREADS or the number of cores). Results do not depend on it.")
  var threads: Int?

  func run() throws {
    try ThreadsOption.apply(threads)
    let family = try EstimatorRegistry.family(estimator)
    let (files, parameters) = try EstimatorParameterFlags.split(arguments, family: family)
    // Parameters first: a flag missing its value has taken a file name, and says so.
    let mi = try EstimatorRegistry.makeMutualInformation(family.name, parameters)
    guard files.count == 2 else {
      throw BadInput(
        "expected two .npy files (X and Y), got \(files.count)\(files.isEmpty ? "" : ": " + files.joined(separator: " ")); usage: ibplane estimate --estimator NAME [--key VALUE ...] X.npy Y.npy")
    }
    let (x, y) = (files[0], files[1])
    let used = EstimatorRegistry.values(of: mi, name: mi.name, form: .mutualInformation)
    // A float32 X is estimated in Float, without a widened copy, when the estimator's value is
    // the same either way and Float holds every value of Y exactly (class labels do).
    let matrixX = try NumPyFile.floatMatrix(URL(fileURLWithPath: x), file: x, keepFloat: mi.estimatesFloatAsDouble)
    let arrayY = try NumPyFile.read(URL(fileURLWithPath: y))
    let result: IBPlane.Estimate
    let (rows, xColumns, yColumns): (Int, Int, Int)
    switch matrixX {
    case .float(let a):
      // Y straight to Float when every value converts exactly (no double copy first).
      if let b = try arrayY.exactFloatMatrix(file: y) {
        result = try estimate(mi, a, b, files: (x, y))
        yColumns = b.columns
      } else {
        let b = try arrayY.matrix(Double.self, file: y)
        result = try estimate(mi, a.converted(to: Double.self), b, files: (x, y))
        yColumns = b.columns
      }
      (rows, xColumns) = (a.rows, a.columns)
    case .double(let a):
      let b = try arrayY.matrix(Double.self, file: y)
      result = try estimate(mi, a, b, files: (x, y))
      (rows, xColumns, yColumns) = (a.rows, a.columns, b.columns)
    }
    if let c = result.diagnostics["clipped_fraction"], c > PlaneClipping.threshold {
      CLIFailure.printError(
        "warning: \(mi.name) clipped " + String(format: "%.1f %%", c * 100)
          + " of \(x)'s values into its end bins (outside the bin edges, merged): the estimate reads low; use the default convention auto, or range or floor")
    }
    let value = result.value(in: unit)
    if json {
      let object: [String: Any] = [
        "estimator": mi.name, "mi": value, "unit": unit.rawValue, "n": rows, "mi_nats": result.nats,
        "x_dim": xColumns, "y_dim": yColumns, "x": x, "y": y,
        "parameters": JSONOutput.typed(result.parameters, table: used?.0.parameters(for: .mutualInformation) ?? []),
        "diagnostics": result.diagnostics,
        "params": used?.1.canonical ?? "", "label": used.map { $0.0.label($0.1, form: .mutualInformation) } ?? mi.name,
      ]
      print(try JSONOutput.render(object))
    } else {
      print(
        String(format: "%@ = %.5f %@", mi.name == "kl-entropy" ? "H(X)" : "I(X;Y)", value, unit.rawValue)
          + "  (\(mi.name), n = \(rows), dx = \(xColumns), dy = \(yColumns))")
    }
  }

  /// `mi.estimate(a, b)` for the files X and Y, its non-finite error naming the file, row,
  /// column and value.
  private func estimate<S: BLASScalar>(
    _ mi: any MutualInformationEstimator, _ a: Matrix<S>, _ b: Matrix<S>, files: (x: String, y: String)
  ) throws -> IBPlane.Estimate {
    guard a.rows == b.rows else {
      throw BadInput("\(files.x) has \(a.rows) rows but \(files.y) has \(b.rows): X and Y must be paired row by row")
    }
    // Every estimator refuses NaN and ±∞ in its input, naming it only X or Y: the message is
    // rewritten here to name the file, the row and column (0-based, as numpy indexes) and the
    // value. (Mapped from the estimator's own check rather than a second pass over the data.)
    do {
      return try mi.estimate(a, b)
    } catch EstimatorError.nonFinite(let what, let row, let column) where what == "X" || what == "Y" {
      let (m, file) = what == "X" ? (a, files.x) : (b, files.y)
      guard row < m.rows, column < m.columns, !m[row, column].isFinite else {
        throw EstimatorError.nonFinite(what: what, row: row, column: column)
      }
      throw BadInput(
        "\(file) (\(what)) holds \(m[row, column]) at row \(row), column \(column) (0-based): every estimator needs finite values; drop or impute those rows first")
    }
  }
}

/// The estimator flags of `ibplane estimate`, read through the family's parameter table.
enum EstimatorParameterFlags {
  /// Splits the captured arguments into the positional files and the `(key, value)` items of
  /// `--key value`, `--key=value` and (for a flag such as `--normalised`) `--key` alone or
  /// followed by `true`/`false`. An
  /// option that is not a parameter of `family`'s I(A;B) form is refused naming it, with the
  /// flags the family accepts and the nearest one.
  static func split(_ arguments: [String], family: EstimatorFamily) throws -> (files: [String], items: [(key: String, value: String)]) {
    let table = family.parameters(for: .mutualInformation)
    var files: [String] = []
    var items: [(key: String, value: String)] = []
    var k = 0
    while k < arguments.count {
      let token = arguments[k]
      k += 1
      guard token.hasPrefix("-"), token.count > 1, Double(token) == nil else {
        files.append(token)
        continue
      }
      let body = token.drop { $0 == "-" }
      let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let key = String(parts[0]).lowercased()
      guard token.hasPrefix("--"), let p = table.first(where: { $0.key == key || $0.aliases.contains(key) }) else {
        let flags = table.map { "--\($0.key)" }
        let elsewhere = EstimatorRegistry.families.contains { $0.parameters.contains { $0.key == key } }
        throw BadInput(
          "\(token) is not \(elsewhere ? "a parameter of" : "an option of ibplane estimate with") --estimator \(family.name): "
            + (flags.isEmpty ? "it takes no parameters" : "expected one of \(flags.joined(separator: ", "))")
            + EstimatorRegistry.suggestion("--\(key)", among: flags))
      }
      if parts.count == 2 {
        items.append((p.key, String(parts[1])))
      } else if p.isFlag {
        // `--normalised` alone, or followed by an explicit true/false (as a params item reads).
        if k < arguments.count, Bool(arguments[k].lowercased()) != nil {
          items.append((p.key, arguments[k]))
          k += 1
        } else {
          items.append((p.key, "true"))
        }
      } else {
        guard k < arguments.count else { throw BadInput("--\(p.key) needs a value: \(p.expectation)") }
        items.append((p.key, arguments[k]))
        k += 1
      }
    }
    return (files, items)
  }
}
