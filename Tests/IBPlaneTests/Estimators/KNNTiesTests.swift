import Foundation
import Testing
import IBPlane
@testable import IBPlaneEstimators

/// Exact ties in KSG 1/2 and Ross's discrete–continuous form (Gao, Kannan, Oh & Viswanath 2017).
///
/// On purely discrete data every sample is tied (each joint cell holds more than k rows), and the
/// estimator is, exactly, (1/N) Σ_i [ψ(c_xy(i) − 1) + ψ(N) − ψ(c_x(i)) − ψ(c_y(i))] with c the
/// cell counts including i — `countFormula`, computed here from the counts alone, independent of
/// the neighbour search. That formula is the plug-in MI up to O(cells/N): ψ(c − 1) ≈ log(c − 3/2)
/// and ψ(c) ≈ log(c − 1/2), a bias of about −(3/2)·cells/N + ½(|X| + |Y|)/N nats.
@Suite struct KNNTiesTests {
  /// (1/N) Σ_i ψ(c_xy − 1) + ψ(N) − ψ(c_x) − ψ(c_y) from the discrete symbols alone.
  static func countFormula(_ a: [Int], _ b: [Int]) throws -> Double {
    var cx: [Int: Int] = [:]
    var cy: [Int: Int] = [:]
    var cxy: [Int: Int] = [:]
    for i in a.indices {
      cx[a[i], default: 0] += 1
      cy[b[i], default: 0] += 1
      cxy[a[i] * 1_000_003 + b[i], default: 0] += 1
    }
    var s = 0.0
    for i in a.indices {
      s += try SpecialFunctions.digamma(cxy[a[i] * 1_000_003 + b[i]]! - 1) - SpecialFunctions.digamma(cx[a[i]]!) - SpecialFunctions.digamma(cy[b[i]]!)
    }
    return try SpecialFunctions.digamma(a.count) + s / Double(a.count)
  }

  /// Plug-in MI Σ p(x,y) log p(x,y)/(p(x)p(y)) in nats.
  static func plugIn(_ a: [Int], _ b: [Int]) -> Double {
    var cx: [Int: Double] = [:]
    var cy: [Int: Double] = [:]
    var cxy: [[Int]: Double] = [:]
    for i in a.indices { cx[a[i], default: 0] += 1; cy[b[i], default: 0] += 1; cxy[[a[i], b[i]], default: 0] += 1 }
    let n = Double(a.count)
    return cxy.reduce(0) { s, e in s + e.value / n * _math_log(e.value * n / (cx[e.key[0]]! * cy[e.key[1]]!)) }
  }

  /// Symbol s as a row of `width` bits (a discrete layer of 0/1 units).
  static func bits(_ symbols: [Int], width: Int) -> Matrix<Double> {
    var m = Matrix<Double>(rows: symbols.count, columns: width)
    for (i, s) in symbols.enumerated() { for j in 0..<width { m[i, j] = Double((s >> j) & 1) } }
    return m
  }

  /// T = Y exactly, Y balanced binary, N = 2,000: I = log 2. Every sample is tied with
  /// k̃ = N/2 − 1, n = N/2 − 1, so KSG 1 and Ross give ψ(N/2 − 1) + ψ(N) − 2ψ(N/2)
  /// = log 2 − 0.0010 exactly (the strict rule gave ψ(3) + ψ(N) − ψ(N/2) − ψ(1) ≈ 2.19 nats for
  /// Ross); KSG 2 refuses.
  @Test func discreteIdentityGivesLog2() throws {
    let n = 2000
    let y = (0..<n).map { $0 % 2 }
    let t = Self.bits(y, width: 1)
    let exact = try SpecialFunctions.digamma(n / 2 - 1) + SpecialFunctions.digamma(n) - 2 * SpecialFunctions.digamma(n / 2)
    #expect(abs(exact - _math_log(2)) < 0.002)
    var values: [Estimate] = []
    for metric in NearestNeighbors.Metric.allCases {
      values.append(try KSGEstimator(metric: metric).estimate(t, t))
      #expect(throws: EstimatorError.self) { try KSGEstimator(variant: .two, metric: metric).estimate(t, t) }
    }
    for metric in NearestNeighbors.Metric.allCases {
      values.append(try DiscreteContinuousMI(metric: metric).estimate(t, labels: y))
    }
    for e in values {
      #expect(abs(e.nats - exact) < 1e-12, "\(e.parameters): \(e.nats) vs \(exact)")
      #expect(e.diagnostics["tied_samples"] == Double(n))
      #expect(e.parameters["ties"] == "gao2017")
    }
  }

