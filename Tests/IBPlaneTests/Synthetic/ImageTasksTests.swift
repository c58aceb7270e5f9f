import Testing
import IBPlane

@Suite struct ImageTasksTests {
  @Test func namesRoundTripAndCorrelationGivesTheMI() throws {
    for t in BlobImageTask.standard {
      #expect(BlobImageTask.named(t.name) == t)
      let perPair = -0.5 * _math_log(1 - t.correlation * t.correlation)
      #expect(abs(perPair * Double(t.latentDimension) - t.mutualInformation) < 1e-12)
    }
    #expect(BlobImageTask.named("blob-16x16-mi2")?.mutualInformation == 2)
    #expect(BlobImageTask.named("blob-16x16-l3-mi1.5")?.latentDimension == 3)
    #expect(BlobImageTask.named("blob-8x8-mi2") == nil)
    #expect(throws: EstimatorError.self) { try BlobImageTask(mutualInformation: -1) }
    #expect(throws: EstimatorError.self) { try BlobImageTask(mutualInformation: 1, latentDimension: 5) }
  }

  @Test func samplesAreSeededImagesWithTheLatentCorrelation() throws {
    let task = try BlobImageTask(mutualInformation: 2, latentDimension: 4)
    let a = try task.sampleImages(count: 4000, seed: 1)
    let b = try task.sampleImages(count: 4000, seed: 1)
    #expect(a.x == b.x && a.y == b.y)
    #expect(a.x.columns == 256 && a.y.columns == 256)
    #expect(a.x.elements.allSatisfy { $0 > 0 && $0 <= 1 })
    let c = try a.latentX.concatenatingColumns(a.latentY).covariance()
    for j in 0..<4 { #expect(abs(c[j, 4 + j] - task.correlation) < 0.05) }
    // The brightest pixel sits where the centre Φ(ξ) is: the map keeps the latent readable.
    for i in 0..<20 {
      let row = a.x.row(i)
      let best = row.indices.max { row[$0] < row[$1] }!
      let cx = (Double(best % 16) + 0.5) / 16
      #expect(abs(cx - SpecialFunctions.normalCDF(a.latentX[i, 0])) <= 1.0 / 32 + 1e-12)
    }
  }
}

@Suite struct BlobImageRegistryTests {
  /// The image tasks come through the same registry as every task, with the latent MI as truth.
  @Test func registryServesImageTasks() throws {
    let task = try SyntheticTasks.task(named: "blob-16x16-l4-mi2")
    #expect(task.mutualInformationNats == 2)
    #expect(task.xDimension == 256 && task.yDimension == 256)
    let s = try task.sample(count: 50, seed: 3)
    let direct = try BlobImageTask(mutualInformation: 2, latentDimension: 4).sampleImages(count: 50, seed: 3)
    #expect(s.x == direct.x.converted(to: Double.self))
    #expect(throws: SyntheticError.self) { try SyntheticTasks.task(named: "blob-16x16-l9-mi2") }
    #expect(throws: SyntheticError.self) { try SyntheticTasks.task(named: "blob-16x16-mi-1") }
  }
}
