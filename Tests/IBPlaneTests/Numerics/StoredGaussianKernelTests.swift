import Foundation
import Testing
import IBPlane
@testable import IBPlaneNumerics

/// The stored input kernel (`StoredGaussianKernel`, issue 17) must change nothing but the time:
/// its entries are the engine's kernel values and the paired sums read from it equal the
/// unstored pass bit for bit, for every tile size and both element types.
@Suite struct StoredGaussianKernelTests {
  @Test(arguments: [17, 128, 1000])
  func pairedSumsFromStoredKernelEqualUnstoredPass(tile: Int) throws {
    let n = 300
    let rng = RandomSource(seed: 71)
    let a = rng.normalMatrix(rows: n, columns: 5)
    let b = rng.normalMatrix(rows: n, columns: 2)
    let (ga, gb) = (0.2, 0.7)
    let engine = TiledKernelSums(tileSize: tile, threads: 2)
    for useFloat in [false, true] {
      let (r, ref, stored): (PairedKernelRowSums, PairedKernelRowSums, StoredGaussianKernel?)
      if useFloat {
        let (af, bf) = (a.converted(to: Float.self), b.converted(to: Float.self))
        stored = try engine.storedGaussianKernel(af, gamma: ga)
        r = try engine.pairedGaussianRowSums(stored: try #require(stored), bf, gammaB: gb)
        ref = try engine.pairedGaussianRowSums(af, gammaA: ga, bf, gammaB: gb)
      } else {
        stored = try engine.storedGaussianKernel(a, gamma: ga)
        r = try engine.pairedGaussianRowSums(stored: try #require(stored), b, gammaB: gb)
        ref = try engine.pairedGaussianRowSums(a, gammaA: ga, b, gammaB: gb)
      }
      #expect(r == ref)
      #expect(r.summed == (useFloat
        ? try engine.pairedGaussianSums(a.converted(to: Float.self), gammaA: ga, b.converted(to: Float.self), gammaB: gb)
        : try engine.pairedGaussianSums(a, gammaA: ga, b, gammaB: gb)))
      // The entries are the kernel values (to the float distances' rounding for Float).
      let k = try #require(stored)
      for (i, j) in [(0, 0), (5, 200), (299, 3), (150, 150)] {
        var d = 0.0
        for c in 0..<5 { let t = a[i, c] - a[j, c]; d += t * t }
        #expect(abs(k[i, j] - exp(-ga * d)) < (useFloat ? 1e-5 : 1e-12))
      }
      #expect(k[7, 7] == 1)
    }
  }

