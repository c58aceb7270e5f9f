import Testing
import IBPlane
@testable import IBPlaneEstimators
@testable import IBPlaneNumerics

/// The kNN engine against a direct O(N²) sort written plainly here: exact distances, the
/// (distance, index) tie rule, and radius counts, for both algorithms and both norms.
@Suite struct NearestNeighborsTests {
  static func distance(_ x: Matrix<Double>, _ i: Int, _ j: Int, _ metric: NearestNeighbors.Metric, _ blocks: [Range<Int>]) -> Double {
    var best = 0.0
    for b in blocks {
      var s = 0.0
      for c in b {
        let v = x[i, c] - x[j, c]
        if metric == .maximum { s = max(s, abs(v)) } else { s += v * v }
      }
      best = max(best, metric == .maximum ? s : s.squareRoot())
    }
    return best
  }

  static func reference(_ x: Matrix<Double>, k: Int, metric: NearestNeighbors.Metric, blocks: [Range<Int>]) -> NeighborList {
    var idx: [Int] = []
    var dist: [Double] = []
    for i in 0..<x.rows {
      var cand: [(Double, Int)] = []
      for j in 0..<x.rows where j != i { cand.append((distance(x, i, j, metric, blocks), j)) }
      cand.sort { (a: (Double, Int), b: (Double, Int)) -> Bool in a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) }
      for t in 0..<k { dist.append(cand[t].0); idx.append(cand[t].1) }
    }
    return NeighborList(k: k, indices: idx, distances: dist)
  }

  /// Data with exact duplicates and coordinates on a coarse grid, so ties are common.
  static func tiedData(n: Int, d: Int, seed: UInt64) -> Matrix<Double> {
    let rng = RandomSource(seed: seed)
    var x = rng.normalMatrix(rows: n, columns: d)
    for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] * 4).rounded() / 4 + 10 }
    for i in stride(from: 0, to: n - 1, by: 7) { for c in 0..<d { x[i + 1, c] = x[i, c] } }
    return x
  }

  @Test(arguments: [
    (700, 2, NearestNeighbors.Metric.maximum), (700, 3, .euclidean), (600, 7, .maximum), (600, 7, .euclidean),
    (550, 40, .maximum), (550, 40, .euclidean),
  ])
  func kNearestIsExactForBothAlgorithms(n: Int, d: Int, metric: NearestNeighbors.Metric) throws {
    let x = Self.tiedData(n: n, d: d, seed: UInt64(n + d))
    let blocks = d > 1 ? [0..<(d / 2), (d / 2)..<d] : [0..<d]
    let ref = Self.reference(x, k: 5, metric: metric, blocks: blocks)
    for algorithm in [NearestNeighbors.Algorithm.kdTree, .bruteForce, .boxBitsets] {
      for threads in [1, 3] {
        let got = try NearestNeighbors(metric: metric, algorithm: algorithm, threads: threads).kNearest(x, k: 5, blocks: blocks)
        #expect(got.indices == ref.indices, "\(algorithm) \(threads) threads")
        // Distances are computed from coordinates in the same order: exactly equal.
        // sqrt is monotone and correctly rounded, so max_b √s_b = √(max_b s_b): exactly equal.
        #expect(got.distances == ref.distances)
      }
    }
  }

  @Test(arguments: [(800, 1, NearestNeighbors.Metric.maximum), (800, 4, .euclidean), (500, 30, .maximum), (500, 30, .euclidean)])
  func radiusCountsAreExact(n: Int, d: Int, metric: NearestNeighbors.Metric) throws {
    let x = Self.tiedData(n: n, d: d, seed: 99)
    let blocks = [0..<d]
    // Radii equal to actual pairwise distances, so the strict/inclusive distinction matters.
    func squared(_ x: Matrix<Double>, _ i: Int, _ j: Int) -> Double {
      var s = 0.0
      for c in 0..<d { let v = x[i, c] - x[j, c]; s += v * v }
      return s
    }
    let radii = (0..<n).map { Self.distance(x, $0, ($0 * 13 + 5) % n, metric, blocks) }
    for inclusive in [false, true] {
      var ref = [Int](repeating: 0, count: n)
      for i in 0..<n {
        for j in 0..<n where j != i {
          // The engine compares Euclidean distances in squared form (‖Δ‖² vs r², as scikit-learn's rdist).
          let v = metric == .euclidean ? squared(x, i, j) : Self.distance(x, i, j, metric, blocks)
          let r = metric == .euclidean ? radii[i] * radii[i] : radii[i]
          if inclusive ? v <= r : v < r { ref[i] += 1 }
        }
      }
      // `.automatic` takes the sorted binary-search path in one max-norm dimension.
      for algorithm in [NearestNeighbors.Algorithm.kdTree, .bruteForce, .boxBitsets, .automatic] {
        let got = try NearestNeighbors(metric: metric, algorithm: algorithm, threads: 2).countWithinRadius(x, radii: radii, inclusive: inclusive)
        #expect(got == ref, "\(algorithm) inclusive=\(inclusive): \(zip(got, ref).filter { $0 != $1 }.count) counts differ")
      }
    }
  }

  /// The box-bitset engine at sizes where its checkpoints, narrow-slab path and full slabs all
  /// occur, against the k-d tree (itself checked against the direct sort above).
  @Test(arguments: [(3_000, 3), (3_000, 6), (2_500, 12)])
  func boxBitsetsEqualTheTree(n: Int, d: Int) throws {
    let x = Self.tiedData(n: n, d: d, seed: UInt64(d))
    let tree = NearestNeighbors(algorithm: .kdTree, threads: 2)
    let box = NearestNeighbors(algorithm: .boxBitsets, threads: 2)
    #expect(box.resolvedAlgorithm(samples: n, dimension: d) == .boxBitsets)
    let ref = try tree.kNearest(x, k: 4)
    #expect(try box.kNearest(x, k: 4) == ref)
    // Radii: k-th neighbour distances (small boxes), scaled up (boxes of hundreds of rows),
    // 0 (nothing strictly inside) and huge (every slab full), mixed across rows.
    let rng = RandomSource(seed: 5)
    let radii = (0..<n).map { i -> Double in
      switch i % 5 {
      case 0: return ref.kthDistance(i)
      case 1: return ref.kthDistance(i) * 3
      case 2: return 0
      case 3: return 1e6
      default: return rng.uniform() * 2
      }
    }
    for inclusive in [false, true] {
      let want = try tree.countWithinRadius(x, radii: radii, inclusive: inclusive)
      #expect(try box.countWithinRadius(x, radii: radii, inclusive: inclusive) == want, "inclusive=\(inclusive)")
      let one = try NearestNeighbors(algorithm: .boxBitsets, threads: 1).countWithinRadius(x, radii: radii, inclusive: inclusive)
      #expect(one == want)
    }
    // On AVX2 machines the word loops above ran as C kernels (`CNative/knn_kernels.h`); these
    // are the Swift loops other machines run.
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    let swiftLoops = _BoxBitsets(set, order: _KDTree(set, lanes: false).order, avx2: false)
    #expect(box._boxKNearest(set, k: 4, box: swiftLoops) == ref)
    for inclusive in [false, true] {
      let want = try tree.countWithinRadius(x, radii: radii, inclusive: inclusive)
      #expect(swiftLoops.count(dims: 0..<d, radii: radii, inclusive: inclusive, threads: 2) == want)
    }
  }

  /// The kNN upper bounds from the AVX2 kernel over the box's own rows (`windowBounds`) equal
  /// the Swift loop's (`_leafOrderBounds`) exactly: tied and continuous data, d from 1 to 21
  /// (whole and partial 4-lane groups), k from 1 to 5, windows wider than the data (n < 2m + 1)
  /// and narrower. Without AVX2 `windowBounds` is nil and the Swift loop is all there is.
  @Test func windowBoundsEqualTheSwiftLoop() throws {
    for (n, d, tied) in [(40, 3, true), (500, 5, true), (2_000, 20, false), (17_000, 21, true), (3_000, 1, true)] {
      let x = tied ? Self.tiedData(n: n, d: d, seed: UInt64(n)) : RandomSource(seed: 9).normalMatrix(rows: n, columns: d)
      let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
      let box = _BoxBitsets(set, order: _KDTree(set, lanes: false).order)
      let engine = NearestNeighbors(algorithm: .boxBitsets, threads: 2)
      for k in [1, 3, 5] {
        guard let fast = box.windowBounds(k: k, window: engine._leafOrderWindow(n: n, k: k), threads: 2) else { return }
        let want = engine._leafOrderBounds(set, order: box.order, k: k, threads: 2)
        #expect(fast == want, "n=\(n) d=\(d) k=\(k)")
        #expect(want.allSatisfy { $0 >= 0 && $0.isFinite })
      }
    }
  }

  /// Box-bitset kNN at sizes where its upper bounds come from a leaf-order window wider than
  /// ±32 (±64 from N = 16,384: `_leafOrderBounds`), with tied rows, against the k-d tree.
  @Test func boxBitsetKNNWithAWiderBoundWindow() throws {
    let n = 17_000
    let x = Self.tiedData(n: n, d: 8, seed: 3)
    let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
    let engine = NearestNeighbors(algorithm: .boxBitsets, threads: 2)
    for k in [1, 3, 5] {
      let want = try NearestNeighbors(algorithm: .kdTree, threads: 2).kNearest(x, k: k)
      #expect(engine._boxKNearest(set, k: k) == want, "k=\(k)")
    }
  }

  @Test func duplicatesAreNeighboursAtDistanceZeroAndSelfIsExcluded() throws {
    let x = try Matrix<Double>([[0, 0], [0, 0], [1, 1], [0, 0]])
    let got = try NearestNeighbors(algorithm: .kdTree).kNearest(x, k: 2)
    #expect(Array(got.indices[0..<2]) == [1, 3])
    #expect(Array(got.distances[0..<2]) == [0, 0])
    #expect(Array(got.indices[6..<8]) == [0, 1])
  }

  @Test func badInputIsRefused() throws {
    let x = try Matrix<Double>([[0, 1], [.nan, 2], [3, 4]])
    #expect(throws: NumericsError.self) { try NearestNeighbors().kNearest(x, k: 1) }
    let y = try Matrix<Double>([[0], [1]])
    #expect(throws: NumericsError.self) { try NearestNeighbors().kNearest(y, k: 2) }
    #expect(throws: NumericsError.self) { try NearestNeighbors().kNearest(y, k: 1, blocks: [0..<2]) }
  }

  @Test func jitterIsSeededAndTiny() {
    let x = Self.tiedData(n: 50, d: 2, seed: 1)
    let a = NearestNeighbors.jittered(x, scale: 1e-10, seed: 4)
    let b = NearestNeighbors.jittered(x, scale: 1e-10, seed: 4)
    #expect(a == b)
    #expect(a != x)
    #expect(zip(a.elements, x.elements).allSatisfy { abs($0 - $1) < 1e-7 })
  }

  /// The max-norm k-d tree scans leaves four points at a time from its coordinate-major lanes and
  /// tests node boxes in SIMD4 lanes of coordinates (padded to a multiple of 4). Against the
  /// direct sort and a direct count: sizes around multiples of 4 and of the leaf size (a partial
  /// last group), dimensions 1…13 (1, 2 or 3 padding coordinates, or none), grid ties and exact
  /// duplicates, radii equal to actual distances (the strict / inclusive boundary), 0, huge and
  /// infinite, one and three threads.
  @Test(arguments: [(1, 2), (2, 5), (3, 9), (4, 33), (5, 66), (7, 131), (8, 257), (10, 1_001), (13, 700)])
  func maxNormTreeLanesAreExact(d: Int, n: Int) throws {
    let x = Self.tiedData(n: n, d: d, seed: UInt64(7 * n + d))
    let blocks = d > 1 ? [0..<(d / 2), (d / 2)..<d] : [0..<d]
    let set = try _NeighborPoints(x, blocks: blocks, metric: .maximum)
    let tree = _KDTree(set)
    let scalar = _KDTree(set, lanes: false)  // the point-at-a-time scans, for comparison
    // On AVX2 machines `tree` runs the C kernels (`CNative/knn_kernels.h`); these are the
    // Swift lane loops that other machines run.
    let swiftLanes = _KDTree(set, avx2: false)
    for k in [1, 4] where k < n {
      let ref = Self.reference(x, k: k, metric: .maximum, blocks: blocks)
      for threads in [1, 3] {
        #expect(tree.kNearest(k: k, threads: threads) == ref, "k=\(k) threads=\(threads)")
      }
      #expect(scalar.kNearest(k: k, threads: 2) == ref)
      #expect(swiftLanes.kNearest(k: k, threads: 2) == ref)
    }
    let rng = RandomSource(seed: UInt64(n))
    let radii = (0..<n).map { i -> Double in
      switch i % 6 {
      case 0: return Self.distance(x, i, (i * 13 + 5) % n, .maximum, [0..<d])
      case 1: return 0
      case 2: return 1e300
      case 3: return .infinity
      case 4: return Self.distance(x, i, (i * 7 + 1) % n, .maximum, [0..<d]) * 2
      default: return rng.uniform() * 2
      }
    }
    for inclusive in [false, true] {
      var want = [Int](repeating: 0, count: n)
      for i in 0..<n {
        for j in 0..<n where j != i {
          let v = Self.distance(x, i, j, .maximum, [0..<d])
          if inclusive ? v <= radii[i] : v < radii[i] { want[i] += 1 }
        }
      }
      for threads in [1, 3] {
        #expect(tree.count(reducedRadii: radii, inclusive: inclusive, threads: threads) == want, "inclusive=\(inclusive) threads=\(threads)")
      }
      #expect(scalar.count(reducedRadii: radii, inclusive: inclusive, threads: 2) == want)
      #expect(swiftLanes.count(reducedRadii: radii, inclusive: inclusive, threads: 2) == want)
    }
  }

  /// The max-norm tree's float pre-tests (`CNative/knn_kernels.h`: float copies of the points
  /// and node boxes decide what is far from the radius; the rest is decided in double) against a
  /// direct sort and count, on data chosen to defeat them: continuous coordinates with radii
  /// equal to actual distances and one double step either side (differences float cannot
  /// resolve); a large offset with a tiny spread (the float copies are centred, so the float
  /// tests still decide); heavy tails and a far outlier (margins too large against the radius
  /// for the float tests, so the double tests run for some queries and nodes and not others);
  /// grid ties; N past several leaves. Both kNN and counts, strict and inclusive, one and
  /// three threads, and the Swift lane loops, which have no float tests.
  @Test(arguments: [(3, 0), (5, 1), (10, 2), (5, 3), (9, 4)])
  func floatPreTestsAreExact(d: Int, kind: Int) throws {
    let n = 1_500
    let rng = RandomSource(seed: UInt64(100 * d + kind))
    var x = rng.normalMatrix(rows: n, columns: d)
    switch kind {
    case 1:  // offset 1e6, spread 1e-3 (the float copies are centred, so the tests still apply)
      for t in 0..<x.elements.count { x.elements[t] = 1e6 + x.elements[t] * 1e-3 }
    case 2:  // heavy tails: ratios of normals (Cauchy), a few coordinates in the thousands
      let z = rng.normalMatrix(rows: n, columns: d)
      for t in 0..<x.elements.count { x.elements[t] /= z.elements[t] }
    case 3:  // grid ties and duplicates
      x = Self.tiedData(n: n, d: d, seed: 9)
    case 4:  // one point at 1e9: the margin (from the spread) swamps every radius but its own
      for c in 0..<d { x[0, c] = 1e9 }
    default: break
    }
    let blocks = [0..<d]
    let set = try _NeighborPoints(x, blocks: blocks, metric: .maximum)
    let tree = _KDTree(set)
    let swiftLanes = _KDTree(set, avx2: false)
    for k in [1, 3] {
      let ref = Self.reference(x, k: k, metric: .maximum, blocks: blocks)
      for threads in [1, 3] { #expect(tree.kNearest(k: k, threads: threads) == ref, "kind \(kind) k=\(k)") }
      #expect(swiftLanes.kNearest(k: k, threads: 2) == ref)
    }
    let radii = (0..<n).map { i -> Double in
      let r = Self.distance(x, i, (i * 13 + 5) % n, .maximum, blocks)
      switch i % 3 {
      case 0: return r
      case 1: return r.nextUp
      default: return r.nextDown
      }
    }
    for inclusive in [false, true] {
      var want = [Int](repeating: 0, count: n)
      for i in 0..<n {
        for j in 0..<n where j != i {
          let v = Self.distance(x, i, j, .maximum, blocks)
          if inclusive ? v <= radii[i] : v < radii[i] { want[i] += 1 }
        }
      }
      for threads in [1, 3] {
        #expect(tree.count(reducedRadii: radii, inclusive: inclusive, threads: threads) == want, "kind \(kind) inclusive=\(inclusive)")
      }
      #expect(swiftLanes.count(reducedRadii: radii, inclusive: inclusive, threads: 2) == want)
    }
  }

  /// The slab search of box and tree bitsets (two bisections in SIMD2 lanes for r > 0, or r ≥ 0
  /// inclusive) against a direct scan and against the three plain bisections: sorted values with
  /// runs of equal values, x below, inside, on and above them, radii equal to actual differences
  /// (the strict / inclusive boundary), tiny, 0, negative, huge and infinite; n = 1…70.
  /// Box bitsets search the slabs of four coordinates at once (`slabs4`; eight in the AVX2
  /// kernel, both run here): the same ranks as the
  /// one-coordinate search for every coordinate of every block of dims (1 to 13 coordinates, so
  /// partial groups of four), on tied grid data and continuous data, at sizes around the
  /// 64-rank blocks, radii equal to actual differences, tiny, huge, infinite, 0 and negative.
  @Test func batchedSlabsEqualOneAtATime() throws {
    for (n, d, step) in [(65, 13, 0.25), (300, 6, 0.0), (1_000, 9, 1.0 / 64), (129, 4, 0.5)] {
      let rng = RandomSource(seed: UInt64(n + d))
      var x = rng.normalMatrix(rows: n, columns: d)
      if step > 0 { for t in 0..<x.elements.count { x.elements[t] = (x.elements[t] / step).rounded() * step } }
      let set = try _NeighborPoints(x, blocks: nil, metric: .maximum)
      // avx2: the C kernel (`ibp_box_slabs_avx2`, eight coordinates at a time) where the
      // processor has AVX2; otherwise, and with false, the Swift `slabs4`.
      for box in [_BoxBitsets(set, order: Array(0..<n)), _BoxBitsets(set, order: Array(0..<n), avx2: false)] {
        for i in stride(from: 0, to: n, by: 7) {
          let j = (i * 31 + 5) % n
          let gap = abs(x[i, 0] - x[j, 0])
          for r in [gap, 1e-300, 0.3, 2.5, 1e300, .infinity, 0, -1, rng.uniform()] {
            for dims in [0..<d, 0..<1, 1..<d, 0..<min(d, 5), (d / 2)..<d] where !dims.isEmpty {
              for inclusive in [false, true] {
                let got = box.slabsForTesting(row: i, dims: dims, radius: r, inclusive: inclusive)
                #expect(got.batched == got.single, "n=\(n) d=\(d) i=\(i) r=\(r) dims=\(dims) inclusive=\(inclusive) avx2=\(box.avx2)")
              }
            }
          }
        }
      }
    }
  }

  @Test func maxNormSlabEqualsADirectScan() {
    let rng = RandomSource(seed: 41)
    for n in Array(1...70) + [127, 128, 129, 200, 257] {
      var v = (0..<n).map { _ in (rng.uniform() * 8).rounded() / 4 - 1 }
      v.sort()
      let xs = [v[0] - 1, v[0], v[n / 2], v[n / 2] + 0.1, v[n - 1], v[n - 1] + 3, rng.uniform()]
      for x in xs {
        let radii = [0, -1, 1e-300, 0.25, 0.5, abs(v[n - 1] - x), abs(v[0] - x), 1e300, .infinity, rng.uniform()]
        for r in radii {
          for inclusive in [false, true] {
            let old = v.withUnsafeBufferPointer { _maxNormSlabAroundRank($0.baseAddress!, count: n, x, r, inclusive) }
            // The two-level search (block ends, then within a block) for blocks of 1, 2, 4, 8
            // and 64 ranks: partial last blocks, a single block, answers on block boundaries.
            var got = old
            for shift in [6, 0, 1, 2, 3] {
              let blocks = (n + (1 << shift) - 1) >> shift
              let ends = (0..<blocks).map { v[min(($0 + 1) << shift - 1, n - 1)] }
              let twoLevel = v.withUnsafeBufferPointer { s in
                ends.withUnsafeBufferPointer { e in
                  _maxNormSlab(s.baseAddress!, count: n, x, r, inclusive, blockEnds: e.baseAddress!, blocks: blocks, shift: shift)
                }
              }
              #expect(twoLevel == old, "n=\(n) x=\(x) r=\(r) inclusive=\(inclusive) shift=\(shift)")
              if shift == 6 { got = twoLevel }
            }
            let inside = v.indices.filter { t in
              let d = v[t] >= x ? v[t] - x : x - v[t]
              return inclusive ? d <= r : d < r
            }
            if let first = inside.first {
              #expect(got.0 == first && got.1 == inside.last! + 1, "n=\(n) x=\(x) r=\(r) inclusive=\(inclusive)")
            } else {
              #expect(got.1 <= got.0)
            }
          }
        }
      }
    }
  }
}
