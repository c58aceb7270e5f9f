import Testing
import IBPlane
@testable import IBPlaneEstimators
@testable import IBPlaneNumerics

/// Every neighbour engine KSG can pick (the automatic rule with its low-dimension paths —
/// sorted 1-d counts, the 2-d sweep — the k-d tree and box bitsets) gives the estimate of the
/// exact brute-force path bit for bit: the counts are integers, so equal counts give equal sums.
/// Data with distance ties and exact duplicates (the Gao tie rule of KSG 1 must still apply the
/// same way), several k, both variants and both marginal norms.
@Suite struct KSGEngineEquivalenceTests {
  /// Coordinates on a grid of step `step` (many equal distances), every seventh row duplicated.
  static func data(n: Int, dx: Int, dy: Int, step: Double, seed: UInt64) -> (Matrix<Double>, Matrix<Double>) {
    let rng = RandomSource(seed: seed)
    var x = rng.normalMatrix(rows: n, columns: dx)
    var y = rng.normalMatrix(rows: n, columns: dy)
    for i in 0..<n {
      for c in 0..<dy { y[i, c] = 0.6 * x[i, c % dx] + 0.8 * y[i, c] }
    }
    for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] / step).rounded() * step }
    for t in 0..<y.elements.count { y.elements[t] = (y.elements[t] / step).rounded() * step }
    for i in stride(from: 0, to: n - 1, by: 7) {
      for c in 0..<dx { x[i + 1, c] = x[i, c] }
      for c in 0..<dy { y[i + 1, c] = y[i, c] }
    }
    return (x, y)
  }

  /// The outcome of one estimate: value and counts, or the error text (KSG 2 refuses ties).
  static func outcome(_ e: KSGEstimator, _ x: Matrix<Double>, _ y: Matrix<Double>) -> String {
    do {
      let r = try e.estimate(x, y)
      let d = r.diagnostics
      return "\(r.nats.bitPattern) nx \(d["mean_nx"]!) ny \(d["mean_ny"]!) tied \(d["tied_samples"]!)"
    } catch {
      return "error: \(error)"
    }
  }

  @Test(arguments: [(1, 1), (2, 2), (1, 2), (2, 3), (3, 3), (5, 5)])
  func everyEngineEqualsBruteForce(dx: Int, dy: Int) throws {
    for (step, n) in [(0.25, 520), (1.0 / 1024, 400)] {
      let (x, y) = Self.data(n: n, dx: dx, dy: dy, step: step, seed: UInt64(31 * dx + dy))
      for variant in [KSGEstimator.Variant.one, .two] {
        for metric in [NearestNeighbors.Metric.maximum, .euclidean] {
          for k in [1, 4] {
            func make(_ a: NearestNeighbors.Algorithm, threads: Int = 2) -> KSGEstimator {
              KSGEstimator(variant: variant, k: k, metric: metric, preprocessing: .none, algorithm: a, threads: threads)
            }
            let want = Self.outcome(make(.bruteForce), x, y)
            var engines: [NearestNeighbors.Algorithm] = [.automatic, .kdTree]
            if metric == .maximum { engines += [.boxBitsets, .treeBitsets] }
            for a in engines {
              #expect(Self.outcome(make(a), x, y) == want, "\(a) \(variant) \(metric) k=\(k) step=\(step)")
            }
            #expect(Self.outcome(make(.automatic, threads: 1), x, y) == want)
            if metric == .maximum { #expect(Self.outcome(make(.treeBitsets, threads: 1), x, y) == want) }
          }
        }
      }
    }
  }

  /// The tie rule must have fired on the coarse grid (else the test above proves less).
  @Test func coarseDataHasTiedSamples() throws {
    let (x, y) = Self.data(n: 700, dx: 2, dy: 2, step: 0.25, seed: 64)
    let e = try KSGEstimator(preprocessing: .none).estimate(x, y)
    #expect(e.diagnostics["tied_samples"]! > 0)
    #expect(e.parameters["count_algorithm"] == "x:sweep-2d,y:sweep-2d")
  }

  /// The automatic rule depends on N as well as dimension: the O(N²) box bitsets only below the
  /// crossover with the k-d tree (higher in high dimension, where the tree nears a scan).
  @Test func automaticRuleDependsOnN() {
    let e = NearestNeighbors()
    #expect(e.resolvedCountAlgorithm(samples: 60_000, dimension: 5) == .boxBitsets)
    #expect(e.resolvedCountAlgorithm(samples: 100_000, dimension: 5) == .kdTree)
    #expect(e.resolvedCountAlgorithm(samples: 100_000, dimension: 7) == .boxBitsets)
    #expect(e.resolvedCountAlgorithm(samples: 200_000, dimension: 7) == .treeBitsets)
    #expect(e.resolvedCountAlgorithm(samples: 200_000, dimension: 5) == .kdTree)
    #expect(e.resolvedCountAlgorithm(samples: 200_000, dimension: 4) != .treeBitsets)
    #expect(NearestNeighbors(metric: .euclidean).resolvedCountAlgorithm(samples: 200_000, dimension: 5) == .kdTree)
    #expect(e.resolvedCountAlgorithm(samples: 300_000, dimension: 10) == .boxBitsets)
    #expect(e.resolvedCountAlgorithm(samples: 500_000, dimension: 10) == .kdTree)
    #expect(e.resolvedAlgorithm(samples: 30_000, dimension: 10) == .boxBitsets)
    #expect(e.resolvedAlgorithm(samples: 100_000, dimension: 10) == .kdTree)
    #expect(e.resolvedAlgorithm(samples: 100_000, dimension: 14) == .boxBitsets)
    #expect(e.resolvedAlgorithm(samples: 200_000, dimension: 14) == .kdTree)
    #expect(e.resolvedAlgorithm(samples: 300_000, dimension: 20) == .boxBitsets)
    #expect(NearestNeighbors(metric: .euclidean).resolvedCountAlgorithm(samples: 100_000, dimension: 5) == .kdTree)
  }

  /// Tree bitsets against brute force on sets large enough for several `blockSize` nodes and a
  /// checkpoint spacing coarser than a slab's end (rows tested directly): grid ties, duplicates,
  /// radii equal to actual distances (the strict / inclusive boundary; the farthest row's), 0 and
  /// huge, kNN with k = 1 and 4, one and two threads.
  @Test(arguments: [(3, 3_000), (5, 5_000), (10, 4_100)])
  func treeBitsetsEqualBruteForce(d: Int, n: Int) throws {
    let rng = RandomSource(seed: UInt64(d * n))
    var x = rng.normalMatrix(rows: n, columns: d)
    for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] * 16).rounded() / 16 }
    for i in stride(from: 0, to: n - 1, by: 11) { for c in 0..<d { x[i + 1, c] = x[i, c] } }
    func dist(_ i: Int, _ j: Int) -> Double { (0..<d).map { abs(x[i, $0] - x[j, $0]) }.max()! }
    let radii = (0..<n).map { i -> Double in
      switch i % 5 {
      case 0: return dist(i, (i * 13 + 5) % n)
      case 1: return 0
      case 2: return 1e300
      // The farthest row's distance: a slab that misses only the extreme ranks, so its
      // checkpoint widening spans every row while the strict count still excludes them.
      case 3: return (0..<n).map { dist(i, $0) }.max()!
      default: return 0.5 * rng.uniform() + 0.25
      }
    }
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    let brute = _BruteForceNeighbors(set)
    let engine = _TreeBitsets(set)
    for inclusive in [false, true] {
      let want = brute.count(reducedRadii: radii, inclusive: inclusive, threads: 2)
      for threads in [1, 2] {
        #expect(engine.count(reducedRadii: radii, inclusive: inclusive, threads: threads) == want, "inclusive=\(inclusive) threads=\(threads)")
      }
    }
    for k in [1, 4] {
      let want = brute.kNearest(k: k, threads: 2)
      for threads in [1, 2] {
        #expect(engine.kNearest(k: k, threads: threads) == want, "k=\(k) threads=\(threads)")
      }
    }
  }

  /// The 2-d sweep against a direct scan, with radii equal to actual distances (the strict /
  /// inclusive boundary), 0, huge, and sizes around the two-halves split.
  @Test(arguments: [1, 2, 3, 64, 1_000])
  func sweepCountsEqualADirectScan(n: Int) throws {
    let rng = RandomSource(seed: UInt64(n))
    var x = rng.normalMatrix(rows: n, columns: 2)
    for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] * 8).rounded() / 8 }
    func dist(_ i: Int, _ j: Int) -> Double { max(abs(x[i, 0] - x[j, 0]), abs(x[i, 1] - x[j, 1])) }
    let radii = (0..<n).map { i -> Double in
      switch i % 4 {
      case 0: return dist(i, (i * 13 + 5) % n)
      case 1: return 0
      case 2: return 1e300
      default: return rng.uniform()
      }
    }
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    for inclusive in [false, true] {
      var want = [Int](repeating: 0, count: n)
      for i in 0..<n { for j in 0..<n where j != i { let v = dist(i, j); if inclusive ? v <= radii[i] : v < radii[i] { want[i] += 1 } } }
      for threads in [1, 2, 3] {
        let got = _SweepCounts2D(set).count(radii: radii, inclusive: inclusive, threads: threads)
        #expect(got == want, "inclusive=\(inclusive) threads=\(threads)")
      }
    }
  }
}

