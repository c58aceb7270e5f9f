/// The registry of synthetic tasks: stable names, parsed into tasks.
///
/// Names are parameterised; the grammar (numbers in plain decimal):
/// - `gaussian-dense-D` — X, Y ∈ Rᴰ, every correlation ½ (`GaussianTask.dense`);
/// - `gaussian-DXxDY-rhoR` — corr(Xᵢ, Yᵢ) = R for i < min(DX, DY) (`GaussianTask.pairs`);
/// - sizes within `SyntheticLimits`: DX + DY ≤ 4,096 (D ≤ 2,048), K ≤ 4,096 symbols,
///   names ≤ 256 bytes, and N·(DX + DY) ≤ 2²⁶ values per sample;
/// - `gaussian-Kpair-DXxDY[-rhoR]` — only K coordinate pairs correlated, R = 0.8 by default;
/// - `gaussian-channel-D` — Y = A X + N (`GaussianChannelTask.bidiagonal`);
/// - `student-DXxDY-nuV[-rhoR]` — multivariate t (`StudentTask.pairs`);
/// - `uniform-additive-E` — Y = X + U(−E, E) (`UniformAdditiveTask`);
/// - `noiseless-K`, `bsc-P`, `bec-P` — discrete channels (`DiscreteChannelTask`);
/// - `quantised-gaussian-K` — X ~ N(0, 1), Y = its bin (`QuantisedGaussianTask`);
/// - `asinh-BASE`, `halfcube-BASE`, `normalcdf-BASE`, `spiral-BASE` — an injective map of any
///   task above (`TransformedTask`);
/// - `blob-16x16-miI`, `blob-16x16-lL-miI` — 256-pixel images of L-dim latents (L = 2 default,
///   2…4) with I nats of latent MI (`BlobImageTask`).
public enum SyntheticTasks {
  /// The tasks `ibplane synth --list` shows; each parses with `task(named:)`.
  public static let catalog: [String] = [
    "gaussian-1x1-rho0.75",
    "gaussian-dense-5",
    "gaussian-2pair-10x10",
    "gaussian-channel-3",
    "student-1x1-nu1",
    "student-2x2-nu2",
    "student-3x3-nu2",
    "asinh-student-3x3-nu2",
    "halfcube-gaussian-dense-5",
    "normalcdf-gaussian-2pair-10x10",
    "spiral-gaussian-dense-5",
    "uniform-additive-0.1",
    "uniform-additive-0.75",
    "noiseless-4",
    "bsc-0.1",
    "bec-0.2",
    "quantised-gaussian-8",
    "blob-16x16-mi2",
    "blob-16x16-l4-mi2",
  ]

  /// What a task name looks like, for error messages.
  public static let grammar =
    "gaussian-dense-D, gaussian-DXxDY-rhoR, gaussian-Kpair-DXxDY[-rhoR], gaussian-channel-D, "
    + "student-DXxDY-nuV[-rhoR], uniform-additive-E, noiseless-K, bsc-P, bec-P, quantised-gaussian-K, "
    + "asinh-/halfcube-/normalcdf-/spiral- followed by one of these, or blob-16x16-[lL-]miI"

  /// Every task of `catalog`.
  public static func all() throws -> [any SyntheticTask] { try catalog.map(task(named:)) }

