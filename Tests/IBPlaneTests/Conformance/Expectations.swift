import Foundation
import Testing

/// The vocabulary of the expectations tables (`MutualInformationExpectations.swift`,
/// `PlaneExpectations.swift`): what a family promises, property by property.

/// How closely two results that should agree (a permuted or swapped input) must agree.
enum Agreement: Sendable {
  /// Bit for bit.
  case exact
  /// |x − y| ≤ tolerance · max(1, |x|), for the stated reason (summation order, LAPACK on a
  /// permuted matrix, …).
  case within(Double, because: String)
  /// The family does not promise the property; the reason says why, and nothing is checked.
  case notPromised(String)
}

/// Whether a one-sided property (non-negativity) is promised.
enum Promise: Sendable {
  case holds
  case notPromised(String)
}

/// What a family returns for an input it may refuse; every input not listed is refused.
enum Accepted: Sendable {
  /// Some finite value, for the documented reason.
  case finite(String)
  /// The documented value (nats) within `tolerance`, for the documented reason.
  case value(Double, tolerance: Double, String)
  /// Plane form only: I(T;Y) is the documented value (nats) within `tolerance`, I(X;T) some finite value.
  case labelValue(Double, tolerance: Double, String)
}

/// Inputs at the edge of what an estimator can take, the same list for both forms (the plane
/// form puts the damage in the layer; `nonFiniteInB` and friends are the I(A;B) form's only).
enum BadInput: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case nanInA, nanInB, plusInfinityInA, plusInfinityInB, minusInfinityInA, minusInfinityInB
  case zeroRows, zeroColumnsInA, zeroColumnsInB
  case oneSample, twoSamples, threeSamples
  case mismatchedRows
  /// One column of A constant (a dead unit), the others varying.
  case constantColumnInA
  /// B constant (a single class, a constant target).
  case constantB
  /// Every value of A and B the same non-zero constant (0.25).
  case allConstant
  /// Every value of A and B zero (a dead ReLU layer).
  case allZero

  var testDescription: String { rawValue }

  /// The sample count of the N = 1, 2, 3 cases.
  var sampleCount: Int? {
    switch self {
    case .oneSample: return 1
    case .twoSamples: return 2
    case .threeSamples: return 3
    default: return nil
    }
  }

  /// Cases that touch only B; the plane form has no B (its labels are checked by `PlaneContext`).
  var touchesOnlyB: Bool {
    switch self {
    case .nanInB, .plusInfinityInB, .minusInfinityInB, .zeroColumnsInB, .constantB: return true
    default: return false
    }
  }

  /// A non-finite value in the input: the refusal must be `EstimatorError.nonFinite`.
  var isNonFinite: Bool {
    switch self {
    case .nanInA, .nanInB, .plusInfinityInA, .plusInfinityInB, .minusInfinityInA, .minusInfinityInB: return true
    default: return false
    }
  }
}

/// Runs `body`, as a known issue when `reason` is given (the property is expected to fail for
/// that family; the test fails once it passes, so a fixed issue is noticed).
func checking(knownIssue reason: String?, _ body: () throws -> Void) rethrows {
  if let reason {
    withKnownIssue(Comment(rawValue: reason)) { try body() }
  } else {
    try body()
  }
}