extension KSGEngineEquivalenceTests {
  /// The sorted 1-d counts (four ranks side by side in `sides4`, the rest one at a time) against
  /// a direct scan: ties on a grid, duplicated rows, radii equal to actual distances (the strict /
  /// inclusive boundary), 0, negative, huge, and row counts that are not multiples of 4.
  @Test(arguments: [1, 2, 3, 5, 7, 64, 1_001])
  func sortedCountsEqualADirectScan(n: Int) throws {
    let rng = RandomSource(seed: UInt64(n) + 17)
    var x = rng.normalMatrix(rows: n, columns: 1)
    for t in 0..<n { x.elements[t] = (x.elements[t] * 8).rounded() / 8 }
    for i in stride(from: 0, to: n - 1, by: 9) { x[i + 1, 0] = x[i, 0] }
    let radii = (0..<n).map { i -> Double in
      switch i % 5 {
      case 0: return abs(x[i, 0] - x[(i * 13 + 5) % n, 0])
      case 1: return 0
      case 2: return 1e300
      case 3: return -0.5
      default: return rng.uniform()
      }
    }
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    for inclusive in [false, true] {
      var want = [Int](repeating: 0, count: n)
      for i in 0..<n { for j in 0..<n where j != i { let v = abs(x[i, 0] - x[j, 0]); if inclusive ? v <= radii[i] : v < radii[i] { want[i] += 1 } } }
      for threads in [1, 2, 3] {
        let got = _SortedCounts1D(set).count(values: set.data, reducedRadii: radii, inclusive: inclusive, threads: threads)
        #expect(got == want, "inclusive=\(inclusive) threads=\(threads)")
      }
    }
  }
}

