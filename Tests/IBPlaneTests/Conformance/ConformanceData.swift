import Foundation

import IBPlane

/// Seeded data for the conformance suite: small (N ≤ 500) so every family runs in well under a
/// second in a debug build. Kept private to this folder; the shared test-support target may
/// absorb it later.
enum ConformanceData {
  /// How a family reads the second variable of `estimate(a, b)`.
  enum Second: Sendable {
    /// B's rows are exact symbols (a class column): binning, KDE.
    case discrete
    /// B is a continuous variable like A.
    case continuous
  }

  /// A (N × `columns`) and B (N × 1). Continuous: A standard normal, B = ρ·a₀ + √(1 − ρ²)·z
  /// with ρ = 0.9 when dependent (I = −½ log(1 − ρ²) = 0.830 nats), else 0. Discrete: B a class
  /// in 0, 1, 2 (as a Double column) and A = 0.5·(y − 1) + 0.05·z per column when dependent,
  /// else 0.3·z: classes land in separate bins and kernels.
  static func pair(
    _ second: Second, n: Int, seed: UInt64, dependent: Bool = true, columns: Int = 2
  ) -> (a: Matrix<Double>, b: Matrix<Double>) {
    let random = RandomSource(seed: seed)
    var a = Matrix<Double>(rows: n, columns: columns)
    var b = Matrix<Double>(rows: n, columns: 1)
    switch second {
    case .continuous:
      let rho = dependent ? 0.9 : 0
      for i in 0..<n {
        for j in 0..<columns { a[i, j] = random.normal() }
        b[i, 0] = rho * a[i, 0] + (1 - rho * rho).squareRoot() * random.normal()
      }
    case .discrete:
      for i in 0..<n {
        let y = random.integer(below: 3)
        b[i, 0] = Double(y)
        for j in 0..<columns { a[i, j] = dependent ? 0.5 * Double(y - 1) + 0.05 * random.normal() : 0.3 * random.normal() }
      }
    }
    return (a, b)
  }

  /// The rows `order` of both variables (a joint permutation when `order` is one).
  static func rows(_ order: [Int], of pair: (a: Matrix<Double>, b: Matrix<Double>)) -> (a: Matrix<Double>, b: Matrix<Double>) {
    (pair.a.selectingRows(order), pair.b.selectingRows(order))
  }

  // MARK: The information plane

  /// A recording's context: X (N × 3) standard normal, Y = three classes cut from x₀ at ±0.43
  /// (about a third each), or the regression target x₀ + x₁ (N × 1).
  static func context(n: Int, seed: UInt64, inputs: Bool = true, targets: Bool = false) throws -> PlaneContext {
    let x = RandomSource(seed: seed).normalMatrix(rows: n, columns: 3).converted(to: Float.self)
    let labels: Labels
    if targets {
      labels = .targets(Matrix<Float>(column: (0..<n).map { x[$0, 0] + x[$0, 1] }))
    } else {
      labels = .classes((0..<n).map { x[$0, 0] > 0.43 ? 2 : (x[$0, 0] > -0.43 ? 1 : 0) }, classCount: 3)
    }
    return try PlaneContext(inputs: inputs ? x : nil, labels: labels)
  }

  /// A tanh layer (N × 2) of the context's inputs, driven mostly by x₀ (hence by Y): T₀ =
  /// tanh(1.5·(x₀ + 0.3·x₁)), T₁ = tanh(x₁ − x₂). Needs the inputs, which `context` keeps for this.
  static func dependentLayer(_ x: Matrix<Float>) -> Matrix<Float> {
    var t = Matrix<Float>(rows: x.rows, columns: 2)
    for i in 0..<x.rows {
      t[i, 0] = tanhf(1.5 * (x[i, 0] + 0.3 * x[i, 1]))
      t[i, 1] = tanhf(x[i, 1] - x[i, 2])
    }
    return t
  }

  /// A tanh layer (N × 2) of fresh noise: independent of X and Y.
  static func independentLayer(n: Int, seed: UInt64) -> Matrix<Float> {
    var t = RandomSource(seed: seed).normalMatrix(rows: n, columns: 2).converted(to: Float.self)
    t.elements = t.elements.map { tanhf($0) }
    return t
  }

  /// The context with its samples in `order` (inputs and labels together).
  static func context(_ c: PlaneContext, rows order: [Int]) throws -> PlaneContext {
    let labels: Labels
    switch c.labels {
    case .classes(let y, let k): labels = .classes(order.map { y[$0] }, classCount: k)
    case .targets(let m): labels = .targets(m.selectingRows(order))
    }
    return try PlaneContext(inputs: c.inputs?.selectingRows(order), labels: labels)
  }
}

// MARK: - Comparisons

/// The same Double, bit for bit (so NaN equals NaN and −0 differs from +0).
func sameBits(_ a: Double?, _ b: Double?) -> Bool { a?.bitPattern == b?.bitPattern }

/// Two estimates that agree bit for bit in value, bounds, parameters and diagnostics.
func identical(_ x: Estimate, _ y: Estimate) -> Bool {
  sameBits(x.nats, y.nats) && sameBits(x.lowerNats, y.lowerNats) && sameBits(x.upperNats, y.upperNats)
    && x.parameters == y.parameters && x.diagnostics.keys.sorted() == y.diagnostics.keys.sorted()
    && x.diagnostics.allSatisfy { sameBits($0.value, y.diagnostics[$0.key]) }
}

/// |x − y| ≤ tolerance · max(1, |x|): relative for large values, absolute near 0.
func close(_ x: Double, _ y: Double, _ tolerance: Double) -> Bool {
  abs(x - y) <= tolerance * Swift.max(1, abs(x))
}
