import Foundation
import IBPlane
@testable import IBTrain

/// The repository's `notebooks-data/`, found from this file's path.
let notebooksData: String = {
  var url = URL(fileURLWithPath: #filePath)
  for _ in 0..<3 { url.deleteLastPathComponent() }
  return url.appendingPathComponent("notebooks-data").path
}()

/// A scratch directory removed by the caller.
func temporaryDirectory() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("ibtrain-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

func randomMatrix(_ rows: Int, _ columns: Int, _ random: RandomSource, scale: Double = 1) -> Matrix<Double> {
  var m = Matrix<Double>(rows: rows, columns: columns)
  for i in m.elements.indices { m.elements[i] = random.normal() * scale }
  return m
}
