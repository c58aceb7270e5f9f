import Foundation
import Testing
import IBPlane

/// Class ids from files are re-coded, never used as sizes; `PlaneContext` refuses class
/// labels that would make one (a one-hot matrix of 2⁶² columns crashed the Gaussian estimator).
@Suite struct LabelsTests {
  @Test("arbitrary ids become classes 0..<K in increasing id order", arguments: [
    ([0, 1 << 62, 1 << 62, 0], [0, 1 << 62]), ([-1, 1, 1, -1], [-1, 1]), ([0, 1_000_000, 1_000_000, 0], [0, 1_000_000]),
    ([Int.min, Int.max, Int.max, Int.min], [Int.min, Int.max]),
  ])
  func recoding(ids: [Int], classIDs: [Int]) throws {
    let r = try #require(ClassRecoding(ids: ids))
    #expect(r.labels == .classes([0, 1, 1, 0], classCount: 2))
    #expect(r.classIDs == classIDs && !r.isIdentity)
    #expect(ClassRecoding.runMetadataValue(r.classIDs) == classIDs.map(String.init).joined(separator: ","))
  }

  @Test func denseIdsAreUnchanged() throws {
    let r = try #require(ClassRecoding(ids: [2, 0, 1, 2]))
    #expect(r.labels == .classes([2, 0, 1, 2], classCount: 3) && r.isIdentity)
  }

  @Test func classCountLimit() throws {
    let limit = Labels.maximumClassCount
    let atLimit = try #require(ClassRecoding(ids: (0..<limit).map { $0 * 7 }))
    #expect(atLimit.classIDs.count == limit)
    #expect(ClassRecoding(ids: (0...limit).map { -$0 }) == nil)
  }

  @Test("PlaneContext refuses class labels that would become sizes", arguments: [
    Labels.classes([0, 1 << 62], classCount: (1 << 62) + 1), .classes([0, 1], classCount: Labels.maximumClassCount + 1),
    .classes([0, 2], classCount: 2), .classes([-1, 0], classCount: 2), .classes([0, 0], classCount: 0),
  ])
  func contextValidates(labels: Labels) {
    #expect(throws: EstimatorError.self) { try PlaneContext(inputs: nil, labels: labels) }
  }

  @Test func contextAcceptsValidLabels() throws {
    _ = try PlaneContext(inputs: nil, labels: .classes([0, 3], classCount: 4))
    _ = try PlaneContext(inputs: nil, labels: .classes([0], classCount: Labels.maximumClassCount))
  }
}
