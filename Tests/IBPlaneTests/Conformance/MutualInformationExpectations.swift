import Foundation

/// What each family of the I(A;B) form (`MutualInformationEstimator`) promises. A family that
/// is registered without an entry here fails `MutualInformationConformanceTests.everyFamilyHasExpectations`.
struct MutualInformationExpectation: Sendable {
  enum Quantity: Sendable {
    case mutualInformation
    /// `kl-entropy`: the differential entropy H(A) of the first array (B only has to be paired).
    case entropyOfFirst
  }

  /// A basic value the family must reach on easy data.
  enum Sanity: Sendable {
    /// Î on independent data below the first bound, on strongly dependent data above the
    /// second (and so dependent > independent); N = 300, A and B one column each.
    case dependence(independentBelow: Double, dependentAbove: Double)
    /// Ĥ of N(0, 1) (½ log 2πe = 1.4189 nats) within the tolerance, N = 300.
    case standardNormalEntropy(tolerance: Double)
  }

  var second: ConformanceData.Second
  var quantity = Quantity.mutualInformation
  var symmetry: Agreement
  var permutation: Agreement
  var nonNegative: Promise
  /// The smallest N the family takes (N = 1, 2, 3 below it are refused, at or above it give a finite value).
  var minimumSamples: Int
  /// The bad inputs (other than N = 1, 2, 3) that give a documented value; all others are refused.
  var accepted: [BadInput: Accepted] = [:]
  /// Parameters under which `seed` must change the value (nil: the family has no seed parameter).
  var seeded: [String: String]? = nil
  var sanity: Sanity
  /// Properties that fail today, by test name (`symmetry`, `badInput.zeroRows`, …), with the reason.
  var knownIssues: [String: String] = [:]
}

extension MutualInformationExpectation {
  /// KSG 1 with every sample on one atom (Gao et al.'s rule: k̃ = n_x = n_y = N − 1):
  /// ψ(N − 1) + ψ(N) − 2ψ(N) = −1/(N − 1), the plug-in value 0 up to O(1/N).
  static let allOnOneAtom = -1 / Double(MutualInformationBadInputTests.n - 1)

