import Foundation
import Testing
@testable import IBPlane
@testable import IBPlaneEstimators

/// Y in `estimate(_:_:)` of the estimators that count Y's symbols (binning, adaptive binning,
/// KDE, adaptive KDE): a continuous Y is refused instead of being N classes, discrete Y in its
/// usual spellings is accepted; `y-classes` of cs and lossy computes the plane's I(T;Y).
@Suite struct DiscreteYTests {
  /// N = 400 rows: a 3-unit layer T that depends on a 4-class label, the label as a column,
  /// the same labels as floats 10, 20, 30, 40 and one-hot rows, and a continuous Y.
  struct Data {
    var t: Matrix<Double>
    var classes: [Int]
    var labelColumn: Matrix<Double>
    var shiftedLabels: Matrix<Double>
    var oneHot: Matrix<Double>
    var continuous: Matrix<Double>
  }

  static func data(n: Int = 400, seed: UInt64 = 5) throws -> Data {
    let rng = RandomSource(seed: seed)
    let classes = (0..<n).map { _ in rng.integer(below: 4) }
    let t = try Matrix<Double>(classes.map { c in (0..<3).map { j in tanh(0.6 * Double(c) - 0.9 + 0.2 * Double(j) + 0.5 * rng.normal()) } })
    let oneHot = try Matrix<Double>(classes.map { c in (0..<4).map { $0 == c ? 1 : 0 } })
    return Data(
      t: t, classes: classes, labelColumn: Matrix(column: classes.map(Double.init)),
      shiftedLabels: Matrix(column: classes.map { Double(10 * ($0 + 1)) }), oneHot: oneHot,
      continuous: Matrix(column: (0..<n).map { t.elements[3 * $0] + 0.3 * rng.normal() }))
  }

  static let classEstimators: [any MutualInformationEstimator] = [
    BinningEstimator(), AdaptiveBinningEstimator(), KDEEstimator(), AdaptiveKDEEstimator(),
  ]

  @Test func continuousYIsRefusedByEveryClassEstimator() throws {
    let d = try Self.data()
    for e in Self.classEstimators {
      #expect("\(e.name)") { _ = try e.estimate(d.t, d.continuous) } throws: { error in
        let text = "\(error)"
        return error is EstimatorError && text.contains("for Y of \(e.name):")
          && text.contains("(400 distinct rows of 400, non-integer values)") && text.contains("at most N/2 = 200 distinct rows")
          && text.contains("use ksg, cs or renyi")
      }
    }
  }

  /// Just above N/2 distinct integer values is refused, N/2 itself accepted: the rule's edge.
  @Test func theLimitIsHalfTheRows() throws {
    let d = try Self.data(n: 40)
    let atLimit = Matrix<Double>(column: (0..<40).map { Double($0 / 2) })  // 20 values, twice each
    let aboveLimit = Matrix<Double>(column: (0..<40).map { Double($0 < 2 ? 0 : $0 - 1) })  // 39 values
    for e in Self.classEstimators {
      #expect(throws: Never.self, "\(e.name)") { _ = try e.estimate(d.t, atLimit) }
      #expect("\(e.name)") { _ = try e.estimate(d.t, aboveLimit) } throws: { "\($0)".contains("(39 distinct rows of 40)") }
    }
  }

  /// Integer labels, the same partition stored as other floats and as one-hot rows give the
  /// same estimate (symbols, not values, matter).
  @Test func discreteYInItsUsualSpellingsIsAccepted() throws {
    let d = try Self.data()
    for e in Self.classEstimators {
      let reference = try e.estimate(d.t, d.labelColumn).nats
      #expect(reference > 0.05, "\(e.name): \(reference)")
      for y in [d.shiftedLabels, d.oneHot] {
        #expect(abs(try e.estimate(d.t, y).nats - reference) < 1e-12, "\(e.name)")
      }
      let asFloat = try e.estimate(d.t.converted(to: Float.self), d.labelColumn.converted(to: Float.self)).nats
      #expect(asFloat.isFinite, "\(e.name)")
    }
  }

  /// Binning with second=binned still takes a continuous Y (it is binned like X).
  @Test func binnedSecondVariableTakesAContinuousY() throws {
    let d = try Self.data()
    let e = try BinningEstimator(convention: .floor(binSize: 0.5), second: .binned).estimate(d.t, d.continuous)
    #expect(e.nats > 0)
    let a = try AdaptiveBinningEstimator(bins: 8, second: .binned).estimate(d.t, d.continuous)
    #expect(a.nats > 0)
  }

  /// `y-classes`: cs and lossy equal the plane form's I(T;Y) on the same layer and labels, bit for bit.
  @Test func yClassesEqualsThePlanesLabelInformation() throws {
    let d = try Self.data()
    let layer = d.t.converted(to: Float.self)
    let inputs = try Matrix<Float>((0..<layer.rows).map { i in [Float(i % 7), Float(i % 11)] })
    let context = try PlaneContext(inputs: inputs, labels: .classes(d.classes, classCount: 4))
    var cs = CauchySchwarzMutualInformation()
    let csPlane = try cs.point(layer: layer, context: context).labelInformation.nats
    cs.yClasses = true
    #expect(try cs.estimate(layer, d.labelColumn.converted(to: Float.self)).nats == csPlane)
    #expect(try cs.estimate(layer, d.shiftedLabels.converted(to: Float.self)).nats == csPlane)
    var normalised = CauchySchwarzMutualInformation(normalised: true)
    let normalisedPlane = try normalised.point(layer: layer, context: context).labelInformation.nats
    normalised.yClasses = true
    #expect(try normalised.estimate(layer, d.labelColumn.converted(to: Float.self)).nats == normalisedPlane)
    // Lossy: a 3-unit layer compressed to 2 by PCA, with noise on T, both forms.
    var lossy = LossyCompressedMI(latent: 2, noise: .additiveGaussian(0.01), seed: 9)
    let lossyPlane = try lossy.point(layer: layer, context: context).labelInformation.nats
    lossy.yClasses = true
    let lossyEstimate = try lossy.estimate(layer, d.labelColumn.converted(to: Float.self)).nats
    #expect(lossyEstimate == lossyPlane)
    #expect(lossyPlane > 0.1, "\(lossyPlane)")
    // Without y-classes the label column is a continuous variable to both: a different number.
    lossy.yClasses = false
    #expect(try lossy.estimate(layer, d.labelColumn.converted(to: Float.self)).nats != lossyPlane)
  }

  @Test func yClassesRefusesWhatIsNotOneColumnOfIntegerLabels() throws {
    let d = try Self.data()
    var cs = CauchySchwarzMutualInformation()
    cs.yClasses = true
    var lossy = LossyCompressedMI()
    lossy.yClasses = true
    for e in [cs, lossy] as [any MutualInformationEstimator] {
      let cases: [(Matrix<Double>, String)] = [
        (d.continuous, "(row 0, not an integer)"), (d.oneHot, "(4 columns)"),
        (Matrix(column: (0..<400).map(Double.init)), "(400 distinct rows of 400)"),
      ]
      for (y, message) in cases {
        #expect("\(e.name) \(message)") { _ = try e.estimate(d.t, y) } throws: { error in
          error is EstimatorError && "\(error)".contains("for Y of \(e.name) with y-classes:") && "\(error)".contains(message)
            && "\(error)".contains("leave y-classes off")
        }
      }
    }
  }
}
