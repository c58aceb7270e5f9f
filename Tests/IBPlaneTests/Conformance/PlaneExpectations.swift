import Foundation

/// What each family of the information-plane form (`InformationPlaneEstimator`) promises. A
/// family that is registered without an entry here fails `PlaneConformanceTests.everyFamilyHasExpectations`.
struct PlaneExpectation: Sendable {
  /// A recording without an inputs block: nil when refused, else what both coordinates are.
  var withoutInputs: Accepted?
  /// Whether regression targets (instead of class labels) are taken.
  var regressionTargets: Bool
  var permutation: Agreement
  var inputNonNegative: Promise
  var labelNonNegative: Promise
  /// The smallest N the family takes (N = 1, 2, 3 below it are refused, at or above it give a finite point).
  var minimumSamples: Int
  /// The bad layers (other than N = 1, 2, 3) that give a documented point; all others are refused.
  var accepted: [BadInput: Accepted] = [:]
  /// Parameters under which `seed` must change the point (nil: the family has no seed parameter).
  var seeded: [String: String]? = nil
  /// I(T;Y) of a one-unit layer independent of the labels below the first bound, of one driven
  /// by them above the second (N = 300).
  var labelSanity: (independentBelow: Double, dependentAbove: Double)
  /// Properties that fail today, by test name (`permutation`, `badInput.zeroRows`, …), with the reason.
  var knownIssues: [String: String] = [:]
}

extension PlaneExpectation {
  /// The documented outcome of a layer of one repeated value (a dead or saturated layer).
  private static let deadLayer: [BadInput: Accepted] = [
    .constantColumnInA: .finite("a dead unit"),
    .constantB: .labelValue(0, tolerance: 1e-12, "a single class: I(T;Y) = 0"),
    .allConstant: .value(0, tolerance: 1e-12, "a constant layer carries no information"),
    .allZero: .value(0, tolerance: 1e-12, "a constant layer carries no information"),
  ]

  static let byFamily: [String: PlaneExpectation] = [
    "gaussian": .init(
      withoutInputs: .finite("documented: X is taken to be N distinct inputs"),
      regressionTargets: true,
      permutation: .within(1e-12, because: "the covariance GEMMs sum the rows in another order"),
      inputNonNegative: .holds, labelNonNegative: .holds,  // Σ_T|Z ≤ Σ_T
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.05, 0.4)),
    "binning": .init(
      withoutInputs: .finite("documented: X is taken to be N distinct inputs, I(X;T) = H(T)"),
      regressionTargets: false,
      permutation: .exact,
      inputNonNegative: .holds, labelNonNegative: .holds,
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.2, 0.6)),
    "adaptive-binning": .init(
      withoutInputs: .finite("documented: X is taken to be N distinct inputs, I(X;T) = H(T)"),
      regressionTargets: false,
      permutation: .exact,
      inputNonNegative: .holds, labelNonNegative: .holds,
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.2, 0.6)),
    "kde": .init(
      withoutInputs: .finite("I(X;T) = H(T + noise) − H(noise) does not read X"),
      regressionTargets: false,
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      inputNonNegative: .holds,  // I(X;T) ∈ [0, ln N]
      labelNonNegative: .notPromised("I(T;Y) is a difference of two entropy bounds, not itself a bound"),
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.05, 0.4)),
    "adaptive-kde": .init(
      withoutInputs: .finite("I(X;T) = H(T + noise) − H(noise) does not read X"),
      regressionTargets: false,
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      inputNonNegative: .holds,
      labelNonNegative: .notPromised("I(T;Y) is a difference of two entropy bounds, not itself a bound"),
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.05, 0.4)),
    "cs": .init(
      withoutInputs: nil,
      regressionTargets: true,
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      inputNonNegative: .holds, labelNonNegative: .holds,  // Cauchy–Schwarz; the Kronecker label kernel is PSD
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.05, 0.2)),
    "renyi": .init(
      withoutInputs: nil,
      regressionTargets: true,
      permutation: .within(
        1e-7,
        because: "a float32 layer's squared distances come from a float32 GEMM whose rounding depends on the tile position, "
          + "and S_α at α = 1.01 amplifies them by 1/(α − 1)"),
      inputNonNegative: .notPromised("I_α ≥ 0 is not guaranteed by the functional (Sánchez Giraldo et al. 2015)"),
      labelNonNegative: .notPromised("I_α ≥ 0 is not guaranteed by the functional (Sánchez Giraldo et al. 2015)"),
      minimumSamples: 2,
      accepted: deadLayer,
      labelSanity: (0.05, 0.3)),
    "lossy": .init(
      withoutInputs: nil,
      regressionTargets: true,
      permutation: .within(1e-12, because: "the KSG digamma terms are summed in another order"),
      inputNonNegative: .notPromised("the KSG backend's raw value can be negative"),
      labelNonNegative: .notPromised("Ross's kNN estimator's raw value can be negative"),
      minimumSamples: 4,  // k + 1
      accepted: deadLayer.merging([
        .allConstant: .value(0, tolerance: 0.1, "Gao et al.'s tie rule: I(T;Y) is the plug-in 0 up to O(classes/N)"),
        .allZero: .value(0, tolerance: 0.1, "Gao et al.'s tie rule: I(T;Y) is the plug-in 0 up to O(classes/N)"),
      ]) { $1 },
      seeded: ["noise": "0.5"],
      labelSanity: (0.1, 0.4)),
  ]

  /// The expectation of a registered family, or an error naming the missing entry.
  static func of(_ name: String) throws -> PlaneExpectation {
    guard let e = byFamily[name] else { throw ConformanceError.noExpectations(name) }
    return e
  }

  /// What a bad layer must give: nil when it must be refused.
  func accepted(_ input: BadInput) -> Accepted? {
    if let n = input.sampleCount {
      return n >= minimumSamples ? .finite("N = \(n) ≥ the family's minimum \(minimumSamples)") : nil
    }
    return accepted[input]
  }
}
