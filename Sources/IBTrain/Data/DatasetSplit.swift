import IBPlane

/// How `ibplane train` divides a data set's patterns into train and test (`--split`).
public enum DatasetSplit: String, Sendable, CaseIterable {
  /// The data set's own split: on the 12-bit sets the IDNNs convention, the first 80 % of the
  /// patterns in file order (which leaves a test set that is 84 % class 1), on mnist10k every
  /// fifth digit, on gaussian-mixture the first 80 % of the shuffled samples.
  case idnns
  /// A seeded random 80/20 split, stratified by class (see `ClassificationDataset.shuffledSplit`).
  case shuffled

  /// The train fraction of `shuffled`, the same 80 % as the IDNNs convention.
  public static let shuffledTrainFraction = 0.8
}

extension ClassificationDataset {
  /// A seeded, class-stratified random split: within each class (in class order) the patterns
  /// are shuffled (Fisher–Yates on `RandomSource(seed:)`) and the first round(n_c · fraction)
  /// train, so each class keeps its share in both halves. Both lists come back in increasing
  /// order; the trainer shuffles the batches itself. Same seed → same split.
  public static func shuffledSplit(labels: [Int], classCount: Int, trainFraction: Double, seed: UInt64)
    -> (train: [Int], test: [Int])
  {
    let random = RandomSource(seed: seed)
    var byClass = [[Int]](repeating: [], count: max(classCount, 0))
    for (i, y) in labels.enumerated() where byClass.indices.contains(y) { byClass[y].append(i) }
    var train: [Int] = []
    var test: [Int] = []
    for var members in byClass {
      if members.count > 1 {
        for i in stride(from: members.count - 1, to: 0, by: -1) { members.swapAt(i, random.integer(below: i + 1)) }
      }
      let k = Swift.min(members.count, Swift.max(0, Int((Double(members.count) * trainFraction).rounded(.toNearestOrEven))))
      train += members[..<k]
      test += members[k...]
    }
    return (train.sorted(), test.sorted())
  }

  /// This data set with `split` applied (`.idnns` leaves it as loaded).
  public func applying(_ split: DatasetSplit, seed: UInt64) -> ClassificationDataset {
    guard split == .shuffled else { return self }
    var copy = self
    (copy.trainIndices, copy.testIndices) = Self.shuffledSplit(
      labels: labels, classCount: classCount, trainFraction: DatasetSplit.shuffledTrainFraction, seed: seed)
    return copy
  }

  /// The split as recorded in `activations.bin`: train and test indices, every other pattern unused.
  public func sampleSplit() throws -> SampleSplit {
    try SampleSplit(count: count, train: trainIndices, test: testIndices)
  }
}
