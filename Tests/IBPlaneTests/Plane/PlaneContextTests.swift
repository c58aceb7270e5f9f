import Foundation
import Testing
import IBPlane

/// A context refuses labels that would index past its class partition (a trap now that bounds
/// checks stay on) and non-finite inputs or targets (a NaN would reach every estimator).
@Suite struct PlaneContextTests {
  @Test func outOfRangeClassLabelsAreRefused() throws {
    for (labels, k, message) in [
      ([0, 1, 2], 2, "invalid value 2 for labels[2]: expected a class index in 0..<2"),
      ([0, -1, 1], 2, "invalid value -1 for labels[1]: expected a class index in 0..<2"),
      ([0], 0, "invalid value 0 for labels.class_count: expected 1…65536 classes"),
    ] {
      #expect {
        _ = try PlaneContext(inputs: nil, labels: .classes(labels, classCount: k))
      } throws: { e in
        "\(e)".hasPrefix(message)
      }
    }
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .classes([], classCount: -1)) }
    let c = try PlaneContext(inputs: nil, labels: .classes([0, 1, 1], classCount: 3))
    #expect(c.classPartition == [[0], [1, 2], []])
  }

  @Test func nonFiniteInputsAndTargetsAreRefused() throws {
    var x = Matrix<Float>(rows: 4, columns: 2)
    x[2, 1] = .nan
    #expect {
      _ = try PlaneContext(inputs: x, labels: .classes([0, 1, 0, 1], classCount: 2))
    } throws: { e in "\(e)" == "inputs has a non-finite value at row 2, column 1" }
    var y = Matrix<Float>(rows: 4, columns: 1)
    y[3, 0] = -.infinity
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: .targets(y)) }
  }
}
