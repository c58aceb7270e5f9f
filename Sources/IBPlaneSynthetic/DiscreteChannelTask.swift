import IBPlaneNumerics
/// A discrete memoryless channel with a uniform input: X uniform on {0, …, k − 1}, Y drawn
/// from row X of a transition matrix P(y | x). Symbols are stored as their index (a Double).
///
///     I(X;Y) = H(Y) − H(Y | X) = H(Σₓ p(x) P(· | x)) − Σₓ p(x) H(P(· | x))   (nats).
///
/// Named channels (Cover & Thomas, *Elements of Information Theory*, 2nd ed., §7.1):
/// - `noiseless-K`: Y = X on K symbols, I = log K;
/// - `bsc-P`: binary symmetric channel, flip probability p, I = log 2 − h(p);
/// - `bec-P`: binary erasure channel, erasure probability p, Y ∈ {0, 1, 2 = erased}, I = (1 − p) log 2.
/// The truth is computed from the matrix; tests check it against those textbook forms.
public struct DiscreteChannelTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let xDimension = 1
  public let yDimension = 1
  public let mutualInformationNats: Double
  /// P(y | x): one row per input symbol, each summing to 1.
  public let transition: [[Double]]

  public init(name: String, summary: String, transition: [[Double]]) throws {
    let width = transition.first?.count ?? 0
    guard transition.count >= 1, width >= 1, transition.allSatisfy({ $0.count == width }) else {
      throw SyntheticError.invalidParameter(task: name, name: "transition matrix", value: "(ragged or empty)", expected: "k rows of equal length")
    }
    for (x, row) in transition.enumerated() {
      guard row.allSatisfy({ $0 >= 0 && $0.isFinite }), abs(row.reduce(0, +) - 1) < 1e-12 else {
        throw SyntheticError.invalidParameter(
          task: name, name: "transition row \(x)", value: "\(row)", expected: "probabilities summing to 1")
      }
    }
    let k = Double(transition.count)
    var output = [Double](repeating: 0, count: width)
    var conditional = 0.0
    for row in transition {
      for (y, p) in row.enumerated() { output[y] += p / k }
      conditional += DiscreteChannelTask.entropy(row) / k
    }
    self.name = name
    self.summary = summary
    self.transition = transition
    self.mutualInformationNats = DiscreteChannelTask.entropy(output) - conditional
  }

  /// −Σ p log p over the positive entries, in nats.
  static func entropy(_ p: [Double]) -> Double {
    p.reduce(0) { $1 > 0 ? $0 - $1 * $1.logNatural : $0 }
  }

  public static func noiseless(symbols k: Int) throws -> DiscreteChannelTask {
    guard k >= 2, k <= SyntheticLimits.maximumSymbols else {
      throw SyntheticError.invalidParameter(
        task: "noiseless-\(k)", name: "symbol count", value: "\(k)",
        expected: "2 ≤ K ≤ \(SyntheticLimits.maximumSymbols) (the transition matrix is K × K)")
    }
    let rows = (0..<k).map { x in (0..<k).map { $0 == x ? 1.0 : 0.0 } }
    return try DiscreteChannelTask(name: "noiseless-\(k)", summary: "X uniform on \(k) symbols, Y = X", transition: rows)
  }

  public static func binarySymmetric(flipProbability p: Double, name: String? = nil) throws -> DiscreteChannelTask {
    let taskName = name ?? "bsc-\(p)"
    guard p >= 0, p <= 1 else {
      throw SyntheticError.invalidParameter(task: taskName, name: "flip probability", value: "\(p)", expected: "0 ≤ p ≤ 1")
    }
    return try DiscreteChannelTask(
      name: taskName, summary: "binary symmetric channel, X ~ Bernoulli(½), flip probability \(p)",
      transition: [[1 - p, p], [p, 1 - p]])
  }

  public static func binaryErasure(erasureProbability p: Double, name: String? = nil) throws -> DiscreteChannelTask {
    let taskName = name ?? "bec-\(p)"
    guard p >= 0, p <= 1 else {
      throw SyntheticError.invalidParameter(task: taskName, name: "erasure probability", value: "\(p)", expected: "0 ≤ p ≤ 1")
    }
    return try DiscreteChannelTask(
      name: taskName, summary: "binary erasure channel, X ~ Bernoulli(½), erasure (Y = 2) probability \(p)",
      transition: [[1 - p, 0, p], [0, 1 - p, p]])
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let random = RandomSource(seed: seed)
    var x = Matrix<Double>(rows: count, columns: 1)
    var y = Matrix<Double>(rows: count, columns: 1)
    let last = transition[0].count - 1
    for i in 0..<count {
      let symbol = random.integer(below: transition.count)
      let row = transition[symbol]
      let u = random.uniform()
      // Inverse CDF over the row; the last symbol catches rounding in the cumulative sum.
      var output = last
      var cumulative = 0.0
      for (k, p) in row.enumerated() where k < last {
        cumulative += p
        if u < cumulative { output = k; break }
      }
      x.elements[i] = Double(symbol)
      y.elements[i] = Double(output)
    }
    return SyntheticSample(x: x, y: y)
  }
}
