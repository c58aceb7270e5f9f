import IBPlaneCore
import IBPlaneNumerics
/// High-dimensional synthetic tasks with known MI: correlated Gaussian latents rendered as
/// 16 × 16 images of a Gaussian blob (after Butakov et al., ICLR 2024, section 5.1).
///
/// Latents: ξ_X, ξ_Y ∈ ℝᴸ (L = 2, 3 or 4), standard normal coordinates, with coordinate pairs
/// (ξ_X,j, ξ_Y,j) correlated with ρ = √(1 − exp(−2I/L)), so that each pair carries
/// −½ log(1 − ρ²) = I/L nats and the total latent MI is I (closed form).
///
/// Rendering (fixed, smooth, injective): u = Φ(ξ) ∈ (0,1)ᴸ; blob centre μ = (u₁, u₂); width
/// parameters a_x, a_y = 6 + 12 u₃ (and u₄ when L = 4; a_x = a_y = 10 for L = 2;
/// a_y = a_x for L = 3); pixel (r, c) with centre g = ((c + ½)/16, (r + ½)/16) has intensity
/// exp(−a_x (g₁ − μ₁)² − a_y (g₂ − μ₂)²). The centre and the widths can be read back from the
/// image (log-intensities are quadratic in g), so the map is injective and I(X;Y) of the images
/// equals the latent MI.
///
/// Names: `blob-16x16-mi<I>` for L = 2 (e.g. `blob-16x16-mi2`), `blob-16x16-l<L>-mi<I>` otherwise.
/// The synthetic-task registry (another file) can register `BlobImageTask.standard`.
public struct BlobImageTask: Sendable, Equatable {
  /// True MI in nats.
  public let mutualInformation: Double
  /// Latent dimension L of each side (2…4).
  public let latentDimension: Int
  /// Image side (16).
  public static let side = 16

  public init(mutualInformation: Double, latentDimension: Int = 2) throws {
    guard mutualInformation >= 0, mutualInformation.isFinite else {
      throw EstimatorError.invalidParameter(name: "mutual information", value: "\(mutualInformation)", expected: "a finite value ≥ 0 nats")
    }
    guard (2...4).contains(latentDimension) else {
      throw EstimatorError.invalidParameter(name: "latent dimension", value: "\(latentDimension)", expected: "2, 3 or 4")
    }
    self.mutualInformation = mutualInformation
    self.latentDimension = latentDimension
  }

  public var name: String {
    let mi = mutualInformation == mutualInformation.rounded() ? "\(Int(mutualInformation))" : "\(mutualInformation)"
    return latentDimension == 2 ? "blob-16x16-mi\(mi)" : "blob-16x16-l\(latentDimension)-mi\(mi)"
  }

  /// Per-pair correlation ρ = √(1 − exp(−2I/L)).
  public var correlation: Double { (1 - _math_exp(-2 * mutualInformation / Double(latentDimension))).squareRoot() }

  /// The tasks offered by default: L = 2 at I = 0, 0.5, 1, 2, 3, 5 nats and L = 4 at I = 2 nats.
  public static var standard: [BlobImageTask] {
    [0, 0.5, 1, 2, 3, 5].compactMap { try? BlobImageTask(mutualInformation: $0) }
      + [try? BlobImageTask(mutualInformation: 2, latentDimension: 4)].compactMap { $0 }
  }

  /// The task of a name produced by `name`, or nil.
  public static func named(_ name: String) -> BlobImageTask? {
    guard name.hasPrefix("blob-16x16-") else { return nil }
    var rest = name.dropFirst("blob-16x16-".count)
    var l = 2
    if rest.hasPrefix("l"), let dash = rest.firstIndex(of: "-"), let v = Int(rest.dropFirst().prefix(upTo: dash)) {
      l = v
      rest = rest[rest.index(after: dash)...]
    }
    guard rest.hasPrefix("mi"), let mi = Double(rest.dropFirst(2)) else { return nil }
    return try? BlobImageTask(mutualInformation: mi, latentDimension: l)
  }

  /// N samples: images X, Y (N × 256, Float) and their latents (N × L, Double). Seeded.
  public func sampleImages(count n: Int, seed: UInt64) throws -> (x: Matrix<Float>, y: Matrix<Float>, latentX: Matrix<Double>, latentY: Matrix<Double>) {
    guard n >= 1 else { throw EstimatorError.invalidParameter(name: "count", value: "\(n)", expected: "≥ 1") }
    try checkSampleCount(n)
    let l = latentDimension
    let rho = correlation
    let rng = RandomSource(seed: seed)
    var lx = Matrix<Double>(rows: n, columns: l)
    var ly = Matrix<Double>(rows: n, columns: l)
    let s = (1 - rho * rho).squareRoot()
    for i in 0..<n {
      for j in 0..<l {
        let a = rng.normal()
        lx[i, j] = a
        ly[i, j] = rho * a + s * rng.normal()
      }
    }
    return (render(lx), render(ly), lx, ly)
  }

  /// The fixed rendering map, row by row.
  public func render(_ latent: Matrix<Double>) -> Matrix<Float> {
    let side = Self.side
    var out = Matrix<Float>(rows: latent.rows, columns: side * side)
    for i in 0..<latent.rows {
      let u = (0..<latent.columns).map { SpecialFunctions.normalCDF(latent[i, $0]) }
      let ax = latentDimension >= 3 ? 6 + 12 * u[2] : 10
      let ay = latentDimension == 4 ? 6 + 12 * u[3] : ax
      for r in 0..<side {
        let gy = (Double(r) + 0.5) / Double(side) - u[1]
        for c in 0..<side {
          let gx = (Double(c) + 0.5) / Double(side) - u[0]
          out[i, r * side + c] = Float(_math_exp(-ax * gx * gx - ay * gy * gy))
        }
      }
    }
    return out
  }
}
