import Foundation
import IBPlaneCore
import IBPlaneEstimators
import IBPlaneNumerics

/// I(X;T|Y) of one plane row, the `i_xt_given_y` column: the quantity whose bound ties the
/// generalisation gap to I(X;T|Y)/n (Kawaguchi et al. 2023, "How does information bottleneck
/// help deep learning?").
///
/// Each estimator declares its `ConditionalInputForm`:
/// - `.difference`: Î(X;T) − Î(T;Y) of the row's own point, nothing recomputed.
/// - `.classConditional`: Σ_y p(y) · Î(X;T | Y = y), where Î(X;T | Y = y) is the estimator's
///   own `point(...)` I(X;T) on the rows of class y (through `inputInformation(layer:context:)`,
///   which skips an I(T;Y) nobody reads) against a context holding only that
///   class's inputs (X-only quantities such as input symbols or kernel widths are those of the
///   class, computed once per class and cached in the recording's context). p(y) = N_y / N.
///   Cost: one estimate per class on N_y rows; for O(N²) kernels that is Σ N_y² ≤ N².
///
/// Classes with fewer than two samples: under the empirical distribution X and T are constant
/// given such a class, so its I(X;T | Y = y) is exactly 0; it keeps its weight N_y / N and
/// contributes 0 (no estimator accepts a single sample). Empty classes have weight 0.
///
/// Regression targets have no classes to condition on: the column is empty (`nil`), for every
/// form, rather than a difference whose terms mean different things for targets.
package enum ConditionalInputInformation {
  /// I(X;T|Y) in nats for `layer` under `estimator`, given its `point` on the same layer and
  /// context; `nil` for regression targets. Throws `EstimatorError.nonFiniteResult` for a
  /// non-finite value, and whatever the estimator throws on a class's rows.
  package static func nats(
    point: PlanePoint, layer: Matrix<Float>, context: PlaneContext, estimator: InformationPlaneEstimator
  ) throws -> Double? {
    guard case .classes = context.labels else { return nil }
    let value: Double
    switch estimator.conditionalInputForm {
    case .difference:
      value = point.inputInformation.nats - point.labelInformation.nats
    case .classConditional:
      let parts = context.classPartition
      let contexts = try classContexts(context)
      let n = Double(context.sampleCount)
      var total = 0.0
      // Fixed class order: the sum, and so the row, does not depend on threads.
      for (y, rows) in parts.enumerated() where rows.count >= 2 {
        guard let sub = contexts[y] else { continue }
        let p = try estimator.inputInformation(layer: layer.selectingRows(rows), context: sub)
        total += Double(rows.count) / n * p.nats
      }
      value = total
    }
    return try Estimate(nats: value).requiringFinite(estimator: EstimatorRegistry.label(of: estimator), quantity: "I(X;T|Y)").nats
  }

  /// One context per class (inputs of that class, every label 0 of one class), built once per
  /// recording context; `nil` for classes with fewer than two samples.
  static func classContexts(_ context: PlaneContext) throws -> [PlaneContext?] {
    try context.cached("conditional.classContexts") { () throws -> [PlaneContext?] in
      try context.classPartition.map { rows in
        guard rows.count >= 2 else { return nil }
        return try PlaneContext(
          inputs: context.inputs?.selectingRows(rows), labels: .classes(Array(repeating: 0, count: rows.count), classCount: 1))
      }
    }
  }
}
