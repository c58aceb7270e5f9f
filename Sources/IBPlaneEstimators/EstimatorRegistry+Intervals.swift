// What a resampling interval (`analyze --resamples B`) covers for each plane family: always the
// estimator's sampling spread at N around its own expectation at N, never its bias; the
// sentences say which bias stays outside, so a reader does not take a tight interval for
// agreement with the true mutual information. Shown in `analyze --help` under each family.

extension EstimatorRegistry {
  /// The interval note of plane family `name`: `interval: …` in `help(form: .plane, …)`.
  public static func intervalCoverage(family name: String) -> String {
    let spread = "the sampling spread of this estimate at N"
    switch name {
    case "binning", "adaptive-binning":
      return "\(spread) for the bin layout used; not the plug-in entropies' downward bias nor the dependence on the number of bins (when every sample has a bin of its own, I(X;T) = log N on every subset and the interval has width 0 and says nothing)"
    case "kde", "adaptive-kde":
      return "\(spread) of the upper bound in i_xt/i_ty for the noise variance used (adaptive-kde: σ² re-derived on each subset); not the gap to the lower bound, nor the choice of σ², which defines the quantity"
    case "cs", "renyi":
      return "\(spread) of this kernel (quadratic / α-order) functional with the widths used; it is not a Shannon MI, so no interval covers a Shannon truth"
    case "lossy":
      return "\(spread) of the compressed kNN estimate (compression refitted on each subset); not the information lost by compression nor the kNN bias at this k"
    case "gaussian":
      return "\(spread) of the Gaussian-channel MI for the σ² used; exact only for a linear-Gaussian T, the model mismatch is not included"
    default:
      return "\(spread); not the estimator's bias"
    }
  }
}
