import IBPlane
import Testing

@testable import IBTrain

@Suite("Dataset split")
struct DatasetSplitTests {
  @Test("shuffled: same seed same split, another seed another, stratified 80/20, disjoint and complete")
  func shuffledIsSeededAndStratified() throws {
    let data = try BundledDataset.ib12.load(directory: notebooksData)
    let a = data.applying(.shuffled, seed: 5)
    let b = data.applying(.shuffled, seed: 5)
    let c = data.applying(.shuffled, seed: 6)
    #expect(a.trainIndices == b.trainIndices && a.testIndices == b.testIndices)
    #expect(a.testIndices != c.testIndices)
    #expect(Set(a.trainIndices).isDisjoint(with: a.testIndices))
    #expect((a.trainIndices + a.testIndices).sorted() == Array(0..<data.count))
    let share = Double(a.trainIndices.count) / Double(data.count)
    #expect(abs(share - 0.8) < 0.001)
    // Each class keeps its share in the test set (the IDNNs file-order split does not).
    let ones = { (rows: [Int]) in Double(rows.filter { data.labels[$0] == 1 }.count) / Double(rows.count) }
    let overall = ones(Array(0..<data.count))
    #expect(abs(ones(a.testIndices) - overall) < 0.01)
    #expect(abs(ones(data.testIndices) - overall) > 0.1)
    // idnns leaves the data set as loaded.
    #expect(data.applying(.idnns, seed: 5).trainIndices == data.trainIndices)
    let recorded = try a.sampleSplit()
    #expect(recorded.indices(of: .test) == a.testIndices && recorded.count(of: .unused) == 0)
  }

  @Test("The test metrics are computed on the split's test rows")
  func testMetricsUseTheSplit() throws {
    let data = try BundledDataset.ib12.load(directory: notebooksData).applying(.shuffled, seed: 3)
    var config = TrainingConfiguration()
    config.epochs = 2
    config.schedule = .none
    let trainer = try Trainer<Float>(configuration: config, dataset: data)
    let summary = try trainer.train { _ in }
    let (layers, metrics) = try trainer.evaluate()
    let output = try #require(layers.last)
    func accuracy(_ rows: [Int]) -> Double {
      let correct = rows.filter { i in (output[i, 1] > output[i, 0] ? 1 : 0) == data.labels[i] }.count
      return Double(correct) / Double(rows.count)
    }
    #expect(metrics["test_accuracy"] == accuracy(data.testIndices))
    #expect(summary.finalMetrics["test_accuracy"] == accuracy(data.testIndices))
    #expect(metrics["train_accuracy"] == accuracy(data.trainIndices))
  }
}