  /// Binary symmetric channel, p = 0.1, X balanced, N = 5,000: I = log 2 − h(0.1) = 0.3681 nats.
  /// The plug-in estimate's standard deviation is sd(log-likelihood ratio)/√N = 0.451/70.7 =
  /// 0.0064 nats; tolerance 0.025 (≈ 4 sd plus the O(cells/N) ≈ 1e-3 bias). The estimator must
  /// equal the count formula to rounding, whatever the variant, metric or search algorithm, and
  /// a constant extra column (a dead unit) in T changes nothing.
  @Test func binarySymmetricChannel() throws {
    let n = 5000
    let p = 0.1
    let rng = RandomSource(seed: 41)
    let x = (0..<n).map { _ in rng.bernoulli(0.5) }
    let t = x.map { $0 ^ rng.bernoulli(p) }
    let truth = _math_log(2) + p * _math_log(p) + (1 - p) * _math_log(1 - p)
    let formula = try Self.countFormula(x, t)
    var tm = Self.bits(t, width: 2)  // column 1 is always 0: a dead unit
    for i in 0..<n { tm[i, 1] = 0.5 }
    let xm = Self.bits(x, width: 1)
    for metric in NearestNeighbors.Metric.allCases {
      for algorithm in [NearestNeighbors.Algorithm.kdTree, .bruteForce, .boxBitsets] {
        let e = try KSGEstimator(metric: metric, algorithm: algorithm).estimate(xm, tm)
        #expect(abs(e.nats - formula) < 1e-12, "\(metric) \(algorithm): \(e.nats) vs \(formula)")
        #expect(abs(e.nats - truth) < 0.025, "\(e.nats) vs truth \(truth)")
        #expect(e.diagnostics["tied_samples"] == Double(n))
      }
    }
    let ross = try DiscreteContinuousMI().estimate(tm, labels: x)
    #expect(abs(ross.nats - formula) < 1e-12)
    #expect(abs(formula - Self.plugIn(x, t)) < 0.002)
  }

  /// X uniform on 4 symbols (2 bit columns), T uniform on 3 symbols (2 bit columns), independent,
  /// N = 6,000: I = 0. Under independence 2N·Î_plug-in ~ χ²₆ (mean 5e-4, sd 3e-4 nats); the
  /// ψ form adds ≈ −(3/2)·12/N + ½·7/N = −2.4e-3. Tolerance 0.006 nats.
  @Test func independentDiscreteGivesNearZero() throws {
    let n = 6000
    let rng = RandomSource(seed: 42)
    let x = (0..<n).map { _ in rng.integer(below: 4) }
    let t = (0..<n).map { _ in rng.integer(below: 3) }
    let formula = try Self.countFormula(x, t)
    let e = try KSGEstimator().estimate(Self.bits(x, width: 2), Self.bits(t, width: 2))
    #expect(abs(e.nats - formula) < 1e-12)
    #expect(abs(e.nats) < 0.006, "\(e.nats)")
    let ross = try DiscreteContinuousMI().estimate(Self.bits(t, width: 2), labels: x)
    #expect(abs(ross.nats - formula) < 1e-12)
    #expect(abs(ross.nats) < 0.006)
  }

  /// Samples with ρ_i > 0 keep the continuous rule while tied ones switch: a cell with exactly
  /// k = 3 duplicates is tied (ρ = 0), one with 3 copies (2 duplicates) is not.
  @Test func tieThresholdIsKDuplicates() throws {
    var rows: [[Double]] = []
    for _ in 0..<4 { rows.append([0, 0]) }  // 4 copies: 3 duplicates each → tied at k = 3
    for _ in 0..<3 { rows.append([5, 5]) }  // 3 copies: 2 duplicates → ρ > 0, not tied
    for i in 0..<13 { rows.append([Double(i) * 0.37 + 10, Double(i * i % 7)]) }
    let m = try Matrix<Double>(rows)
    let x = m.selectingColumns([0])
    let y = m.selectingColumns([1])
    let e = try KSGEstimator(preprocessing: .none).estimate(x, y)
    #expect(e.diagnostics["tied_samples"] == 4)
    let e1 = try KSGEstimator(k: 1, preprocessing: .none).estimate(x, y)
    #expect(e1.diagnostics["tied_samples"] == 7)
  }

