/// Every option any estimator takes, typed; each estimator reads the fields it documents and
/// ignores the rest. New estimator families add their fields here with a documented default.
public struct EstimatorOptions: Sendable, Equatable {
  /// `gaussian`: subtract the exact finite-sample bias of the Gaussian plug-in (default off).
  public var biasCorrection: Bool

  public init(biasCorrection: Bool = false) {
    self.biasCorrection = biasCorrection
  }
}

/// Name → estimator: the one place the command line and the analysis turn a name into an
/// estimator. Add a family by adding a case to `make` and its name to `names`.
public enum EstimatorCatalog {
  /// The names accepted by `make`, as used on the command line.
  public static let names: [String] = ["gaussian"]

  /// The estimator called `name`, configured from `options`.
  /// Throws `EstimatorError.invalidParameter` for an unknown name.
  public static func make(_ name: String, options: EstimatorOptions = EstimatorOptions()) throws -> any MutualInformationEstimator {
    switch name {
    case "gaussian":
      return GaussianEstimator(biasCorrection: options.biasCorrection)
    default:
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(names.joined(separator: ", "))")
    }
  }
}
