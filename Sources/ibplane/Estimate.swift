import ArgumentParser
import Foundation
import IBPlane

/// `ibplane estimate`: one MI estimate between two `.npy` arrays, through `EstimatorCatalog`.
struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Estimate I(X;Y) between two .npy arrays.",
    discussion: """
      X.npy and Y.npy hold N × dx and N × dy arrays (a 1-D array is one column); row i of each
      is one paired draw. The value is printed in bits unless --unit nats is given.

      --json prints one object: "estimator", "mi", "unit", "n", "mi_nats", "x_dim", "y_dim",
      "parameters" (as used) and "diagnostics".

      Estimators: \(EstimatorCatalog.names.joined(separator: ", ")).
        gaussian  MI of the Gaussian fitted to the sample covariance (exact for Gaussian data,
                  blind to nonlinear dependence); --bias-correction removes its finite-N bias.

      Example:
        ibplane estimate --estimator gaussian /tmp/g5/x.npy /tmp/g5/y.npy --json
      """
  )

  @Option(help: "The estimator: \(EstimatorCatalog.names.joined(separator: ", ")).")
  var estimator: String

  @Flag(help: "gaussian: subtract the exact finite-sample bias (Misra et al. 2005). Default off.")
  var biasCorrection = false

  @Argument(help: "The .npy file of X (N × dx).")
  var x: String

  @Argument(help: "The .npy file of Y (N × dy).")
  var y: String

  @Option(help: "The unit of the printed value: bits or nats.")
  var unit: InformationUnit = .bits

  @Flag(help: "Print one JSON object instead of a sentence.")
  var json = false

  func run() throws {
    let mi = try EstimatorCatalog.make(estimator, options: EstimatorOptions(biasCorrection: biasCorrection))
    let a = try NumPyFile.read(URL(fileURLWithPath: x)).matrix(Double.self, file: x)
    let b = try NumPyFile.read(URL(fileURLWithPath: y)).matrix(Double.self, file: y)
    guard a.rows == b.rows else {
      throw BadInput("\(x) has \(a.rows) rows but \(y) has \(b.rows): X and Y must be paired row by row")
    }
    let result = try mi.estimate(a, b)
    let value = result.value(in: unit)
    if json {
      let object: [String: Any] = [
        "estimator": mi.name, "mi": value, "unit": unit.rawValue, "n": a.rows, "mi_nats": result.nats,
        "x_dim": a.columns, "y_dim": b.columns, "x": x, "y": y,
        "parameters": result.parameters, "diagnostics": result.diagnostics,
      ]
      print(try JSONOutput.render(object))
    } else {
      print(
        String(format: "I(X;Y) = %.5f %@", value, unit.rawValue)
          + "  (\(mi.name), n = \(a.rows), dx = \(a.columns), dy = \(b.columns))")
    }
  }
}
