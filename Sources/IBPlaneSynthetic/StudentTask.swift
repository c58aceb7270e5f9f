import IBPlaneNumerics
/// Multivariate Student-t (X, Y) with ν degrees of freedom and dispersion matrix Σ.
///
/// A draw is (X, Y) = G / √(W/ν) with G ~ N(0, Σ) and **one** W ~ χ²_ν shared by all
/// coordinates of the draw (that shared scale is what makes X and Y dependent even when Σ is
/// diagonal). The MI is the Gaussian term of Σ plus a correction that depends only on ν and
/// the dimensions (Arellano-Valle, Contreras-Reyes & Genton 2013, "Shannon entropy and mutual
/// information for multivariate skew-elliptical distributions", Scand. J. Statist. 40):
///
///     I(X;Y) = ½ log( det Σxx det Σyy / det Σ ) + f(ν, dx) + f(ν, dy) − f(ν, dx + dy),
///     f(ν, d) = log Γ(ν/2) − log Γ((ν + d)/2) + (ν + d)/2 · [ψ((ν + d)/2) − ψ(ν/2)],
///
/// in nats (f is the entropy of the d-dimensional t minus its log-volume terms, which cancel
/// in the MI). Examples with Σ = I: 1×1, ν = 1 gives 0.22417; 2×2, ν = 2 gives 0.19315.
/// The correction is positive and → 0 as ν → ∞ (the Gaussian limit).
public struct StudentTask: SyntheticTask {
  public let name: String
  public let summary: String
  public var xDimension: Int { dispersion.xDimension }
  public var yDimension: Int { dispersion.yDimension }
  public let mutualInformationNats: Double
  /// The degrees of freedom ν > 0.
  public let degreesOfFreedom: Double
  /// The Gaussian G before scaling; its MI is the Gaussian term.
  public let dispersion: GaussianTask

  public init(name: String, dispersion: GaussianTask, degreesOfFreedom nu: Double) throws {
    guard nu > 0, nu.isFinite else {
      throw SyntheticError.invalidParameter(task: name, name: "degrees of freedom", value: "\(nu)", expected: "ν > 0")
    }
    self.name = name
    self.dispersion = dispersion
    self.degreesOfFreedom = nu
    self.mutualInformationNats =
      dispersion.mutualInformationNats
      + (try StudentTask.entropyCorrection(nu: nu, dx: dispersion.xDimension, dy: dispersion.yDimension))
    self.summary = "multivariate Student-t, ν = \(nu), dispersion: \(dispersion.summary)"
  }

  /// `student-DXxDY-nuV[-rhoR]`: Σ has unit diagonal and corr(Xᵢ, Yᵢ) = ρ (default 0) for
  /// i < min(dx, dy).
  public static func pairs(xDimension dx: Int, yDimension dy: Int, nu: Double, correlation rho: Double = 0, name: String) throws -> StudentTask {
    let g = try GaussianTask.pairs(xDimension: dx, yDimension: dy, pairs: min(dx, dy), correlation: rho, name: name)
    return try StudentTask(name: name, dispersion: g, degreesOfFreedom: nu)
  }

  /// f(ν, dx) + f(ν, dy) − f(ν, dx + dy) in nats, with log Γ and ψ from GSL.
  public static func entropyCorrection(nu: Double, dx: Int, dy: Int) throws -> Double {
    func f(_ d: Int) throws -> Double {
      let a = nu / 2
      let b = (nu + Double(d)) / 2
      return try SpecialFunctions.logGamma(a) - SpecialFunctions.logGamma(b)
        + b * (SpecialFunctions.digamma(b) - SpecialFunctions.digamma(a))
    }
    return try f(dx) + f(dy) - f(dx + dy)
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    var s = try dispersion.sample(count: count, seed: seed)
    let scales = RandomSource(seed: RandomSource(seed: seed).derivedSeed(1))
    for i in 0..<count {
      let factor = 1 / (scales.chiSquare(degreesOfFreedom: degreesOfFreedom) / degreesOfFreedom).squareRoot()
      for j in 0..<s.x.columns { s.x[i, j] *= factor }
      for j in 0..<s.y.columns { s.y[i, j] *= factor }
    }
    return s
  }
}
