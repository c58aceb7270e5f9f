import Foundation
import Testing
import IBPlane
import IBPlaneTestSupport

/// Both kernel estimators against the independent numpy full-matrix reference
/// (`bench/kernel_estimators.py`) at N = 2,000. Skipped, with the reason, only when python3
/// or numpy is missing (and never under IBPLANE_REQUIRE_ORACLES=1).
@Suite struct KernelNumPyReferenceTests {
  @Test(.requires(.numpy)) func agreesWithNumPyFullMatricesAtN2000() throws {
    let n = 2000
    let (a, b0) = KernelReference.correlatedPair(n: n, d: 3, rho: 0.6, seed: 2000)
    let b = b0.selectingColumns([0, 2])
    let dir = try TemporaryDirectory("kernel-ref")
    defer { dir.remove() }
    let fa = dir.file("a.npy"), fb = dir.file("b.npy")
    try NumPyFile.write(NumPyArray(a), to: fa)
    try NumPyFile.write(NumPyArray(b), to: fb)
    let (sa, sb, alpha) = (1.3, 0.9, 1.01)

    let ref: [String: Double] = try Oracles.json(
      file: Repository.file("bench/kernel_estimators.py"), arguments: [fa.path, fb.path, "\(sa)", "\(sb)", "\(alpha)"])

    let engine = TiledKernelSums(tileSize: 384, threads: 2)
    let cs = try CauchySchwarzMutualInformation(widthA: .fixed(sa), widthB: .fixed(sb), engine: engine).estimate(a, b)
    let renyi = try MatrixRenyiMutualInformation(alpha: alpha, widthA: .fixed(sa), widthB: .fixed(sb), engine: engine).estimate(a, b)
    let renyi2 = try MatrixRenyiMutualInformation(alpha: 2, widthA: .fixed(sa), widthB: .fixed(sb), engine: engine).estimate(a, b)
    #expect(KernelReference.relativeError(cs.nats, try #require(ref["cs"])) < 1e-9)
    #expect(KernelReference.relativeError(renyi.nats, try #require(ref["renyi"])) < 1e-9)
    #expect(KernelReference.relativeError(renyi.diagnostics["joint_entropy"]!, try #require(ref["joint_entropy"])) < 1e-9)
    #expect(KernelReference.relativeError(renyi2.nats, try #require(ref["renyi2"])) < 1e-9)
  }
}
