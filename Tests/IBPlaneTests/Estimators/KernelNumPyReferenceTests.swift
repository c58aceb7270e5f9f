import Foundation
import Testing
import IBPlane

/// Both kernel estimators against the independent numpy full-matrix reference
/// (`bench/kernel_estimators.py`) at N = 2,000. Skipped, with a message, only when python3
/// or numpy is missing.
@Suite struct KernelNumPyReferenceTests {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static var numpyAvailable: Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import numpy"]
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }

  @Test func agreesWithNumPyFullMatricesAtN2000() throws {
    guard Self.numpyAvailable else {
      print("skipped KernelNumPyReferenceTests: python3 with numpy is not installed (run `make pydeps`)")
      return
    }
    let n = 2000
    let (a, b0) = KernelReference.correlatedPair(n: n, d: 3, rho: 0.6, seed: 2000)
    let b = b0.selectingColumns([0, 2])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ibplane-kernel-ref-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let fa = dir.appendingPathComponent("a.npy"), fb = dir.appendingPathComponent("b.npy")
    try NumPyFile.write(NumPyArray(a), to: fa)
    try NumPyFile.write(NumPyArray(b), to: fb)
    let (sa, sb, alpha) = (1.3, 0.9, 1.01)

    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", Self.packageRoot.appendingPathComponent("bench/kernel_estimators.py").path,
                   fa.path, fb.path, "\(sa)", "\(sb)", "\(alpha)"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    let ref = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Double])

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
