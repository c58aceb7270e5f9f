import Foundation
import Testing

import IBPlane
import IBPlaneTestSupport

/// Our binning and KDE estimators against the independent numpy reference in
/// `bench/binning_kde_reference.py` (written from the papers' definitions; its `idnns-faithful`
/// follows the IDNNs per-epoch algorithm) on recorded-like tanh and ReLU layers, N = 4,096.
/// Every value must agree to 1e-9 nats: the bin assignments must be identical, and the KDE
/// sums differ only by double rounding (~1e-13).
@Suite struct BinningReferenceTests {
  /// A tanh layer (width 5) whose units saturate unevenly, with values planted exactly on IDNNs
  /// edges, at ±1 and beyond ±1; and a ReLU layer (width 4) with many exact zeros.
  static func layers() -> [(String, Matrix<Float>)] {
    let n = 4096
    let rng = RandomSource(seed: 2024)
    var tanhLayer = Matrix<Float>(rows: n, columns: 5)
    var reluLayer = Matrix<Float>(rows: n, columns: 4)
    for i in 0..<n {
      for j in 0..<5 { tanhLayer[i, j] = Float(tanh(Double(j + 1) * 0.8 * rng.normal())) }
      for j in 0..<4 { reluLayer[i, j] = Float(Swift.max(0, 1.5 * rng.normal() + 0.3 * Double(j) - 0.4)) }
    }
    let edges = BinningConvention.idnnsEdges(bins: 30)
    let planted: [Float] = [1, -1, 1.5, -1.5, 1.0000001, -1.0000001] + edges.map { Float($0) }
    for (k, v) in planted.enumerated() { tanhLayer[(k * 97) % n, k % 5] = v }
    return [("tanh", tanhLayer), ("relu", reluLayer)]
  }

  /// (key, numpy spec, our estimator)
  // nonisolated(unsafe): an immutable test table, only read.
  nonisolated(unsafe) static let cases: [(String, [String: Any], any InformationPlaneEstimator)] = [
    ("idnns", ["name": "idnns", "bins": 30], BinningEstimator(convention: .idnns(bins: 30))),
    ("idnns-faithful", ["name": "idnns-faithful", "bins": 30], BinningEstimator(convention: .idnns(bins: 30))),
    ("idnns-mm", ["name": "idnns", "bins": 30, "correction": "miller-madow"],
     BinningEstimator(convention: .idnns(bins: 30), correction: .millerMadow)),
    ("floor", ["name": "floor", "binsize": 0.07], BinningEstimator(convention: .floor(binSize: 0.07))),
    ("range", ["name": "range", "bins": 30], BinningEstimator(convention: .range(bins: 30))),
    ("adaptive-layer", ["name": "adaptive", "bins": 30, "mode": "per-layer"], AdaptiveBinningEstimator()),
    ("adaptive-unit", ["name": "adaptive", "bins": 10, "mode": "per-unit"], AdaptiveBinningEstimator(bins: 10, mode: .perUnit)),
    ("adaptive-lower", ["name": "adaptive", "bins": 30, "mode": "per-layer", "lower": 0.0],
     AdaptiveBinningEstimator(lowerEdge: 0)),
    ("kde-upper", ["name": "kde", "sigma2": 0.1, "bound": "upper"], KDEEstimator()),
    ("kde-lower", ["name": "kde", "sigma2": 0.1, "bound": "lower"], KDEEstimator(bound: .lower)),
    ("adaptive-kde", ["name": "adaptive-kde", "sigma2": 0.1], AdaptiveKDEEstimator()),
  ]

  @Test(.requires(.numpy))
  func valuesEqualTheNumpyReference() throws {
    let scratch = try TemporaryDirectory("binref")
    defer { scratch.remove() }
    let dir = scratch.url
    let n = 4096
    let classes = (0..<n).map { ($0 * 7919 + $0 / 3) % 2 }
    try NumPyFile.write(NumPyArray(int64: classes), to: dir.appendingPathComponent("labels.npy"))
    let specs = Self.cases.map { c -> [String: Any] in var s = c.1; s["key"] = c.0; return s }
    try JSONSerialization.data(withJSONObject: specs).write(to: dir.appendingPathComponent("spec.json"))
    let context = try PlaneContext(inputs: nil, labels: .classes(classes, classCount: 2))
    for (layerName, layer) in Self.layers() {
      let layerURL = dir.appendingPathComponent("\(layerName).npy")
      try NumPyFile.write(NumPyArray(layer), to: layerURL)
      let reference: [String: [Double]] = try Oracles.json(
        file: Repository.file("bench/binning_kde_reference.py"),
        arguments: [layerURL.path, dir.appendingPathComponent("labels.npy").path, dir.appendingPathComponent("spec.json").path])
      for (key, _, estimator) in Self.cases {
        let ours = try estimator.point(layer: layer, context: context)
        let theirs = try #require(reference[key])
        #expect(abs(ours.inputInformation.nats - theirs[0]) < 1e-9, "\(layerName) \(key) I(X;T): \(ours.inputInformation.nats) vs numpy \(theirs[0])")
        #expect(abs(ours.labelInformation.nats - theirs[1]) < 1e-9, "\(layerName) \(key) I(T;Y): \(ours.labelInformation.nats) vs numpy \(theirs[1])")
      }
    }
  }
}
