import IBPlaneCore
import IBPlaneNumerics
#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

/// How the width σ of a Gaussian kernel k(u, v) = exp(−‖u − v‖² / 2σ²) is chosen.
///
/// Every kernel estimator (Cauchy–Schwarz, matrix-based Rényi) reports the width it used in
/// `Estimate.diagnostics` (`sigma_a`, `sigma_b`, …), so a result can always be reproduced with
/// `.fixed`.
///
/// Rules, for N samples of dimension d, with s̄ the root-mean-square of the per-dimension
/// sample standard deviations (s̄² is the data's average marginal variance):
/// - `.fixed(σ)`: σ as given (Yu et al. 2024 use σ = 1 on standardised data).
/// - `.silverman` (the default): σ = s̄·√d · (4 / ((d+2)·N))^(1/(d+4)).
///   The papers behind the kernel planes take σ = γ·N^(−1/(4+d)): Yu, Wickstrøm, Jenssen &
///   Príncipe ("Understanding convolutional neural networks with information theory", TNNLS
///   2021, the kernel-size rule of their experiments: Scott's rule, γ chosen from the data's
///   average marginal variance) and Yu & Príncipe ("Understanding autoencoders with
///   information theoretic concepts", Neural Networks 2019, Silverman's rule of thumb), both
///   estimating with the matrix functional of Sánchez Giraldo, Rao & Príncipe (2015). They tune
///   γ by hand per data set; here it is computed: γ = s̄ · (4/(d+2))^(1/(d+4)) is Silverman's
///   (1986, ch. 4) multivariate normal-reference constant times the data's spread (for d = 1 this is
///   1.06·s̄·N^(−1/5), the `Silverman` option of Yu's reference MATLAB code
///   `kernel_width_estimation.m`, which also divides by √2), and the factor
///   √d is Tapia & Estévez's (2020, "On the information plane of autoencoders") dimension
///   normalisation: E‖u − v‖² = 2 d s̄² for independent draws, so a per-coordinate width
///   without it gives a d = 784 layer a kernel matrix ≈ identity and every estimate saturates
///   at log N. Measured on the 12-bit net, this rule gives informative planes where the median
///   heuristic gives flat ones (README, caveats).
/// - `.scott`: σ = s̄·√d · N^(−1/(d+4)) (Scott 1992; γ = s̄·√d, the same family without
///   Silverman's constant).
/// - `.median(subsample:seed:)`: σ = median of the non-zero ‖u_i − u_j‖ over pairs i < j of a seeded
///   uniform subsample of `subsample` rows (the median heuristic, Gretton et al. 2012; the
///   default before issue 14) — O(m² d) instead of O(N² d); the subsample median is a
///   consistent estimate of the population median distance, with standard error O(1/m). It
///   does not shrink with N, so on a few thousand samples it is far wider than the rules
///   above and the planes come out flat (CS I(X;T) of a few hundredths of a bit).
///   (The CS-IB reference code uses 10 × the median *squared* distance as σ, which mixes
///   units; it is deliberately not offered.)
///
/// Notes: constant columns contribute 0 to s̄; if every coordinate is constant (or all
/// subsampled distances are 0), the Gram matrix is all ones for every σ and the rules report
/// σ = 1; a width that leaves double precision throws `EstimatorError.degenerate`.
public enum KernelWidthRule: Sendable, Equatable, CustomStringConvertible {
  case fixed(Double)
  case scott
  case silverman
  case median(subsample: Int = 1_000, seed: UInt64 = 0)

  /// The default rule of the kernel estimators (`cs`, `renyi`, `CauchySchwarzDivergence`):
  /// Silverman's rule with the data's spread, the σ = γ·N^(−1/(4+d)) of the papers (see above).
  /// The median heuristic stays available as `.median()` (`median`).
  public static let `default` = KernelWidthRule.silverman

