import Foundation
import IBPlane
import IBPlaneTestSupport
@testable import IBTrain

/// The repository's `notebooks-data/`.
let notebooksData = Repository.notebooksData.path

func randomMatrix(_ rows: Int, _ columns: Int, _ random: RandomSource, scale: Double = 1) -> Matrix<Double> {
  var m = Matrix<Double>(rows: rows, columns: columns)
  for i in m.elements.indices { m.elements[i] = random.normal() * scale }
  return m
}
