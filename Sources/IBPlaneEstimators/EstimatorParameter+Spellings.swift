import Foundation
import IBPlaneCore
import IBPlaneNumerics

// The structured parameter values (`median:M`, `nystrom:m`, `multiplicative:σ`) and their
// canonical spellings: `specification` writes what `init(specification:)` reads back, exactly.

extension KernelWidthRule {
  /// `median` (M = 1,000, seed 0), `median:M`, `median:M:seed`, `silverman`, `scott` or a
  /// fixed width in the data's units (shortest round-trip spelling).
  public var specification: String {
    switch self {
    case .fixed(let s): return EstimatorParameter.render(s)
    case .scott: return "scott"
    case .silverman: return "silverman"
    case .median(let m, let seed) where seed == 0: return m == 1_000 ? "median" : "median:\(m)"
    case .median(let m, let seed): return "median:\(m):\(seed)"
    }
  }

  /// Reads `specification`'s spellings; throws naming `key` when the text is not one or a
  /// number is outside `EstimatorParameterRange.kernelWidth` / `.medianSubsample`.
  public init(specification text: String, key: String) throws {
    let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    switch (parts[0], parts.count) {
    case ("silverman", 1): self = .silverman
    case ("scott", 1): self = .scott
    case ("median", 1): self = .median(subsample: 1_000, seed: 0)
    case ("median", 2), ("median", 3):
      guard let m = Int(parts[1]), EstimatorParameterRange.medianSubsample.contains(m),
        let seed = parts.count == 3 ? UInt64(parts[2]) : 0
      else { throw Self.refusal(key, text) }
      self = .median(subsample: m, seed: seed)
    default:
      guard parts.count == 1, let v = Double(text), EstimatorParameterRange.kernelWidth.contains(v) else {
        throw Self.refusal(key, text)
      }
      self = .fixed(v)
    }
  }

  /// The accepted spellings, for errors and help.
  public static var syntax: String {
    let (m, w) = (EstimatorParameterRange.medianSubsample, EstimatorParameterRange.kernelWidth)
    return "a kernel width in \(EstimatorParameter.render(w.lowerBound))…\(EstimatorParameter.render(w.upperBound)) "
      + "or a rule: median, median:M with M in \(m.lowerBound)…\(m.upperBound) (median:M:seed), silverman or scott"
  }

  static func refusal(_ key: String, _ text: String) -> EstimatorError {
    .invalidParameter(name: key, value: text, expected: syntax)
  }
}

extension MatrixRenyiMutualInformation.Approximation {
  /// The canonical spelling (`description`: `auto`, `exact`, `exact-float32`, `nystrom:m`,
  /// `subsample:m:r`).
  public var specification: String { description }

  /// Reads `auto`, `exact`, `exact-float32`, `nystrom:m`, `subsample:m[:r]`; throws when the
  /// syntax is wrong or m, r are outside their `EstimatorParameterRange`s.
  public init(specification text: String) throws {
    let r = EstimatorParameterRange.self
    guard let a = Self(parsing: text) else { throw Self.refusal(text) }
    switch a {
    case .nystrom(let m) where !r.landmarks.contains(m): throw Self.refusal(text)
    case .subsample(let m, let k) where !r.subsampleSize.contains(m) || !r.subsampleRepeats.contains(k): throw Self.refusal(text)
    case .slq(let p, let m) where !r.slqProbes.contains(p) || !r.slqSteps.contains(m): throw Self.refusal(text)
    default: self = a
    }
  }

  public static var syntax: String {
    let r = EstimatorParameterRange.self
    return "auto, exact, exact-float32, nystrom:m with m in \(r.landmarks.lowerBound)…\(r.landmarks.upperBound) landmarks, "
      + "or subsample:m[:r] with m in \(r.subsampleSize.lowerBound)…\(r.subsampleSize.upperBound) rows "
      + "and r in \(r.subsampleRepeats.lowerBound)…\(r.subsampleRepeats.upperBound) repeats (default 5), "
      + "or slq[:p[:m]] with p in \(r.slqProbes.lowerBound)…\(r.slqProbes.upperBound) probes "
      + "(default \(MatrixRenyiMutualInformation.slqDefaultProbes)) and m in \(r.slqSteps.lowerBound)…\(r.slqSteps.upperBound) "
      + "Lanczos steps (default \(MatrixRenyiMutualInformation.slqDefaultSteps))"
  }

  static func refusal(_ text: String) -> EstimatorError { .invalidParameter(name: "approx", value: text, expected: syntax) }
}

extension LossyCompressedMI {
  /// `none`, σ (additive Gaussian noise, the command line's `--noise σ`) or `multiplicative:σ`.
  static func noiseSpecification(_ noise: Noise?) -> String {
    switch noise {
    case nil: return "none"
    case .additiveGaussian(let s): return EstimatorParameter.render(s)
    case .multiplicativeGaussian(let s): return "multiplicative:\(EstimatorParameter.render(s))"
    }
  }

  /// Reads `noiseSpecification`'s spellings (and `additive:σ`), σ in `EstimatorParameterRange.noise`.
  static func noise(specification text: String) throws -> Noise? {
    let t = text.lowercased()
    if t == "none" { return nil }
    let (kind, number): (String, Substring) =
      t.hasPrefix("multiplicative:") ? ("m", t.dropFirst(15)) : t.hasPrefix("additive:") ? ("a", t.dropFirst(9)) : ("a", Substring(t))
    guard let s = Double(number), EstimatorParameterRange.noise.contains(s) else {
      throw EstimatorError.invalidParameter(name: "noise", value: text, expected: noiseSyntax)
    }
    return kind == "m" ? .multiplicativeGaussian(s) : .additiveGaussian(s)
  }

  static var noiseSyntax: String {
    let r = EstimatorParameterRange.noise
    return "none, a standard deviation σ in \(EstimatorParameter.render(r.lowerBound))…\(EstimatorParameter.render(r.upperBound)) "
      + "(additive Gaussian noise) or multiplicative:σ"
  }

  /// The compressor's name when it is the one that name builds (`pca`, or a registered
  /// compressor with its registered parameters); otherwise `name(key=value,…)`, which no
  /// specification can rebuild (a compressor configured in code).
  var compressorSpecification: String {
    if let registered = try? Compressor.named(compressor.name), registered == compressor { return compressor.name }
    return compressorKey
  }
}