  /// Parses `silverman`, `scott`, `median`, `median:M` (M in `medianSubsampleRange`) or a
  /// number in `fixedWidthRange` (fixed σ); `nil` for anything else.
  public init?(parsing text: String, seed: UInt64 = 0) {
    switch text.lowercased() {
    case "silverman": self = .silverman
    case "scott": self = .scott
    case "median": self = .median(subsample: 1_000, seed: seed)
    default:
      if text.lowercased().hasPrefix("median:"), let m = Int(text.dropFirst(7)), Self.medianSubsampleRange.contains(m) {
        self = .median(subsample: m, seed: seed)
      } else if let v = Double(text), Self.fixedWidthRange.contains(v) {
        self = .fixed(v)
      } else {
        return nil
      }
    }
  }

  public var description: String {
    switch self {
    case .fixed(let s): return "fixed(\(s))"
    case .scott: return "scott"
    case .silverman: return "silverman"
    case .median(let m, let seed): return "median(subsample=\(m),seed=\(seed))"
    }
  }

  /// Accepted fixed widths, in the data's units (`EstimatorParameterRange.kernelWidth`).
  public static let fixedWidthRange = EstimatorParameterRange.kernelWidth
  /// Accepted subsample sizes M of `median:M` (`EstimatorParameterRange.medianSubsample`).
  public static let medianSubsampleRange = EstimatorParameterRange.medianSubsample

  /// Throws `.invalidParameter` naming `parameter` when a fixed width or a subsample size is
  /// outside its documented range.
  public func validate(parameter: String = "width-rule") throws {
    switch self {
    case .fixed(let s):
      guard Self.fixedWidthRange.contains(s) else {
        throw EstimatorError.invalidParameter(
          name: parameter, value: "\(s)", expected: "a kernel width in \(Self.fixedWidthRange.lowerBound)…\(Self.fixedWidthRange.upperBound)")
      }
    case .median(let m, _):
      guard Self.medianSubsampleRange.contains(m) else {
        throw EstimatorError.invalidParameter(
          name: parameter, value: "median:\(m)",
          expected: "median:M with M in \(Self.medianSubsampleRange.lowerBound)…\(Self.medianSubsampleRange.upperBound) rows")
      }
    case .scott, .silverman: break
    }
  }

  /// The kernel width σ for the rows of `x` (N × d), in the data's units.
  ///
  /// Scale-safe: the rule runs on `x` rescaled by an exact power of two when its magnitude is
  /// extreme (`_KernelFrame`), so X × 1e300 gets 1e300 × X's width rather than an overflow.
  /// Complexity: O(N d) for Scott/Silverman, O(m² d) for the median rule.
  public func width<S: BLASScalar>(for x: Matrix<S>, name: String = "data") throws -> Double {
    let frame = _KernelFrame(x)
    let sigma = frame.unframed(width: try framedWidth(for: frame, name: name))
    guard sigma > 0, sigma.isFinite else {
      throw EstimatorError.degenerate(
        "the \(self) kernel width of \(name) is \(sigma) in the data's units: its scale is at the edge of double precision")
    }
    return sigma
  }

