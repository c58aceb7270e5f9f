/// The 16×16 blob-image tasks served through the same registry and `ibplane synth` as every
/// other task: X and Y are 256-pixel images whose latents carry the MI, so the true I(X;Y)
/// is the latent MI (the rendering is injective).
extension BlobImageTask: SyntheticTask {
  public var summary: String {
    "16×16 Gaussian-blob images rendered injectively from \(latentDimension)-dim correlated Gaussian latents (ρ = \(String(format: "%.4f", correlation)) per pair)"
  }
  public var xDimension: Int { Self.side * Self.side }
  public var yDimension: Int { Self.side * Self.side }
  public var mutualInformationNats: Double { mutualInformation }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let s = try sampleImages(count: count, seed: seed)
    return SyntheticSample(x: s.x.converted(to: Double.self), y: s.y.converted(to: Double.self))
  }
}
