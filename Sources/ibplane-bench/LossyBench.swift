import Foundation
import IBPlane

/// Lossy-compressed MI on the 16×16 blob image tasks (256 dimensions per side) against the
/// latent MI, next to plain KSG on the raw 256 + 256 dimensions. Values in nats.
func benchLossyImages() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 10_000
  let raw = ProcessInfo.processInfo.environment["IBPLANE_BENCH_RAW"] != "0"
  print("== lossy-compressed MI on blob-16x16 images, N = \(n) (nats) ==")
  let widths = [22, 7, 12, 12, 12, 12, 14]
  print(row(["task", "true", "pca2+ksg", "pca4+ksg", "pca4+wkl", "raw ksg", "expl.var(4)"], widths: widths))
  for mi in [0.5, 1, 2, 3, 5] {
    let task = try BlobImageTask(mutualInformation: mi)
    let s = try task.sampleImages(count: n, seed: 7)
    let a = try LossyCompressedMI(latent: 2).estimate(s.x, s.y)
    let b = try LossyCompressedMI(latent: 4).estimate(s.x, s.y)
    let c = try LossyCompressedMI(latent: 4, backend: .weightedKL).estimate(s.x, s.y)
    let r = raw && (mi == 1 || mi == 3) ? try KSGEstimator().estimate(s.x, s.y).nats : .nan
    print(row([
      task.name, String(format: "%.3f", mi), String(format: "%.3f", a.nats), String(format: "%.3f", b.nats),
      String(format: "%.3f", c.nats), r.isNaN ? "-" : String(format: "%.3f", r),
      String(format: "%.4f", b.diagnostics["explained_variance_x"] ?? .nan),
    ], widths: widths))
  }
}