  /// A discrete–continuous mixture: Y balanced binary; with probability ½, T = Y exactly (an
  /// atom), otherwise T = (2Y − 1) + N(0, 1). Then
  ///   I(T;Y) = ½ log 2 + ½ I_c,  I_c = h(f) − ½ log(2πe),  f = ½(φ(t − 1) + φ(t + 1)),
  /// (the atoms carry log p(t,y)/(p(t)p(y)) = log(¼ / (¼·½)) = log 2; the continuous half the
  /// Gaussian-mixture MI). h(f) by Simpson's rule on [−14, 14] with 28,000 panels (error < 1e-10):
  /// I = 0.51500 nats. N = 5,000, k = 3: the atom half is the plug-in (sd ≈ 0), the continuous
  /// half has KSG's sd ≈ 0.01 nats at this N, so tolerance 0.04 nats. KSG 2 refuses (Y's
  /// marginal is discrete: ε_y = 0 for every sample); without the refusal it gave 0.332.
  @Test func mixtureOfAtomsAndGaussian() throws {
    func phi(_ t: Double) -> Double { _math_exp(-t * t / 2) / (2 * Double.pi).squareRoot() }
    let panels = 28_000
    let (lo, hi) = (-14.0, 14.0)
    let h = (hi - lo) / Double(panels)
    var integral = 0.0
    for j in 0...panels {
      let t = lo + Double(j) * h
      let f = 0.5 * (phi(t - 1) + phi(t + 1))
      let w: Double = (j == 0 || j == panels) ? 1 : (j % 2 == 1 ? 4 : 2)
      integral += w * (f > 0 ? -f * _math_log(f) : 0)
    }
    let ic = integral * h / 3 - 0.5 * _math_log(2 * Double.pi * _math_exp(1))
    #expect(abs(ic - 0.33683) < 1e-4)  // the value of DiscreteContinuousMITests (scipy quadrature)
    let truth = 0.5 * _math_log(2) + 0.5 * ic

    let n = 5000
    let rng = RandomSource(seed: 43)
    var labels = [Int](repeating: 0, count: n)
    var t = Matrix<Double>(rows: n, columns: 1)
    var atoms = 0
    for i in 0..<n {
      labels[i] = rng.bernoulli(0.5)
      if rng.bernoulli(0.5) == 1 {
        t[i, 0] = Double(labels[i])
        atoms += 1
      } else {
        t[i, 0] = Double(2 * labels[i] - 1) + rng.normal()
      }
    }
    let y = Self.bits(labels, width: 1)
    let estimates = [
      ("ross", try DiscreteContinuousMI().estimate(t, labels: labels)),
      ("ksg1", try KSGEstimator().estimate(t, y)),
    ]
    #expect(throws: EstimatorError.self) { try KSGEstimator(variant: .two).estimate(t, y) }
    for (name, e) in estimates {
      print("mixture \(name): \(e.nats) nats (truth \(truth)), tied \(e.diagnostics["tied_samples"] ?? -1) of \(n), atoms \(atoms)")
      #expect(abs(e.nats - truth) < 0.04, "\(name): \(e.nats) vs \(truth)")
      #expect(e.diagnostics["tied_samples"] == Double(atoms))
    }
  }

  /// The `lossy` plane estimator on 12-bit inputs (all 4,096 vectors) with layers that are
  /// functions of s = number of ones, Y = [s ≥ 6]: saturated tanh units take exactly ±1, so rows
  /// repeat heavily. Y is a function of every layer, so I(T;Y) = H(Y); the estimate (the plug-in
  /// count formula on these atoms) must not exceed Ĥ(Y) by more than 0.005 nats (O(cells/N)).
  /// Widths 2 and 3 are used as is; width 7 goes through PCA to 4 (GEMM), whose output must keep
  /// equal rows equal. A sample is tied when its row has ≥ k = 3 same-class duplicates: all but
  /// s = 0 and s = 12 (one row each) for the soft layer, all for the saturated ones. Before the
  /// tie rule the width-2 layer gave ≈ 2.2 nats.
  @Test func lossyPlaneOnDuplicatedLayerStaysBelowHY() throws {
    let n = 4096
    var inputs = Matrix<Float>(rows: n, columns: 12)
    var s = [Int](repeating: 0, count: n)
    for i in 0..<n {
      for j in 0..<12 { inputs[i, j] = Float((i >> j) & 1); s[i] += (i >> j) & 1 }
    }
    let labels = s.map { $0 >= 6 ? 1 : 0 }
    let p1 = Double(labels.reduce(0, +)) / Double(n)
    let hy = -(p1 * _math_log(p1) + (1 - p1) * _math_log(1 - p1))
    let context = try PlaneContext(inputs: inputs, labels: .classes(labels, classCount: 2))
    func layer(_ centres: [Float], gain: Float) -> Matrix<Float> {
      var m = Matrix<Float>(rows: n, columns: centres.count)
      for i in 0..<n { for (j, c) in centres.enumerated() { m[i, j] = tanhf(gain * (Float(s[i]) - c)) } }
      return m
    }
    let layers = [
      ("output", layer([5.5, -5.5], gain: 40)),
      ("soft3", layer([5.5, 3, 8], gain: 0.7)),
      ("wide7", layer([2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5], gain: 40)),
    ]
    let expectedTied = ["output": n, "soft3": n - 2, "wide7": n]
    for (name, t) in layers {
      let point = try LossyCompressedMI().point(layer: t, context: context)
      let ity = point.labelInformation
      print("lossy \(name): I(T;Y) = \(ity.nats) nats (H(Y) = \(hy)), I(X;T) = \(point.inputInformation.nats) nats, tied \(ity.diagnostics["tied_samples"] ?? -1)")
      #expect(ity.nats <= hy + 0.005, "\(name): \(ity.nats) > H(Y) = \(hy)")
      #expect(ity.nats >= hy - 0.01, "\(name): \(ity.nats) vs H(Y) = \(hy)")
      #expect(ity.diagnostics["tied_samples"] == Double(expectedTied[name]!), "\(name)")
    }
  }

  /// −0 and +0 are the same point (distance 0): they are duplicates.
  @Test func signedZerosAreDuplicates() throws {
    let m = try Matrix<Double>([[0], [-0.0], [0], [-0.0], [1], [1]])
    let d = _ExactDuplicates(m)
    #expect(d.multiplicity == [4, 4, 4, 4, 2, 2])
    #expect(d.representative == [0, 0, 0, 0, 4, 4])
  }
}