  /// The width in the frame's units: a fixed width converted, a rule computed on the framed data.
  func framedWidth<S: BLASScalar>(for frame: _KernelFrame<S>, name: String) throws -> Double {
    try validate(parameter: "kernel width of \(name)")
    let x = frame.data
    let n = x.rows
    let d = x.columns
    switch self {
    case .fixed(let s):
      return frame.framed(width: s)
    case .scott, .silverman:
      guard n >= 2, d >= 1 else { throw EstimatorError.tooFewSamples(needed: 2, got: n, what: "the \(self) width rule") }
      let means = x.columnMeans()
      var variance = 0.0
      x.elements.withUnsafeBufferPointer { e in
        for i in 0..<n {
          for j in 0..<d { let t = Double(e[i * d + j]) - means[j]; variance += t * t }
        }
      }
      let meanVariance = variance / Double((n - 1) * d)
      // A constant variable (a dead layer) has an all-ones Gram matrix for every σ, and the
      // kernel estimators give exactly 0 information: any width serves, 1 is reported.
      guard meanVariance > 0 else { return frame.framed(width: 1) }
      let spread = meanVariance.squareRoot() * Double(d).squareRoot()
      let dd = Double(d)
      if case .scott = self { return spread * _pow(Double(n), -1 / (dd + 4)) }
      return spread * _pow(4 / ((dd + 2) * Double(n)), 1 / (dd + 4))
    case .median(let m, let seed):
      guard n >= 2 else { throw EstimatorError.tooFewSamples(needed: 2, got: n, what: "the median width rule") }
      let rows: [Int] = n <= m ? Array(0..<n) : Array(RandomSource(seed: seed).permutation(n).prefix(m))
      let sub = x.selectingRows(rows).converted(to: Double.self)
      var distances: [Double] = []
      distances.reserveCapacity(rows.count * (rows.count - 1) / 2)
      let plan = _DistancePlan(rows: sub, columns: sub)
      let k = rows.count
      let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: k * k)
      defer { buffer.deallocate() }
      plan.fillDistances(rows: 0..<k, columns: 0..<k, into: buffer)
      // Pairs of identical rows (dead ReLU units, saturated tanh) carry no scale: the median
      // is taken over the non-zero distances. With none, the subsample is constant; its Gram
      // matrix is all ones for every σ, and 1 is reported.
      for i in 0..<k {
        for j in (i + 1)..<k where buffer[i * k + j] > 0 { distances.append(buffer[i * k + j].squareRoot()) }
      }
      guard !distances.isEmpty else { return frame.framed(width: 1) }
      return _median(&distances)
    }
  }
}

/// The median of `values` (the middle value; for an even count the mean `0.5 · (a + b)` of
/// the two middle values), found by selection in expected O(n) instead of a sort: the median
/// width rule takes it over ~500k distances, where sorting was ~14 % of a CS estimate
/// (issue 18). Reorders `values`; exactly the value of sorting and indexing. Not empty.
func _median(_ values: inout [Double]) -> Double {
  let c = values.count
  precondition(c > 0, "the median of no values")
  return values.withUnsafeMutableBufferPointer { v -> Double in
    let upper = _select(v, c / 2)
    guard c % 2 == 0 else { return upper }
    // After selection every element left of c/2 is ≤ the upper middle one; the largest of
    // them is the lower middle value.
    var lower = v[0]
    for i in 1..<(c / 2) where v[i] > lower { lower = v[i] }
    return 0.5 * (lower + upper)
  }
}

/// Rearranges `v` so that `v[k]` holds the value a sort would put there, everything before it
/// is ≤ it and everything after ≥ it (`std::nth_element`), and returns `v[k]`. Quickselect with
/// a median-of-three pivot and a three-way partition, so ties (distances of binary inputs take
/// few values) shrink the range instead of degrading it. No NaN in `v`.
func _select(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
  var (lo, hi) = (0, v.count - 1)  // the range that still holds position k, inclusive
  while lo < hi {
    let (a, b, c) = (v[lo], v[lo + (hi - lo) / 2], v[hi])
    let pivot = max(min(a, b), min(max(a, b), c))
    // Three-way partition of lo...hi: [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot.
    var (lt, i, gt) = (lo, lo, hi)
    while i <= gt {
      if v[i] < pivot {
        v.swapAt(lt, i)
        lt += 1
        i += 1
      } else if v[i] > pivot {
        v.swapAt(i, gt)
        gt -= 1
      } else {
        i += 1
      }
    }
    if k < lt { hi = lt - 1 } else if k > gt { lo = gt + 1 } else { return v[k] }
  }
  return v[k]
}

@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double {
  #if canImport(Glibc)
    return Glibc.pow(x, y)
  #else
    return Foundation.pow(x, y)
  #endif
}