  /// Parses a task name; throws `SyntheticError` naming the bad part.
  public static func task(named name: String) throws -> any SyntheticTask {
    guard name.utf8.count <= SyntheticLimits.maximumNameLength else {
      throw SyntheticError.unknownTask(
        name: String(name.prefix(40)) + "…", expected: "a name of at most \(SyntheticLimits.maximumNameLength) bytes")
    }
    let parser = _TaskNameParser(name: name)
    for transform in MIPreservingTransform.allCases {
      if let rest = parser.strip(transform.rawValue + "-") {
        return try TransformedTask(transform: transform, base: task(named: rest), name: name)
      }
    }
    if parser.strip("blob-16x16-") != nil {
      guard let task = BlobImageTask.named(name) else { throw parser.bad("blob-16x16-[lL-]miI with L in 2…4 and I ≥ 0 nats") }
      return task
    }
    if let rest = parser.strip("gaussian-dense-") {
      return try GaussianTask.dense(dimension: parser.integer(rest, "dimension D"), name: name)
    }
    if let rest = parser.strip("gaussian-channel-") {
      let d = try parser.integer(rest, "dimension D")
      let task = try GaussianChannelTask.bidiagonal(dimension: d)
      return try GaussianChannelTask(name: name, summary: task.summary, gain: task.gain, noiseStandardDeviation: 1)
    }
    if let rest = parser.strip("uniform-additive-") {
      return try UniformAdditiveTask(halfWidth: parser.number(rest, "noise half-width E"), name: name)
    }
    if let rest = parser.strip("quantised-gaussian-") {
      return try QuantisedGaussianTask(bins: parser.integer(rest, "bin count K"))
    }
    if let rest = parser.strip("noiseless-") {
      return try DiscreteChannelTask.noiseless(symbols: parser.integer(rest, "symbol count K"))
    }
    if let rest = parser.strip("bsc-") {
      return try DiscreteChannelTask.binarySymmetric(flipProbability: parser.number(rest, "flip probability P"), name: name)
    }
    if let rest = parser.strip("bec-") {
      return try DiscreteChannelTask.binaryErasure(erasureProbability: parser.number(rest, "erasure probability P"), name: name)
    }
    if let rest = parser.strip("student-") {
      let (head, rho) = try parser.splitCorrelation(rest, default: 0)
      let parts = head.split(separator: "-", omittingEmptySubsequences: false)
      guard parts.count == 2, parts[1].hasPrefix("nu") else {
        throw parser.bad("student-DXxDY-nuV[-rhoR]")
      }
      let (dx, dy) = try parser.dimensions(parts[0])
      let nu = try parser.number(parts[1].dropFirst(2), "degrees of freedom V")
      return try StudentTask.pairs(xDimension: dx, yDimension: dy, nu: nu, correlation: rho ?? 0, name: name)
    }
    if let rest = parser.strip("gaussian-") {
      let parts = rest.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
      if parts[0].hasSuffix("pair") {
        let k = try parser.integer(parts[0].dropLast(4), "pair count K")
        guard parts.count == 2 else { throw parser.bad("gaussian-Kpair-DXxDY[-rhoR]") }
        let (dims, rho) = try parser.splitCorrelation(String(parts[1]), default: 0.8)
        let (dx, dy) = try parser.dimensions(Substring(dims))
        return try GaussianTask.pairs(xDimension: dx, yDimension: dy, pairs: k, correlation: rho ?? 0.8, name: name)
      }
      let (dims, rho) = try parser.splitCorrelation(rest, default: nil)
      guard let rho else { throw parser.bad("gaussian-DXxDY-rhoR") }
      let (dx, dy) = try parser.dimensions(Substring(dims))
      return try GaussianTask.pairs(xDimension: dx, yDimension: dy, pairs: min(dx, dy), correlation: rho, name: name)
    }
    throw SyntheticError.unknownTask(name: name, expected: grammar)
  }
}

/// Small helpers that turn the parts of a task name into numbers, with errors naming the part.
struct _TaskNameParser {
  let name: String

  func strip(_ prefix: String) -> String? {
    name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : nil
  }

  func bad(_ form: String) -> SyntheticError {
    SyntheticError.unknownTask(name: name, expected: "the form \(form)")
  }

  func number<S: StringProtocol>(_ s: S, _ what: String) throws -> Double {
    guard let v = Double(String(s)), v.isFinite, !s.isEmpty else {
      throw SyntheticError.invalidParameter(task: name, name: what, value: "'\(s)'", expected: "a decimal number")
    }
    return v
  }

  func integer<S: StringProtocol>(_ s: S, _ what: String) throws -> Int {
    guard let v = Int(String(s)) else {
      throw SyntheticError.invalidParameter(task: name, name: what, value: "'\(s)'", expected: "an integer")
    }
    return v
  }

  /// `DXxDY` → (DX, DY), each at least 1, DX + DY ≤ `SyntheticLimits.maximumJointDimension`.
  func dimensions(_ s: Substring) throws -> (Int, Int) {
    let parts = s.split(separator: "x", omittingEmptySubsequences: false)
    let maximum = SyntheticLimits.maximumJointDimension
    guard parts.count == 2, let dx = Int(parts[0]), let dy = Int(parts[1]), (1..<maximum).contains(dx),
      (1...maximum - dx).contains(dy)
    else {
      throw SyntheticError.invalidParameter(
        task: name, name: "dimensions", value: "'\(s)'", expected: "DXxDY with DX, DY ≥ 1 and DX + DY ≤ \(maximum)")
    }
    return (dx, dy)
  }

  /// Splits a trailing `-rhoR` off `s`; returns `fallback` when there is none.
  func splitCorrelation(_ s: String, default fallback: Double?) throws -> (String, Double?) {
    guard let r = s.range(of: "-rho") else { return (s, fallback) }
    return (String(s[..<r.lowerBound]), try number(s[r.upperBound...], "correlation R"))
  }
}
