import IBPlaneCore
/// The documented range of every numeric estimator parameter, in one table.
///
/// The estimator types refuse values outside it, the parameter tables of `EstimatorRegistry`
/// declare their numeric kinds with it (so an `ibplane estimate` flag and the same key in
/// `ibplane analyze --estimator name:key=value` are refused alike, before any data is read, and
/// both help texts print it), and README.md quotes it. NaN, ±∞, zero and negative values fall
/// outside every range below that does not contain them.
///
/// Why these bounds: the continuous ones keep the parameter, its square and its reciprocal
/// normal doubles (widths, variances), or in float32 where the parameter meets float32
/// activations (`binsize`); the integer ones bound memory or time that grows with the value
/// (M² distances of `median:M`, m² Nyström landmarks, r exact decompositions of `subsample`,
/// k neighbours per sample, the latent dimension of the kNN search after compression).
public enum EstimatorParameterRange {
  /// `bins` of `binning` (idnns, range) and `adaptive-binning`.
  public static let bins: ClosedRange<Int> = 2...1_048_576
  /// `binsize` of `binning` with convention `floor`, in activation units (applied in float32).
  public static let binSize: ClosedRange<Double> = 1e-30...1e30
  /// `sigma2` of `kde` and `noise_variance` of the `gaussian` plane, in squared activation units.
  public static let noiseVariance: ClosedRange<Double> = 1e-100...1e100
  /// `sigma2` of `adaptive-kde`: the scale c in σ² = c·max|T|.
  public static let noiseVarianceScale: ClosedRange<Double> = 1e-100...1e100
  /// `sigma-x`, `sigma-y` and a numeric `width-rule` of `cs` and `renyi`, in the data's units.
  public static let kernelWidth: ClosedRange<Double> = 1e-100...1e100
  /// M of `width-rule=median:M`: the rule holds M² distances (200 MB at 5,000).
  public static let medianSubsample: ClosedRange<Int> = 2...5_000
  /// `alpha` of `renyi`.
  public static let alpha: ClosedRange<Double> = 0.001...1_000
  /// m of `approx=nystrom:m` (an m × m eigenproblem with vectors).
  public static let landmarks: ClosedRange<Int> = 2...5_000
  /// m of `approx=subsample:m[:r]` (exact decompositions of m × m matrices).
  public static let subsampleSize: ClosedRange<Int> = 2...5_000
  /// r of `approx=subsample:m:r` (time grows linearly in r).
  public static let subsampleRepeats: ClosedRange<Int> = 1...100
  /// `k` of the kNN estimators and `lossy`.
  public static let neighbours: ClosedRange<Int> = 1...1_000
  /// `jitter` of `ksg`, `ksg2`: the relative scale of the tie-breaking noise.
  public static let jitter: ClosedRange<Double> = 0...1e100
  /// `lower` of `adaptive-binning`: the lower edge of the activation family, in activation units.
  public static let lowerEdge: ClosedRange<Double> = -1e100...1e100
  /// `exact-limit` of `renyi`: the largest N decomposed exactly in double precision (8N² bytes:
  /// 2 GiB per Gram matrix at the top).
  public static let exactLimit: ClosedRange<Int> = 0...16_384
  /// `exact-float32-limit` of `renyi`: the largest N decomposed exactly in single precision
  /// (4N² bytes: 4 GiB per Gram matrix at the top).
  public static let exactFloat32Limit: ClosedRange<Int> = 0...32_768
  /// `latent` of `lossy`.
  public static let latent: ClosedRange<Int> = 1...1_000
  /// `noise` of `lossy`: the standard deviation of the added Gaussian noise.
  public static let noise: ClosedRange<Double> = 0...1e100

  /// A range bound as the error and help texts write it.
  static func bound<T>(_ v: T) -> String { (v as? Double).map(EstimatorParameter.render) ?? "\(v)" }

  /// Throws `EstimatorError.invalidParameter` naming `name` when `value` is outside `range`;
  /// `what` says what the parameter is ("an integer", "a noise variance").

  static func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, name: String, what: String) throws {
    guard range.contains(value) else {
      throw EstimatorError.invalidParameter(name: name, value: "\(value)", expected: "\(what) in \(bound(range.lowerBound))…\(bound(range.upperBound))")
    }
  }
}