/// The specialised max-norm tree of 1 to 4 dimensions (`LowDimensionTree.swift`) and the radix
/// order of the marginal engines, each against its exact reference.
@Suite struct LowDimensionEngineTests {
  /// Points on a coarse grid (ties of distance), every fifth row duplicated, and a discrete
  /// block of `atoms` exactly repeated values (many rows at distance 0 from each other).
  static func points(n: Int, d: Int, step: Double, atoms: Int, seed: UInt64) -> Matrix<Double> {
    let rng = RandomSource(seed: seed)
    var x = rng.normalMatrix(rows: n, columns: d)
    for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] / step).rounded() * step }
    for i in stride(from: 0, to: n - 1, by: 5) { for c in 0..<d { x[i + 1, c] = x[i, c] } }
    if atoms > 0 { for i in 0..<(n / 3) { for c in 0..<d { x[i, c] = Double((i * 7 + c) % atoms) } } }
    return x
  }

  /// kNN lists (indices and distances, bit for bit) equal brute force for every dimension the
  /// tree takes, k from 1 to its maximum, sizes around leaf boundaries, 1 to 3 threads.
  @Test(arguments: [1, 2, 3, 4])
  func treeEqualsBruteForce(d: Int) throws {
    for (n, step, atoms) in [(600, 0.25, 0), (1_000, 1.0 / 4096, 0), (777, 0.5, 3), (513, 1e-3, 1), (4_097, 0.0, 0)] {
      var x = Self.points(n: n, d: d, step: step == 0 ? 1 : step, atoms: atoms, seed: UInt64(n * 10 + d))
      if step == 0 { x = RandomSource(seed: 9).normalMatrix(rows: n, columns: d) }  // continuous
      let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
      for k in [1, 3, 4, 8, 32] {
        let want = _BruteForceNeighbors(set).kNearest(k: k, threads: 2)
        // 3 and 4 dimensions: the AVX2 kernel (where the processor has it) and the Swift loop.
        for threads in [1, 2, 3] {
          for avx2 in d <= 2 ? [true] : [true, false] {
            let got = d <= 2
              ? _LowDimensionTree<SIMD2<Double>>(set, threads: threads).kNearest(k: k, threads: threads)
              : _LowDimensionTree<SIMD4<Double>>(set, threads: threads, avx2: avx2).kNearest(k: k, threads: threads)
            #expect(got.indices == want.indices, "d=\(d) n=\(n) k=\(k) threads=\(threads) avx2=\(avx2)")
            #expect(got.distances.map(\.bitPattern) == want.distances.map(\.bitPattern), "d=\(d) n=\(n) k=\(k) avx2=\(avx2)")
          }
        }
        // The public path with the automatic rule (the tree from N = 512) agrees as well.
        #expect(try NearestNeighbors().kNearest(x, k: k) == want)
      }
    }
  }

  /// Signed zeros: −0 and +0 coordinates side by side (|−0 − (+0)| is −0 before the sign is
  /// cleared). The branch-free distance and box tests must give brute force's +0 distances and
  /// lists bit for bit.
  @Test(arguments: [1, 2, 3, 4])
  func signedZerosEqualBruteForce(d: Int) throws {
    let n = 700
    let rng = RandomSource(seed: UInt64(40 + d))
    var x = rng.normalMatrix(rows: n, columns: d)
    for t in 0..<x.elements.count {
      let u = x.elements[t]
      x.elements[t] = abs(u) < 0.8 ? (u < 0 ? -0.0 : 0.0) : (u * 2).rounded() / 2
    }
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    for k in [1, 3, 8] {
      let want = _BruteForceNeighbors(set).kNearest(k: k, threads: 1)
      for avx2 in [true, false] {
        let got = d <= 2
          ? _LowDimensionTree<SIMD2<Double>>(set, threads: 2).kNearest(k: k, threads: 2)
          : _LowDimensionTree<SIMD4<Double>>(set, threads: 2, avx2: avx2).kNearest(k: k, threads: 2)
        #expect(got.indices == want.indices, "d=\(d) k=\(k) avx2=\(avx2)")
        #expect(got.distances.map(\.bitPattern) == want.distances.map(\.bitPattern), "d=\(d) k=\(k) avx2=\(avx2)")
      }
    }
  }

  /// A 2-d set small enough for one leaf level, and k = n − 1 (every other point).
  @Test func tinySets() throws {
    for n in [2, 3, 8, 9, 17] {
      let x = RandomSource(seed: UInt64(n)).normalMatrix(rows: n, columns: 2)
      let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
      for k in Set([1, n - 1]) {
        let want = _BruteForceNeighbors(set).kNearest(k: k, threads: 1)
        #expect(_LowDimensionTree<SIMD2<Double>>(set, threads: 2).kNearest(k: k, threads: 2) == want, "n=\(n) k=\(k)")
      }
    }
  }

  /// KSG at sizes where the automatic rule uses the new tree, continuous and tied data, both
  /// variants: the value equals brute force's bit for bit.
  @Test(arguments: [(1, 1), (2, 2), (1, 3)])
  func ksgEqualsBruteForceAtLargerN(dx: Int, dy: Int) throws {
    for (step, n) in [(1.0 / 64, 3_000), (1.0 / 65536, 2_500)] {
      let (x, y) = KSGEngineEquivalenceTests.data(n: n, dx: dx, dy: dy, step: step, seed: UInt64(dx * 5 + dy))
      for variant in [KSGEstimator.Variant.one, .two] {
        for k in [3, 5] {
          let want = KSGEngineEquivalenceTests.outcome(
            KSGEstimator(variant: variant, k: k, preprocessing: .none, algorithm: .bruteForce), x, y)
          for threads in [1, 2] {
            let got = KSGEngineEquivalenceTests.outcome(
              KSGEstimator(variant: variant, k: k, preprocessing: .none, threads: threads), x, y)
            #expect(got == want, "\(dx)+\(dy) \(variant) k=\(k) step=\(step) threads=\(threads)")
          }
        }
      }
    }
  }

  /// The radix order is the (value, row) comparison sort's permutation: −0 and +0 equal,
  /// negative and positive values, huge and tiny magnitudes, runs of equal values, strided input.
  @Test func radixOrderEqualsComparisonSort() {
    let rng = RandomSource(seed: 3)
    let special: [Double] = [0, -0.0, 1e300, -1e300, 5e-324, -5e-324, 1, -1, 2.5, -2.5, .greatestFiniteMagnitude]
    for n in [0, 1, 2, 10, 1_000, 70_000] {
      for stride in [1, 3] {
        var v = [Double](repeating: 0, count: n * stride)
        for i in 0..<v.count {
          switch i % 5 {
          case 0: v[i] = special[Int(rng.uniform() * Double(special.count)) % special.count]
          case 1: v[i] = (rng.normal() * 4).rounded()
          default: v[i] = rng.normal() * 1e-3
          }
        }
        for offset in 0..<stride {
          let want = (0..<n).sorted { a, b in
            let va = v[offset + a * stride], vb = v[offset + b * stride]
            return va < vb || (va == vb && a < b)
          }
          let got = v.withUnsafeBufferPointer { _radixOrder($0, offset: offset, count: n, stride: stride) }
          #expect(got.map { Int($0) } == want, "n=\(n) stride=\(stride) offset=\(offset)")
        }
      }
    }
  }
}
