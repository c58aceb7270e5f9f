import CNative
import Foundation
import IBPlaneNumerics

/// The delete-d jackknife with d = ⌊N/2⌋ (half-sampling without replacement): the default
/// resampling interval of `analyze` (`ci_method` = `half-sample-jackknife`).
///
/// Resample b keeps N − d distinct samples chosen uniformly without replacement (seeded by
/// `derivedSeed(b)` of the analysis seed, the same subset for every snapshot, layer and
/// estimator). No sample appears twice, so binning, kNN, KDE and lossy see data of the kind
/// they were built for — unlike a with-replacement bootstrap, whose duplicated rows collapse
/// bins and zero kNN distances. With θ_b the estimate on subset b and θ̄ their mean,
///
///   se² = (N − d)/d · 1/(B − 1) · Σ_b (θ_b − θ̄)²,
///
/// the Monte-Carlo form of Shao & Wu's delete-d jackknife variance (Ann. Statist. 17, 1989;
/// Efron & Tibshirani 1993, §11.7), whose exact form averages over all C(N, d) subsets. For
/// the sample mean it is s²/N (s² with N − 1) in expectation over subsets, the textbook
/// variance of the mean. The interval is θ̂ ± z·se with θ̂ the full-sample estimate and
/// z = Φ⁻¹((1 + level)/2) (GSL's `gsl_cdf_ugaussian_Pinv`), so it always contains θ̂.
///
/// What it measures: the estimator's sampling spread at N — how far θ̂ typically lies from
/// the estimator's own expectation at N. Not its bias: the distance between that expectation
/// and the true mutual information (binning resolution, kernel width, noise level, k) is in
/// no resampling interval.
public enum HalfSampleJackknife {
  /// d for N samples: ⌊N/2⌋ deleted, N − d kept.
  public static func deleted(_ n: Int) -> Int { n / 2 }

  /// The N − d kept sample indices of one subset, increasing: a partial Fisher–Yates shuffle
  /// of 0..<n driven by a `RandomSource` seeded with `seed`.
  public static func keptIndices(n: Int, seed: UInt64) -> [Int] {
    let kept = n - deleted(n)
    let random = RandomSource(seed: seed)
    var p = Array(0..<n)
    for i in 0..<kept {
      let j = i + random.integer(below: n - i)
      p.swapAt(i, j)
    }
    return p[..<kept].sorted()
  }

  /// se of the full-sample estimate from the subset estimates `values` (B ≥ 2); NaN when a
  /// value is not finite or there are fewer than two.
  public static func standardError(_ values: [Double], n: Int) -> Double {
    let d = deleted(n)
    guard values.count >= 2, d >= 1, values.allSatisfy(\.isFinite) else { return .nan }
    let mean = values.reduce(0, +) / Double(values.count)
    let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (Double(n - d) / Double(d) * ss / Double(values.count - 1)).squareRoot()
  }

  /// Φ⁻¹(p), the standard normal quantile, p in (0, 1).
  public static func normalQuantile(_ p: Double) -> Double {
    NativeRuntime.ensureInitialised()
    return gsl_cdf_ugaussian_Pinv(p)
  }

  /// θ̂ ± Φ⁻¹((1 + level)/2)·se: the interval at `level` around `estimate`; `nil` when the
  /// estimate or a subset's estimate is not finite (the caller reports it).
  public static func interval(estimate: Double, values: [Double], n: Int, level: Double) -> ClosedRange<Double>? {
    let half = normalQuantile((1 + level) / 2) * standardError(values, n: n)
    guard half.isFinite, estimate.isFinite else { return nil }
    return (estimate - half)...(estimate + half)
  }
}