  static let byFamily: [String: MutualInformationExpectation] = [
    "gaussian": .init(
      second: .continuous,
      symmetry: .within(1e-12, because: "the joint correlation matrix is decomposed with its blocks swapped"),
      permutation: .within(1e-12, because: "the covariance GEMM sums the rows in another order"),
      nonNegative: .holds,  // Fischer's inequality: det S ≤ det Sxx · det Syy
      minimumSamples: 4,  // N > dx + dy = 3
      // A constant column makes the covariance singular: refused with `.degenerate`, as documented.
      sanity: .dependence(independentBelow: 0.05, dependentAbove: 0.7)),
    "binning": .init(
      second: .discrete,
      symmetry: .notPromised("A is binned, B is read as exact symbols (a class column)"),
      permutation: .exact,
      nonNegative: .holds,  // plug-in MI is a KL divergence of empirical distributions
      minimumSamples: 4,  // a discrete B may have at most N/2 distinct rows: N = 2, 3 with 2–3 classes are refused as a continuous B
      accepted: [
        .constantColumnInA: .finite("a dead unit is one bin"),
        .constantB: .value(0, tolerance: 0, "a single class: H(B) = 0"),
        .allConstant: .value(0, tolerance: 0, "one symbol on each side"),
        .allZero: .value(0, tolerance: 0, "one symbol on each side"),
      ],
      sanity: .dependence(independentBelow: 0.2, dependentAbove: 1.0)),  // plug-in bias ≈ (29 · 2)/2N ≈ 0.1
    "adaptive-binning": .init(
      second: .discrete,
      symmetry: .notPromised("A is binned, B is read as exact symbols (a class column)"),
      permutation: .exact,
      nonNegative: .holds,
      minimumSamples: 4,  // a discrete B may have at most N/2 distinct rows: N = 2, 3 with 2–3 classes are refused as a continuous B
      accepted: [
        .constantColumnInA: .finite("a dead unit is one bin"),
        .constantB: .value(0, tolerance: 0, "a single class: H(B) = 0"),
        .allConstant: .value(0, tolerance: 0, "one symbol on each side"),
        .allZero: .value(0, tolerance: 0, "one symbol on each side"),
      ],
      sanity: .dependence(independentBelow: 0.2, dependentAbove: 1.0)),  // plug-in bias ≈ (29 · 2)/2N ≈ 0.1
    "kde": .init(
      second: .discrete,
      symmetry: .notPromised("A gets the kernel, B is read as exact symbols (a class column)"),
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      nonNegative: .notPromised("I(A;B) is a difference of two entropy bounds, not itself a bound"),
      minimumSamples: 4,  // a discrete B may have at most N/2 distinct rows: N = 2, 3 with 2–3 classes are refused as a continuous B
      accepted: [
        .constantColumnInA: .finite("a dead unit adds 0 to every distance"),
        .constantB: .value(0, tolerance: 1e-12, "a single class: H(A | B) = H(A)"),
        .allConstant: .value(0, tolerance: 1e-12, "all components coincide"),
        .allZero: .value(0, tolerance: 1e-12, "all components coincide"),
      ],
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.5)),
    "adaptive-kde": .init(
      second: .discrete,
      symmetry: .notPromised("A gets the kernel, B is read as exact symbols (a class column)"),
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      nonNegative: .notPromised("I(A;B) is a difference of two entropy bounds, not itself a bound"),
      minimumSamples: 4,  // a discrete B may have at most N/2 distinct rows: N = 2, 3 with 2–3 classes are refused as a continuous B
      accepted: [
        .constantColumnInA: .finite("a dead unit adds 0 to every distance"),
        .constantB: .value(0, tolerance: 1e-12, "a single class: H(A | B) = H(A)"),
        .allConstant: .value(0, tolerance: 1e-12, "all components coincide"),
        .allZero: .value(0, tolerance: 0, "documented: an identically zero layer carries no information"),
      ],
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.5)),
    "cs": .init(
      second: .continuous,
      symmetry: .within(1e-12, because: "the four log-sums are added in another order"),
      permutation: .within(1e-12, because: "the tiled engine sums the kernel rows in another order"),
      nonNegative: .holds,  // Cauchy–Schwarz in the RKHS of the product kernel
      minimumSamples: 2,
      accepted: [
        .constantColumnInA: .finite("a dead unit adds 0 to every distance"),
        .constantB: .value(0, tolerance: 1e-12, "documented (KernelWidthRule): a constant variable's Gram matrix is all ones"),
        .allConstant: .value(0, tolerance: 1e-12, "documented (KernelWidthRule): all-ones Gram matrices"),
        .allZero: .value(0, tolerance: 1e-12, "documented (KernelWidthRule): all-ones Gram matrices"),
      ],
      sanity: .dependence(independentBelow: 0.05, dependentAbove: 0.08)),
    "renyi": .init(
      second: .continuous,
      symmetry: .within(1e-10, because: "the joint Gram matrix is the same Hadamard product, decomposed again"),
      permutation: .within(1e-10, because: "LAPACK decomposes a permuted Gram matrix"),
      nonNegative: .notPromised("I_α ≥ 0 is not guaranteed by the functional (Sánchez Giraldo et al. 2015)"),
      minimumSamples: 2,
      accepted: [
        .constantColumnInA: .finite("a dead unit adds 0 to every distance"),
        .constantB: .value(0, tolerance: 1e-9, "documented (KernelWidthRule): an all-ones Gram matrix has entropy 0"),
        .allConstant: .value(0, tolerance: 1e-9, "documented (KernelWidthRule): all-ones Gram matrices"),
        .allZero: .value(0, tolerance: 1e-9, "documented (KernelWidthRule): all-ones Gram matrices"),
      ],
      // Under the default Silverman width (σ ∝ N^(−1/5) in 1-D, narrower than the median
      // heuristic's) the α = 1.01 functional's positive bias on the independent pair (N = 300,
      // seed 20) is 0.172 nats, measured; it was below 0.1 with the median width.
      sanity: .dependence(independentBelow: 0.25, dependentAbove: 0.3)),
    "ksg": .init(
      second: .continuous,
      symmetry: .exact,  // documented: "swapping X and Y gives exactly the same number"
      permutation: .within(1e-12, because: "the digamma terms are summed in another order"),
      nonNegative: .notPromised("the raw value is reported, negative small-sample noise included (not clipped)"),
      minimumSamples: 4,  // k + 1
      accepted: [
        .constantColumnInA: .finite("MI estimators centre a constant column and leave it unscaled"),
        .constantB: .value(0, tolerance: 1e-12, "every joint distance is the X distance: n_x = k − 1, n_y = N − 1"),
        .allConstant: .value(allOnOneAtom, tolerance: 1e-12, "Gao et al.'s tie rule, one atom: ψ(N − 1) − ψ(N)"),
        .allZero: .value(allOnOneAtom, tolerance: 1e-12, "Gao et al.'s tie rule, one atom: ψ(N − 1) − ψ(N)"),
      ],
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.6)),
    "ksg2": .init(
      second: .continuous,
      symmetry: .exact,
      permutation: .within(1e-12, because: "the digamma terms are summed in another order"),
      nonNegative: .notPromised("the raw value is reported, negative small-sample noise included (not clipped)"),
      minimumSamples: 4,
      // A constant B ties every sample in Y: KSG 2 refuses exact ties (documented).
      accepted: [.constantColumnInA: .finite("MI estimators centre a constant column and leave it unscaled")],
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.6)),
    "kl-entropy": .init(
      second: .continuous, quantity: .entropyOfFirst,
      symmetry: .notPromised("the entropy H(A) of the first array"),
      permutation: .within(1e-12, because: "the log distances are summed in another order"),
      nonNegative: .notPromised("a differential entropy"),
      minimumSamples: 4,
      accepted: [
        .nanInB: .finite("documented: B only has to have as many rows as A"),
        .plusInfinityInB: .finite("documented: B only has to have as many rows as A"),
        .minusInfinityInB: .finite("documented: B only has to have as many rows as A"),
        .zeroColumnsInB: .finite("documented: B only has to have as many rows as A"),
        .constantB: .finite("documented: B only has to have as many rows as A"),
      ],
      sanity: .standardNormalEntropy(tolerance: 0.15)),
    "wkl": .init(
      second: .continuous,
      symmetry: .within(1e-9, because: "the joint variable is whitened with its columns in another order"),
      permutation: .within(1e-9, because: "whitening and the log distances sum the rows in another order"),
      nonNegative: .notPromised("a difference of three entropy estimates"),
      minimumSamples: 6,  // k + 1 with k = 5
      // Constant columns: whitening refuses a singular covariance (documented).
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.6)),
    "lossy": .init(
      second: .continuous,
      symmetry: .exact,  // without noise and with PCA idle (≤ m columns) it is KSG, which is exactly symmetric
      permutation: .within(1e-12, because: "the KSG digamma terms are summed in another order"),
      nonNegative: .notPromised("the KSG backend's raw value can be negative"),
      minimumSamples: 4,
      accepted: [
        .constantColumnInA: .finite("MI estimators centre a constant column and leave it unscaled"),
        .constantB: .value(0, tolerance: 1e-12, "KSG: every joint distance is the X distance"),
        .allConstant: .value(allOnOneAtom, tolerance: 1e-12, "KSG's tie rule, one atom: ψ(N − 1) − ψ(N)"),
        .allZero: .value(allOnOneAtom, tolerance: 1e-12, "KSG's tie rule, one atom: ψ(N − 1) − ψ(N)"),
      ],
      seeded: ["noise": "0.5"],
      sanity: .dependence(independentBelow: 0.1, dependentAbove: 0.6)),
  ]

  /// The expectation of a registered family, or an error naming the missing entry.
  static func of(_ name: String) throws -> MutualInformationExpectation {
    guard let e = byFamily[name] else { throw ConformanceError.noExpectations(name) }
    return e
  }

  /// What `input` must give: nil when it must be refused.
  func accepted(_ input: BadInput) -> Accepted? {
    if let n = input.sampleCount {
      return n >= minimumSamples ? .finite("N = \(n) ≥ the family's minimum \(minimumSamples)") : nil
    }
    return accepted[input]
  }
}
