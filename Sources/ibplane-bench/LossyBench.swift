import Foundation
import IBPlane
import IBTrain

/// Lossy-compressed MI on the blob image tasks against the latent MI, next to plain KSG on the
/// raw 256 + 256 pixels and KSG on the latents themselves (the best any compressor can do with
/// a KSG backend): which part of the error is the compression's and which the estimator's.
func benchLossyImages() throws {
  let n = Int(ProcessInfo.processInfo.environment["IBPLANE_BENCH_N"] ?? "") ?? 10_000
  AutoencoderCompressor.register()
  print("== lossy-compressed MI on blob-16x16 images, N = \(n), seed 7 (nats) ==")
  let widths = [22, 7, 10, 10, 10, 10, 10, 10, 12]
  print(row(["task", "true", "pca2+ksg", "pca4+ksg", "pca8+ksg", "ae4+ksg", "pca4+wkl", "raw ksg", "latent ksg"], widths: widths))
  let tasks = try [0.5, 1, 2, 3, 5].map { try BlobImageTask(mutualInformation: $0) }
    + [(3, 3.0), (4, 2.0), (4, 3.0)].map { try BlobImageTask(mutualInformation: $0.1, latentDimension: $0.0) }
  for task in tasks {
    let mi = task.mutualInformation
    let s = try task.sampleImages(count: n, seed: 7)
    let l = task.latentDimension
    let pca2 = l == 2 ? try LossyCompressedMI(latent: 2).estimate(s.x, s.y).nats : .nan
    let pca4 = try LossyCompressedMI(latent: 4).estimate(s.x, s.y).nats
    let pca8 = try LossyCompressedMI(latent: 8).estimate(s.x, s.y).nats
    let ae = try LossyCompressedMI(compressor: try .named("autoencoder"), latent: Swift.max(l, 4)).estimate(s.x, s.y).nats
    let wkl = l == 2 ? try LossyCompressedMI(latent: 4, backend: .weightedKL).estimate(s.x, s.y).nats : .nan
    let raw = try KSGEstimator().estimate(s.x, s.y).nats
    let latent = try KSGEstimator().estimate(s.latentX, s.latentY).nats
    func f(_ v: Double) -> String { v.isNaN ? "-" : String(format: "%.3f", v) }
    print(row([task.name, f(mi), f(pca2), f(pca4), f(pca8), f(ae), f(pca4 == pca4 ? wkl : .nan), f(raw), f(latent)], widths: widths))
  }
  print("(pcaM: PCA to M dims per side; ae4: the seeded autoencoder compressor to max(L, 4) dims; wkl: weighted KL backend; raw: KSG on the 256 + 256 pixels; latent: KSG on the L + L latents)")
}
