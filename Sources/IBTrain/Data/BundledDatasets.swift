import Foundation
import IBPlane

/// The data sets shipped in `notebooks-data/` (provenance in `notebooks-data/README.md`) and
/// the generated Gaussian mixture, by their command-line names.
public enum BundledDataset: String, Sendable, CaseIterable {
  /// Shwartz-Ziv & Tishby's 12-bit task (`var_u.mat`): 4,096 patterns, 2 classes.
  case ib12
  /// The same inputs with the `g1.mat` label rule.
  case ib12G1 = "ib12-g1"
  /// The same inputs with the `g2.mat` label rule.
  case ib12G2 = "ib12-g2"
  /// MNIST's 10,000 test digits, split 8,000 train / 2,000 test (see `mnist10kSplit`).
  case mnist10k
  /// A seeded Gaussian mixture (see `GaussianMixture`).
  case gaussianMixture = "gaussian-mixture"

  /// The 12-bit data sets' train fraction in file order, as in the IDNNs code (3,277 of 4,096).
  public static let ib12TrainFraction = 0.8

  /// Loads the data set from `directory` (`notebooks-data`). `seed` is used only by the
  /// generated Gaussian mixture.
  public func load(directory: String, seed: UInt64 = 1, mixture: GaussianMixture = GaussianMixture()) throws
    -> ClassificationDataset
  {
    switch self {
    case .ib12, .ib12G1, .ib12G2:
      let file = self == .ib12 ? "ib12-var_u.csv" : "\(rawValue).csv"
      let path = (directory as NSString).appendingPathComponent(file)
      let (x, y, _) = try CSVDataset.load(path: path)
      guard x.columns == 12, x.rows == 4096 else {
        throw DatasetError.invalid(file: path, detail: "expected 4,096 rows of 12 bits, found \(x.rows) rows of \(x.columns)")
      }
      guard y.allSatisfy({ $0 < 2 }) else { throw DatasetError.invalid(file: path, detail: "labels must be 0 or 1") }
      let split = ClassificationDataset.fileOrderSplit(count: x.rows, trainFraction: Self.ib12TrainFraction)
      return try ClassificationDataset(
        name: rawValue, inputs: x, labels: y, classCount: 2, trainIndices: split.train, testIndices: split.test)
    case .mnist10k:
      return try Self.loadMNIST10k(directory: directory)
    case .gaussianMixture:
      return try mixture.sample(seed: seed)
    }
  }

  /// The MNIST-10k split: pattern i (file order of `t10k`) is a test pattern when i mod 5 = 4,
  /// otherwise a training pattern — 8,000 train, 2,000 test. Interleaving keeps both halves of
  /// the t10k file (the first 5,000 digits come from NIST SD-3, the last 5,000 from SD-1, of
  /// different difficulty) in the same proportion in train and test, without a random seed.
  public static func mnist10kSplit(count: Int) -> (train: [Int], test: [Int]) {
    ((0..<count).filter { $0 % 5 != 4 }, (0..<count).filter { $0 % 5 == 4 })
  }

  /// MNIST's test set from `t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz`;
  /// pixels scaled to [0, 1] (byte / 255).
  public static func loadMNIST10k(directory: String) throws -> ClassificationDataset {
    let imagesPath = (directory as NSString).appendingPathComponent("t10k-images-idx3-ubyte.gz")
    let labelsPath = (directory as NSString).appendingPathComponent("t10k-labels-idx1-ubyte.gz")
    let images = try IDXArray.load(path: imagesPath)
    let labels = try IDXArray.load(path: labelsPath)
    guard images.shape.count == 3 else {
      throw DatasetError.invalid(file: imagesPath, detail: "expected 3 dimensions (count, rows, columns), found \(images.shape)")
    }
    guard labels.shape.count == 1, labels.shape[0] == images.shape[0] else {
      throw DatasetError.invalid(file: labelsPath, detail: "expected \(images.shape[0]) labels, found shape \(labels.shape)")
    }
    if let bad = labels.bytes.firstIndex(where: { $0 > 9 }) {
      throw DatasetError.malformed(file: labelsPath, location: "offset \(8 + bad)", expected: "a digit 0–9", found: "\(labels.bytes[bad])")
    }
    let n = images.shape[0]
    let d = images.shape[1] * images.shape[2]
    let x = try Matrix<Float>(rows: n, columns: d, elements: images.bytes.map { Float($0) / 255 })
    let split = mnist10kSplit(count: n)
    return try ClassificationDataset(
      name: "mnist10k", inputs: x, labels: labels.bytes.map(Int.init), classCount: 10,
      trainIndices: split.train, testIndices: split.test)
  }
}

/// A mixture of isotropic Gaussians, one per class, generated from a seed.
///
/// Class means μ_c ~ N(0, separation²·I) in `dimension` dimensions; samples x ~ N(μ_c, I);
/// `samplesPerClass` per class, shuffled, then the first `trainFraction` for training.
/// Everything is drawn from `RandomSource(seed:)`, so a seed fixes the data set.
public struct GaussianMixture: Sendable, Equatable {
  public var classes: Int
  public var dimension: Int
  public var samplesPerClass: Int
  public var separation: Double
  public var trainFraction: Double

  public init(classes: Int = 3, dimension: Int = 10, samplesPerClass: Int = 1000, separation: Double = 2, trainFraction: Double = 0.8) {
    self.classes = classes
    self.dimension = dimension
    self.samplesPerClass = samplesPerClass
    self.separation = separation
    self.trainFraction = trainFraction
  }

  public func sample(seed: UInt64) throws -> ClassificationDataset {
    guard classes >= 2, dimension >= 1, samplesPerClass >= 1, separation >= 0, (0...1).contains(trainFraction) else {
      throw DatasetError.invalid(
        file: "gaussian-mixture", detail: "needs ≥ 2 classes, dimension ≥ 1, ≥ 1 sample per class, separation ≥ 0, train fraction in [0, 1]")
    }
    let (n, o1) = classes.multipliedReportingOverflow(by: samplesPerClass)
    let (values, o2) = n.multipliedReportingOverflow(by: dimension)
    let (meanValues, o3) = classes.multipliedReportingOverflow(by: dimension)
    let limit = TrainingLimits.maximumDatasetValues
    guard classes <= TrainingLimits.maximumClasses, !(o1 || o2 || o3), values <= limit, meanValues <= limit else {
      throw DatasetError.invalid(
        file: "gaussian-mixture",
        detail: "\(classes) classes × \(samplesPerClass) samples × \(dimension) dimensions exceed the limits of \(TrainingLimits.maximumClasses) classes and \(limit) values (2^27: 512 MiB of float32)")
    }
    let random = RandomSource(seed: seed)
    var means = [Double](repeating: 0, count: classes * dimension)
    for i in means.indices { means[i] = random.normal() * separation }
    let order = random.permutation(n)
    var x = Matrix<Float>(rows: n, columns: dimension)
    var labels = [Int](repeating: 0, count: n)
    for (slot, k) in order.enumerated() {
      let c = k % classes
      labels[slot] = c
      for j in 0..<dimension { x.elements[slot * dimension + j] = Float(means[c * dimension + j] + random.normal()) }
    }
    let split = ClassificationDataset.fileOrderSplit(count: n, trainFraction: trainFraction)
    return try ClassificationDataset(
      name: "gaussian-mixture", inputs: x, labels: labels, classCount: classes, trainIndices: split.train,
      testIndices: split.test)
  }
}
