import IBPlaneNumerics
/// A quantised Gaussian: X ~ N(0, 1) and Y = the index of X's bin among `bins` bins whose
/// inner edges split [−2, 2] into equal widths (the two outer bins run to ±∞).
///
/// Y is a function of X, so I(X;Y) = H(Y) = −Σₖ pₖ log pₖ with pₖ = Φ(eₖ) − Φ(eₖ₋₁) the
/// Gaussian mass of bin k (Φ from GSL's `gsl_cdf_ugaussian_P`), in nats. This is the MI a
/// binning estimator sees between a layer and its quantised copy — finite although X is
/// continuous.
public struct QuantisedGaussianTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let xDimension = 1
  public let yDimension = 1
  public let mutualInformationNats: Double
  /// The number of bins K ≥ 2.
  public let bins: Int
  /// The K − 1 inner edges, ascending.
  public let edges: [Double]
  /// The Gaussian mass of each bin.
  public let binProbabilities: [Double]

  public init(bins k: Int) throws {
    let name = "quantised-gaussian-\(k)"
    guard k >= 2, k <= 1 << 16 else {
      throw SyntheticError.invalidParameter(task: name, name: "bin count", value: "\(k)", expected: "2 ≤ K ≤ 65536")
    }
    let edges = (1..<k).map { -2 + 4 * Double($0) / Double(k) }
    let cdf = [0.0] + edges.map { SpecialFunctions.normalCDF($0) } + [1.0]
    self.binProbabilities = (0..<k).map { cdf[$0 + 1] - cdf[$0] }
    self.name = name
    self.bins = k
    self.edges = edges
    self.mutualInformationNats = DiscreteChannelTask.entropy(binProbabilities)
    self.summary = "X ~ N(0, 1), Y = bin of X among \(k) bins (equal widths on [−2, 2], open outer bins)"
  }

  /// The bin index of `x`: the number of inner edges ≤ x.
  func bin(of x: Double) -> Int {
    var lo = 0
    var hi = edges.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
    }
    return lo
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let random = RandomSource(seed: seed)
    var x = Matrix<Double>(rows: count, columns: 1)
    var y = Matrix<Double>(rows: count, columns: 1)
    for i in 0..<count {
      let xi = random.normal()
      x.elements[i] = xi
      y.elements[i] = Double(bin(of: xi))
    }
    return SyntheticSample(x: x, y: y)
  }
}
