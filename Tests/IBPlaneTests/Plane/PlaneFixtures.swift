import Foundation
import IBPlane
import IBPlaneTestSupport

/// A small, seeded recording: X ~ N(0, I₃), Y = [x₀ + x₁ > 0], two tanh layers whose
/// weights grow with the epoch, five snapshots with loss and accuracy metrics.
enum PlaneFixtures {
  static func source(samples n: Int = 300, snapshots: Int = 5, seed: UInt64 = 7) throws -> InMemorySnapshotSource {
    let random = RandomSource(seed: seed)
    let x = random.normalMatrix(rows: n, columns: 3).converted(to: Float.self)
    let y = (0..<n).map { x[$0, 0] + x[$0, 1] > 0 ? 1 : 0 }
    var source = try InMemorySnapshotSource(
      name: "fixture", inputs: x, labels: .classes(y, classCount: 2),
      layers: [LayerSpec(name: "h1", width: 4), LayerSpec(name: "h2", width: 2)],
      run: ["activation": "tanh", "seed": "\(seed)"])
    let w1 = random.normalMatrix(rows: 3, columns: 4).converted(to: Float.self)
    let w2 = random.normalMatrix(rows: 4, columns: 2).converted(to: Float.self)
    for s in 0..<snapshots {
      let epoch = [0, 1, 10, 100, 1000, 3000, 8000][s % 7] + 10_000 * (s / 7)
      let scale = Float(0.3 + 0.4 * Double(s))
      var h1 = try x.multiplied(by: w1)
      h1.elements = h1.elements.map { tanhf(scale * $0) }
      var h2 = try h1.multiplied(by: w2)
      h2.elements = h2.elements.map { tanhf(scale * $0) }
      try source.append(
        SnapshotInfo(epoch: epoch, step: 10 * s, metrics: ["loss": 1 / Double(s + 1), "test_accuracy": 0.5 + 0.08 * Double(s)]),
        layers: [h1, h2])
    }
    return source
  }

  /// A fresh scratch directory (removed when the test process exits).
  static func temporaryDirectory(_ name: String = #function) -> URL {
    Scratch.directoryOrIssue("plane")
  }

  /// Rows without the wall-time column, for comparing runs.
  static func timeless(_ rows: [PlaneRow]) -> [PlaneRow] {
    rows.map { var r = $0; r.seconds = 0; return r }
  }
}
