import IBPlaneNumerics
/// The Gaussian channel Y = A X + N with X ~ N(0, I_dx) and N ~ N(0, σ² I_dy) independent.
///
///     I(X;Y) = ½ log det(I + A Aᵀ / σ²) = ½ [ log det(A Aᵀ + σ² I) − dy log σ² ]   (nats).
///
/// Reference: Cover & Thomas, *Elements of Information Theory*, 2nd ed., §9.4 (parallel
/// Gaussian channels); Telatar (1999) for the vector form.
public struct GaussianChannelTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let xDimension: Int
  public let yDimension: Int
  public let mutualInformationNats: Double
  /// The dy × dx channel matrix.
  public let gain: Matrix<Double>
  /// The noise standard deviation σ.
  public let noiseStandardDeviation: Double

  public init(name: String, summary: String? = nil, gain: Matrix<Double>, noiseStandardDeviation sigma: Double) throws {
    guard gain.rows >= 1, gain.columns >= 1 else {
      throw SyntheticError.invalidParameter(task: name, name: "gain", value: "\(gain.rows)×\(gain.columns)", expected: "a non-empty matrix")
    }
    guard sigma > 0, sigma.isFinite else {
      throw SyntheticError.invalidParameter(task: name, name: "noise standard deviation", value: "\(sigma)", expected: "σ > 0")
    }
    var output = try gain.gram()  // A Aᵀ
    for i in 0..<output.rows { output[i, i] += sigma * sigma }
    self.mutualInformationNats =
      0.5 * (try output.logDeterminantSPD() - Double(gain.rows) * (sigma * sigma).logNatural)
    self.name = name
    self.summary = summary ?? "Y = A X + N, X ~ N(0, I_\(gain.columns)), N ~ N(0, \(sigma)² I_\(gain.rows))"
    self.gain = gain
    self.noiseStandardDeviation = sigma
    self.xDimension = gain.columns
    self.yDimension = gain.rows
  }

  /// `gaussian-channel-D`: A is D × D with 1 on the diagonal and ½ just above it; σ = 1.
  public static func bidiagonal(dimension d: Int) throws -> GaussianChannelTask {
    let name = "gaussian-channel-\(d)"
    let maximum = SyntheticLimits.maximumJointDimension / 2
    guard (1...maximum).contains(d) else {
      throw SyntheticError.invalidParameter(
        task: name, name: "dimension", value: "\(d)", expected: "1 ≤ D ≤ \(maximum) (dx + dy = 2D ≤ \(2 * maximum))")
    }
    var a = Matrix<Double>(rows: d, columns: d)
    for i in 0..<d {
      a[i, i] = 1
      if i + 1 < d { a[i, i + 1] = 0.5 }
    }
    return try GaussianChannelTask(
      name: name, summary: "Y = A X + N, X ~ N(0, I_\(d)), N ~ N(0, I_\(d)), A bidiagonal (1 on, ½ above the diagonal)",
      gain: a, noiseStandardDeviation: 1)
  }

  /// The joint covariance of (X, Y): [[I, Aᵀ], [A, A Aᵀ + σ² I]] — a second route to the truth.
  public func jointCovariance() throws -> Matrix<Double> {
    let dx = xDimension
    let dy = yDimension
    var c = Matrix<Double>(rows: dx + dy, columns: dx + dy)
    let aat = try gain.gram()
    for i in 0..<dx { c[i, i] = 1 }
    for i in 0..<dy {
      for j in 0..<dx {
        c[dx + i, j] = gain[i, j]
        c[j, dx + i] = gain[i, j]
      }
      for j in 0..<dy { c[dx + i, dx + j] = aat[i, j] }
      c[dx + i, dx + i] += noiseStandardDeviation * noiseStandardDeviation
    }
    return c
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let random = RandomSource(seed: seed)
    let x = random.normalMatrix(rows: count, columns: xDimension)
    var y = try x.multiplied(by: gain, transposingOther: true)
    for k in 0..<y.elements.count { y.elements[k] += noiseStandardDeviation * random.normal() }
    return SyntheticSample(x: x, y: y)
  }
}
