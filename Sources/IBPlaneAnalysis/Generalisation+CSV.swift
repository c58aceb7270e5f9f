import Foundation

/// The two tables of the generalisation report (schemas in docs/information-plane.md).
extension Generalisation {
  public static let rowHeader = [
    "directory", "recording", "setting", "seed", "epoch", "train_accuracy", "test_accuracy", "accuracy_gap",
    "train_loss", "test_loss", "loss_gap", "layer", "layer_index", "estimator", "params", "unit",
    "i_xt_given_y", "i_xt", "i_ty",
  ]

  public static let correlationHeader = [
    "layer", "layer_index", "estimator", "params", "n", "rho_accuracy_gap", "rho_loss_gap", "n_loss_gap", "note",
  ]

  /// A number as the plane CSV writes it; empty for `nil` and NaN (a missing value).
  static func field(_ v: Double?) -> String {
    guard let v, !v.isNaN else { return "" }
    return "\(v)"
  }

  /// `generalisation.csv`: one line per run × layer × estimator, runs in input order.
  public static func rowsCSV(_ study: Study) -> String {
    var s = CSVTable.line(rowHeader)
    for r in study.rows {
      let run = r.run
      s += CSVTable.line([
        run.directory, run.recording, run.setting, run.seed, "\(run.epoch)", field(run.trainAccuracy),
        field(run.testAccuracy), field(run.accuracyGap), field(run.trainLoss), field(run.testLoss), field(run.lossGap),
        r.layer, "\(r.layerIndex)", r.estimator, r.params, r.unit.rawValue, field(r.conditionalInputInformation),
        field(r.inputInformation), field(r.labelInformation),
      ])
    }
    return s
  }

  /// `generalisation-correlation.csv`: one line per layer × estimator. An undefined ρ is an
  /// empty cell with its reason in `note`.
  public static func correlationCSV(_ study: Study) -> String {
    var s = CSVTable.line(correlationHeader)
    for c in study.correlations {
      let notes = [c.accuracyGap.reason.map { "accuracy gap: \($0)" }, c.lossGap.reason.map { "loss gap: \($0)" }]
      s += CSVTable.line([
        c.layer, "\(c.layerIndex)", c.estimator, c.params, "\(c.accuracyGap.n)", field(c.accuracyGap.rho),
        field(c.lossGap.rho), "\(c.lossGap.n)", notes.compactMap { $0 }.joined(separator: "; "),
      ])
    }
    return s
  }
}