  @Test func refusesOtherSamplesOrTileSize() throws {
    let rng = RandomSource(seed: 3)
    let a = rng.normalMatrix(rows: 50, columns: 2)
    let stored = try #require(try TiledKernelSums(tileSize: 16).storedGaussianKernel(a, gamma: 1))
    #expect(throws: NumericsError.self) {
      try TiledKernelSums(tileSize: 16).pairedGaussianRowSums(stored: stored, a.selectingRows(0..<49), gammaB: 1)
    }
    #expect(throws: NumericsError.self) { try TiledKernelSums(tileSize: 32).pairedGaussianRowSums(stored: stored, a, gammaB: 1) }
    var bad = a
    bad[4, 1] = .infinity
    #expect(throws: NumericsError.self) { try TiledKernelSums(tileSize: 16).storedGaussianKernel(bad, gamma: 1) }
  }

  @Test func storesOnlyWhatFits() {
    #expect(StoredGaussianKernel.fits(8192))
    #expect(!StoredGaussianKernel.fits(8193))
    #expect(!StoredGaussianKernel.fits(Int.max / 2))
  }

  /// The budget of all stored kernels alive at once (a bootstrap's resample contexts would
  /// each store one): reservations past the limit are refused until bytes are released.
  @Test func budgetRefusesPastItsLimitUntilReleased() {
    let budget = _ByteBudget()
    #expect(budget.reserve(600, limit: 1000))
    #expect(budget.reserve(400, limit: 1000))
    #expect(!budget.reserve(1, limit: 1000))
    budget.release(400)
    #expect(budget.used == 600)
    #expect(budget.reserve(300, limit: 1000))
    #expect(!budget.reserve(101, limit: 1000))
  }

  /// A stored kernel holds its bytes in the shared budget while it lives.
  @Test func storedKernelCountsAgainstTheBudgetWhileAlive() throws {
    let x = RandomSource(seed: 5).normalMatrix(rows: 200, columns: 2)
    let held = try #require(try TiledKernelSums(tileSize: 64).storedGaussianKernel(x, gamma: 1))
    #expect(StoredGaussianKernel.bytesInUse >= 200 * 200 * 8)
    #expect(held.count == 200)
  }

  /// The CS plane point reads Kˣ from the context's stored kernel and reuses the layer's row
  /// sums for I(T;Y); both coordinates equal the unstored `estimate` calls exactly.
  @Test func csPlanePointEqualsUnstoredEstimates() throws {
    let n = 700
    let rng = RandomSource(seed: 8)
    let classes = (0..<n).map { _ in rng.integer(below: 2) }
    var x = rng.normalMatrix(rows: n, columns: 6)
    for i in 0..<n { x[i, 1] += 1.5 * Double(classes[i]) }
    let xf = x.converted(to: Float.self)
    let layer = x.selectingColumns([1, 2, 3]).converted(to: Float.self)
    let context = try PlaneContext(inputs: xf, labels: .classes(classes, classCount: 2))
    let cs = CauchySchwarzMutualInformation(engine: TiledKernelSums(tileSize: 256, threads: 2))
    let point = try cs.point(layer: layer, context: context)
    let again = try cs.point(layer: layer, context: context)  // second job: kernel from the cache
    let ixt = try cs.estimate(xf, layer)
    var labelled = cs
    labelled.yClasses = true
    let ity = try labelled.estimate(layer, Matrix<Float>(rows: n, columns: 1, elements: classes.map(Float.init)))
    #expect(point.inputInformation.nats == ixt.nats)
    #expect(point.labelInformation.nats == ity.nats)
    #expect(again.inputInformation.nats == ixt.nats && again.labelInformation.nats == ity.nats)
    #expect(point.inputInformation.nats > 0.1 && point.labelInformation.nats > 0.01)
  }
  /// Rényi α = 2 in the plane reads X's kernel at 2γ from the context's stored kernel (one pass
  /// per job for S(T) and S(X,T)); its I(X;T) is the unstored estimate's up to the order of the
  /// final additions (the CLI check on the 12-bit recording found the plane CSV bit-identical
  /// to the two-pass build), and I(T;Y) is unchanged.
  @Test func renyiAlpha2PlanePointEqualsUnstoredEstimates() throws {
    let n = 600
    let rng = RandomSource(seed: 9)
    let classes = (0..<n).map { _ in rng.integer(below: 3) }
    var x = rng.normalMatrix(rows: n, columns: 5)
    for i in 0..<n { x[i, 0] += Double(classes[i]) }
    let xf = x.converted(to: Float.self)
    let layer = x.selectingColumns([0, 3]).converted(to: Float.self)
    let context = try PlaneContext(inputs: xf, labels: .classes(classes, classCount: 3))
    let renyi = MatrixRenyiMutualInformation(alpha: 2, engine: TiledKernelSums(tileSize: 128, threads: 2))
    let point = try renyi.point(layer: layer, context: context)
    let again = try renyi.point(layer: layer, context: context)
    let ixt = try renyi.estimate(xf, layer)
    #expect(again.inputInformation.nats == point.inputInformation.nats)
    #expect(abs(point.inputInformation.nats - ixt.nats) <= 1e-12 * ixt.nats)
    #expect(point.inputInformation.nats > 0.05 && point.labelInformation.nats > 0.05)
  }
}
