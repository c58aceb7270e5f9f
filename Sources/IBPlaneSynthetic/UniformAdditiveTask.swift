import IBPlaneNumerics
/// Additive uniform noise: X ~ U(0, 1), Y = X + U, U ~ U(−ε, ε) independent of X.
///
/// h(Y | X) = log 2ε, and Y's density is a trapezoid, so
///
///     I(X;Y) = ε − log 2ε        for ε ≤ ½,
///     I(X;Y) = 1 / (4ε)          for ε > ½          (nats).
///
/// (For ε > ½: h(Y) = log 2ε + 1/(4ε) — the flat part plus two linear ramps of width 1.)
/// Examples: ε = 0.1 gives 1.70944 nats, ε = 0.75 gives 1/3. A standard test in the MI
/// estimator literature (e.g. Czyż et al. 2023, "Beyond normal", additive-noise task).
public struct UniformAdditiveTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let xDimension = 1
  public let yDimension = 1
  public let mutualInformationNats: Double
  /// The noise half-width ε > 0.
  public let halfWidth: Double

  public init(halfWidth epsilon: Double, name: String? = nil) throws {
    let taskName = name ?? "uniform-additive-\(epsilon)"
    guard epsilon > 0, epsilon.isFinite else {
      throw SyntheticError.invalidParameter(task: taskName, name: "ε", value: "\(epsilon)", expected: "ε > 0")
    }
    self.name = taskName
    self.halfWidth = epsilon
    self.mutualInformationNats = epsilon <= 0.5 ? epsilon - (2 * epsilon).logNatural : 1 / (4 * epsilon)
    self.summary = "X ~ U(0, 1), Y = X + U(−\(epsilon), \(epsilon))"
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let random = RandomSource(seed: seed)
    var x = Matrix<Double>(rows: count, columns: 1)
    var y = Matrix<Double>(rows: count, columns: 1)
    for i in 0..<count {
      let xi = random.uniform()
      x.elements[i] = xi
      y.elements[i] = xi + random.uniform(-halfWidth, halfWidth)
    }
    return SyntheticSample(x: x, y: y)
  }
}
