/// Exact k-nearest-neighbour distances and radius counts: the engine of every kNN estimator
/// (Kozachenko–Leonenko, KSG 1 and 2, weighted Kozachenko–Leonenko, lossy-compressed MI).
///
/// Distances. The columns of a point set are split into consecutive *blocks* (one block per
/// variable: X and Y of a joint space); the distance between two points is the maximum over
/// blocks of the block's norm, the norm being the max-norm ‖·‖∞ or the Euclidean ‖·‖₂:
///
///     d(p, q) = max_b ‖p_b − q_b‖
///
/// With one block this is the plain norm. With max-norm blocks it is the max-norm of the
/// joint space, whatever the split — the metric of Kraskov, Stögbauer & Grassberger (2004).
///
/// Exactness and ties. Every returned distance is computed directly from coordinates
/// (the GEMM path only pre-selects candidates, with a rounding margin, then recomputes;
/// see `BruteForceNeighbors.swift`). Neighbours are ordered by (distance, index) ascending:
/// among points at equal distance the lower row index comes first. The query point itself
/// is never its own neighbour; an exact duplicate of it (another row with equal coordinates)
/// is a neighbour at distance 0. The answer is therefore a function of the data alone, the
/// same for the k-d tree, the brute-force path and any thread count.
///
/// Algorithm choice (`Algorithm.automatic`). Under the max-norm, *box bitsets*
/// (`BoxBitsets.swift`: per-coordinate rank bitsets, a query costs O(d·N/64) word operations
/// whatever the box holds) for kNN from total dimension 10 and for radius counts from
/// dimension 4, up to a measured crossover with the k-d tree that rises with the dimension
/// (O(N²) in all; 40,000 for kNN in 10–11 dimensions, 80,000 for counts in 4–5, 120,000 for kNN
/// in 12–15 and counts in 6–7) — 400,000 for kNN from dimension 16 and counts from 8, where the
/// tree nears a scan (`boxBitsetsMaximumSamples`); past that N, max-norm radius counts in 6–7
/// dimensions by *tree bitsets* (`TreeBitsets.swift`: the k-d tree with its straddling nodes
/// filtered by rank bitsets over tree positions, `treeBitsetsCountDimensions`);
/// max-norm radius counts in two dimensions by an offline sweep (`SweepCounts2D.swift`,
/// O(N log N) whatever the boxes hold); otherwise a k-d tree when the total dimension is at most
/// `kdTreeMaximumDimension(samples:)`, brute force above, and brute force for N < 512 where
/// building any structure costs more than it saves. Max-norm radius counts in one dimension use
/// galloping search on the sorted values (`SortedNeighbors1D.swift`), O(log m) per query.
/// Max-norm kNN in 1 to 4 dimensions (KSG's joint space at 1 + 1 and 2 + 2) with k ≤ 32 uses a
/// k-d tree specialised for that case (`LowDimensionTree.swift`: SIMD points, implicit balanced
/// tree, bottom-up search), not the general `_KDTree`; `.kdTree` names both.
/// The thresholds are where one engine overtook another in `ibplane-bench knn-rule` and
/// `ibplane-bench ksg-profile` (the figures: docs/performance.md, "Neighbour search"). Counts
/// at a point's own k-th neighbour distance are small boxes, where the tree is good; the counts
/// that matter are KSG's marginal counts at the *joint* radius — boxes of hundreds to thousands
/// of points, where a tree visits most of its leaves — hence the lower count threshold. Brute
/// force overtakes the k-d tree at a total dimension that rises with N (16 at N = 10⁴, then 4
/// more per decade; extrapolated, not measured at every N). The Euclidean norm never uses box
/// bitsets (its ball is not a box).
///
/// Complexity: tree build O(N log N) expected; a query O(log N) for small d, degrading towards O(N)
/// as d grows; brute force O(N² d / threads) with early exit per pair (max-norm) or through
/// GEMM (Euclidean). Memory O(N·(d + k)).
///
/// Parallelism: queries are split into fixed chunks over `Parallel.forEach`; each query
/// writes only its own result slots, so results are bit-identical for any thread count.
public struct NearestNeighbors: Sendable {
  /// The largest |value| Euclidean distances accept (0 is accepted too): squares of differences
  /// stay finite and normal doubles in any realistic dimension. `KNNPreprocessing.none` refuses
  /// raw data outside it.
  public static let euclideanMagnitudeRange: ClosedRange<Double> = 1e-150...1e150

  /// The norm inside each block.
  public enum Metric: String, Sendable, CaseIterable {
    /// ‖v‖∞ = max_j |v_j| (KSG's choice).
    case maximum = "max"
    /// ‖v‖₂ = √(Σ_j v_j²).
    case euclidean
  }

  /// How neighbours are searched. Results do not depend on it.
  public enum Algorithm: String, Sendable {
    case automatic, kdTree = "kd-tree", bruteForce = "brute-force"
    /// Per-coordinate rank bitsets (`BoxBitsets.swift`); max-norm only (Euclidean falls back
    /// to the k-d tree or brute force by the automatic rule).
    case boxBitsets = "box-bitsets"
    /// A k-d tree whose straddling small nodes are filtered by rank bitsets over tree positions
    /// (`TreeBitsets.swift`); max-norm only (Euclidean falls back as for `boxBitsets`).
    case treeBitsets = "tree-bitsets"
  }

  public var metric: Metric
  public var algorithm: Algorithm
  public var threads: Int

  /// Largest total dimension for which `.automatic` picks the k-d tree at `samples` points.
  public static func kdTreeMaximumDimension(samples: Int) -> Int {
    let decades = samples > 10_000 ? _math_log(Double(samples) / 10_000) / _math_log(10) : 0
    return 16 + Int((4 * decades).rounded(.down))
  }
  /// Smallest sample count for which `.automatic` picks the k-d tree.
  public static let kdTreeMinimumSamples = 512

  /// - Parameters:
  ///   - metric: norm inside each block; default `.maximum`.
  ///   - algorithm: default `.automatic` (the measured rule above).
  ///   - threads: most workers at once; default and upper bound `Parallel.maximumThreads`.
  public init(metric: Metric = .maximum, algorithm: Algorithm = .automatic, threads: Int = Parallel.defaultThreads) {
    self.metric = metric
    self.algorithm = algorithm
    self.threads = Swift.max(1, threads)
  }

  /// The algorithm `.automatic` resolves to for `samples` points of total dimension `dimension`.
  public func resolvedAlgorithm(samples: Int, dimension: Int) -> Algorithm {
    if (algorithm == .boxBitsets || algorithm == .treeBitsets) && metric == .maximum { return algorithm }
    if algorithm != .automatic && algorithm != .boxBitsets && algorithm != .treeBitsets { return algorithm }
    if samples < Self.kdTreeMinimumSamples { return .bruteForce }
    if metric == .maximum && dimension >= Self.boxBitsetsMinimumDimension
      && samples <= Self.boxBitsetsMaximumSamples(dimension: dimension, counts: false)
    {
      return .boxBitsets
    }
    return dimension <= Self.kdTreeMaximumDimension(samples: samples) ? .kdTree : .bruteForce
  }

  /// The algorithm `.automatic` resolves to for radius counts (`countWithinRadius`) — one max-norm
  /// dimension always uses binary search on the sorted values and two the offline sweep
  /// (`SweepCounts2D.swift`), whatever this says.
  public func resolvedCountAlgorithm(samples: Int, dimension: Int) -> Algorithm {
    if algorithm == .automatic && metric == .maximum && samples >= Self.kdTreeMinimumSamples
      && dimension >= Self.boxBitsetsMinimumCountDimension
      && samples <= Self.boxBitsetsMaximumSamples(dimension: dimension, counts: true)
    {
      return .boxBitsets
    }
    let fallback = resolvedAlgorithm(samples: samples, dimension: dimension)
    if algorithm == .automatic && fallback == .kdTree && metric == .maximum
      && Self.treeBitsetsCountDimensions.contains(dimension)
    {
      return .treeBitsets
    }
    return fallback
  }

  /// Max-norm dimensions in which `.automatic` counts with tree bitsets (`TreeBitsets.swift`)
  /// where it would otherwise use the k-d tree (past the box bitsets' limit). Measured faster
  /// than the tree in 5 dimensions while the tree scanned its leaves one point at a time
  /// (tree/tree-bitsets CPU time 1.5× at N = 10⁵, 1.4× at 3·10⁵); since the tree scans them four
  /// at a time in SIMD lanes (`KDTree.swift`) it is as fast in 5 dimensions at 10⁵ and faster
  /// beyond (KSG 5 + 5 marginal counts at the joint radii, `ibplane-bench ksg-engines`, wall s:
  /// 0.79 vs 0.77 at 10⁵, 3.91 vs 4.12 at 3·10⁵, 19.5 vs 26.8 at 10⁶), so 5 dimensions left the
  /// range. 6–7 dimensions are not re-measured and keep them.
  public static let treeBitsetsCountDimensions = 6..<8

  /// Smallest max-norm dimension for which `.automatic` searches neighbours with box bitsets.
  public static let boxBitsetsMinimumDimension = 10
  /// Smallest max-norm dimension for which `.automatic` counts with box bitsets.
  public static let boxBitsetsMinimumCountDimension = 4
  /// Largest N for which `.automatic` uses box bitsets. Their per-query cost grows linearly with
  /// N (O(N² d / 64) in all), a k-d tree's only slowly, so past a crossover that rises with the
  /// dimension (the tree degrades) the tree wins. Measured with `ibplane-bench ksg-engines`
  /// (both engines forced, KSG at the joint radii, 2 workers; wall s, box vs tree):
  /// - kNN in 10–11 dimensions: 40,000 (5 + 5: 0.057 vs 0.054 at 10⁴, 0.23 vs 0.24 at 3·10⁴;
  ///   with the SIMD slab search, 0.72 vs 0.64 at 6·10⁴, 1.9 vs 1.3 at 10⁵);
  /// - kNN in 12–15 dimensions: 120,000 (7 + 7: 3.5 vs 4.1 at 10⁵);
  /// - counts in 4–5 dimensions: 80,000 (5-d marginals with the SIMD slab search: 0.29 vs 0.38 at
  ///   6·10⁴, 0.84 vs 0.80 at 10⁵); in 6–7: 120,000 (7-d: 1.23 vs 2.06 at 10⁵);
  /// - from 16 dimensions for kNN and 8 for counts the tree degenerates towards a scan and the
  ///   bitsets are kept up to the memory cap, 400,000.
  public static func boxBitsetsMaximumSamples(dimension: Int, counts: Bool) -> Int {
    if counts { return dimension >= 8 ? 400_000 : dimension >= 6 ? 120_000 : 80_000 }
    return dimension >= 16 ? 400_000 : dimension >= 12 ? 120_000 : 40_000
  }

  /// The k nearest neighbours of every row of `points` among the other rows.
  ///
  /// - Parameters:
  ///   - blocks: column ranges partitioning `0..<points.columns` (default: one block).
  /// - Returns: for row i, neighbours `i*k ..< (i+1)*k` ordered by (distance, index).
  public func kNearest<S: BLASScalar>(_ points: Matrix<S>, k: Int, blocks: [Range<Int>]? = nil) throws -> NeighborList {
    let set = try _NeighborPoints(points, blocks: blocks, metric: metric)
    guard k >= 1, k < set.count else {
      throw NumericsError.invalidParameter("k = \(k) needs 1 ≤ k < number of samples (\(set.count))")
    }
    var list = _kNearestReduced(set, k: k)
    list.toDistances(metric: metric)
    return list
  }

  /// For each row i, the number of other rows j with d(x_i, x_j) < radii[i] (`inclusive`
  /// false, "strictly inside", as scikit-learn's KSG does with `nextafter(ε, 0)`) or
  /// ≤ radii[i] (`inclusive` true, KSG estimator 2). Euclidean distances are compared in
  /// squared form, ‖Δ‖² < r² (as scikit-learn's `rdist`), so no square root is rounded.
  public func countWithinRadius<S: BLASScalar>(
    _ points: Matrix<S>, radii: [Double], inclusive: Bool, blocks: [Range<Int>]? = nil
  ) throws -> [Int] {
    let set = try _NeighborPoints(points, blocks: blocks, metric: metric)
    guard radii.count == set.count else {
      throw NumericsError.shapeMismatch("\(radii.count) radii for \(set.count) points")
    }
    let reduced = radii.map { metric == .euclidean ? $0 * $0 : $0 }
    return _countReduced(set, reducedRadii: reduced, inclusive: inclusive)
  }

  // MARK: Reduced-distance entry points used by the estimators

  /// k nearest neighbours with *reduced* distances (max-norm: the distance; Euclidean: the
  /// squared distance), so that estimators can compare radii without a square-root round trip.
  package func _kNearestReduced(_ set: _NeighborPoints, k: Int) -> NeighborList {
    switch resolvedAlgorithm(samples: set.count, dimension: set.dimension) {
    case .kdTree:
      // Max-norm in 1 to 4 dimensions (KSG's joint space at 1 + 1 and 2 + 2): the specialised
      // balanced tree (`LowDimensionTree.swift`), same results.
      if !set.euclidean && set.dimension <= 4 && k <= _LowDimensionTree<SIMD2<Double>>.maximumK
        && set.count <= Int(Int32.max)
      {
        return set.dimension <= 2
          ? _LowDimensionTree<SIMD2<Double>>(set, threads: threads).kNearest(k: k, threads: threads)
          : _LowDimensionTree<SIMD4<Double>>(set, threads: threads).kNearest(k: k, threads: threads)
      }
      return _KDTree(set).kNearest(k: k, threads: threads)
    case .boxBitsets:
      return _boxKNearest(set, k: k)
    case .treeBitsets:
      return _TreeBitsets(set).kNearest(k: k, threads: threads)
    default:
      return _BruteForceNeighbors(set).kNearest(k: k, threads: threads)
    }
  }

  /// Radius counts with reduced radii (see `_kNearestReduced`).
  package func _countReduced(_ set: _NeighborPoints, reducedRadii: [Double], inclusive: Bool) -> [Int] {
    if set.dimension == 1 && algorithm == .automatic && !set.euclidean {
      return _SortedCounts1D(set).count(values: set.data, reducedRadii: reducedRadii, inclusive: inclusive, threads: threads)
    }
    if set.dimension == 2 && algorithm == .automatic && !set.euclidean {
      return _SweepCounts2D(set).count(radii: reducedRadii, inclusive: inclusive, threads: threads)
    }
    switch resolvedCountAlgorithm(samples: set.count, dimension: set.dimension) {
    case .kdTree:
      return _KDTree(set).count(reducedRadii: reducedRadii, inclusive: inclusive, threads: threads)
    case .boxBitsets:
      return _BoxBitsets(set, order: _KDTree(set, lanes: false).order).count(
        dims: 0..<set.dimension, radii: reducedRadii, inclusive: inclusive, threads: threads)
    case .treeBitsets:
      return _TreeBitsets(set).count(reducedRadii: reducedRadii, inclusive: inclusive, threads: threads)
    default:
      return _BruteForceNeighbors(set).count(reducedRadii: reducedRadii, inclusive: inclusive, threads: threads)
    }
  }

  /// kNN through box bitsets (`box`, built over `set` in k-d-tree leaf order when not given):
  /// upper bounds from the k nearest among each point's neighbours in that order, then the
  /// exact search inside that box.
  package func _boxKNearest(_ set: _NeighborPoints, k: Int, box: _BoxBitsets? = nil) -> NeighborList {
    let box = box ?? _BoxBitsets(set, order: _KDTree(set, lanes: false).order)
    let bounds =
      box.windowBounds(k: k, window: _leafOrderWindow(n: set.count, k: k), threads: threads)
      ?? _leafOrderBounds(set, order: box.order, k: k, threads: threads)
    return box.kNearest(k: k, upperBounds: bounds, threads: threads)
  }

  /// For each point, the k-th smallest max-norm distance to its ±m neighbours in `order` (an
  /// upper bound on its k-th neighbour distance: these are k actual other points), m the
  /// largest power of two ≤ √N / 2, at least 32 and k.
  ///
  /// Why the window grows with N: a box-bitset kNN query checks every row its bound's box
  /// holds, and in 20 dimensions that box grows as (bound / k-th distance)^20. At 10 + 10,
  /// N = 10⁵, ±32 left bounds 1.34× the k-th distance on average and 500 candidates per query;
  /// ±128, 1.25× and 205 candidates: joint kNN 2.14 → 1.74 s (2 workers). The best window
  /// measured (`ksg-engines`, box bitsets, 10 + 10): ±32 at N = 10⁴ (±128: 0.062 → 0.073 s),
  /// ±64 at 3·10⁴ (0.41 → 0.29 s), ±128 at 10⁵, ±128 to ±256 at 3·10⁵ (12.9 → 9.2–9.6 s).
  ///
  /// With AVX2 box bitsets compute the same bounds from their own rows, which are in this order
  /// (`_BoxBitsets.windowBounds`); this loop serves other machines and the tests.
  func _leafOrderBounds(_ set: _NeighborPoints, order: [Int], k: Int, threads: Int) -> [Double] {
    let n = set.count
    let d = set.dimension
    let m = _leafOrderWindow(n: n, k: k)
    var bounds = [Double](repeating: .infinity, count: n)
    bounds.withUnsafeMutableBufferPointer { bp in
      let out = bp.baseAddress!
      set.data.withUnsafeBufferPointer { xp in
        order.withUnsafeBufferPointer { op in
          _forEachChunk(n, threads: threads) { range in
            let hd = UnsafeMutablePointer<Double>.allocate(capacity: k)
            let hi = UnsafeMutablePointer<Int>.allocate(capacity: k)
            defer { hd.deallocate(); hi.deallocate() }
            for t in range {
              let i = op[t]
              var heap = _NeighborHeap(distances: hd, indices: hi, capacity: k)
              let lo = Swift.max(0, Swift.min(t - m, n - 1 - 2 * m))
              let hiT = Swift.min(n, lo + 2 * m + 1)
              for u in lo..<hiT where u != t {
                let j = op[u]
                let r = set.reducedDistance(xp.baseAddress! + i * d, xp.baseAddress! + j * d, exceeding: heap.bound)
                if r <= heap.bound { heap.offer(r, j) }
              }
              out[i] = heap.bound
            }
          }
        }
      }
    }
    return bounds
  }

  /// The half-width m of `_leafOrderBounds`' windows: the largest power of two ≤ √n / 2, at
  /// least 32 and k.
  func _leafOrderWindow(n: Int, k: Int) -> Int {
    var window = 32
    while window * 4 * window * 4 <= n { window *= 2 }
    return Swift.max(window, k)
  }

  /// A copy of `m` with i.i.d. N(0, (scale·s_j)²) added to column j, s_j = max(1, mean |x_j|)
  /// — the tie-breaking jitter of KSG practice (scikit-learn uses scale = 1e-10). Seeded.
  public static func jittered<S: BLASScalar>(_ m: Matrix<S>, scale: Double, seed: UInt64) -> Matrix<Double> {
    var out = m.converted(to: Double.self)
    let rng = RandomSource(seed: seed)
    var level = [Double](repeating: 0, count: m.columns)
    for i in 0..<m.rows { for j in 0..<m.columns { level[j] += abs(out[i, j]) } }
    for j in 0..<m.columns { level[j] = Swift.max(1, level[j] / Double(Swift.max(m.rows, 1))) }
    for i in 0..<m.rows { for j in 0..<m.columns { out[i, j] += scale * level[j] * rng.normal() } }
    return out
  }
}

/// The k nearest neighbours of every point: row i's neighbours are `i*k ..< (i+1)*k`,
/// ordered by (distance, index).
public struct NeighborList: Sendable, Equatable {
  public var k: Int
  public var indices: [Int]
  /// Distances in the metric's units (reduced — squared for Euclidean — inside the engine).
  public var distances: [Double]

  /// Distance from point i to its k-th neighbour.
  public func kthDistance(_ i: Int) -> Double { distances[i * k + k - 1] }

  mutating func toDistances(metric: NearestNeighbors.Metric) {
    if metric == .euclidean { for t in distances.indices { distances[t] = distances[t].squareRoot() } }
  }
}

/// A point set prepared for neighbour search: Double coordinates, row-major, with the block
/// split and the norm. Distances are handled in *reduced* form: max-norm blocks combine as
/// max |Δ|; Euclidean blocks as max_b Σ_{j∈b} Δ_j² (the square of the true distance).
package struct _NeighborPoints: Sendable {
  let data: [Double]
  let count: Int
  let dimension: Int
  let blocks: [Range<Int>]
  let euclidean: Bool

  package init<S: BLASScalar>(_ m: Matrix<S>, blocks: [Range<Int>]?, metric: NearestNeighbors.Metric) throws {
    if let i = m.firstNonFiniteIndex() {
      throw NumericsError.nonFinite("row \(i / Swift.max(m.columns, 1)), column \(i % Swift.max(m.columns, 1))")
    }
    guard m.columns > 0 else { throw NumericsError.shapeMismatch("points have no columns") }
    let b = blocks ?? [0..<m.columns]
    var next = 0
    for r in b {
      guard r.lowerBound == next, !r.isEmpty else {
        throw NumericsError.invalidParameter("blocks \(b) do not partition 0..<\(m.columns) into consecutive non-empty ranges")
      }
      next = r.upperBound
    }
    guard next == m.columns else {
      throw NumericsError.invalidParameter("blocks \(b) do not cover 0..<\(m.columns)")
    }
    // Distances of larger values overflow (a squared Euclidean one above 1e154, a max-norm
    // difference above 9e307) and every comparison after them is meaningless: refuse them here,
    // below the estimators' own preprocessing (which brings data to unit scale).
    let largest = _PowerOfTwo.largestMagnitude(m)
    let limit = metric == .euclidean ? NearestNeighbors.euclideanMagnitudeRange.upperBound : 1e300
    guard largest <= limit else {
      throw NumericsError.tooLarge(
        "kNN points with |value| up to \(largest): \(metric.rawValue) distances overflow above \(limit); standardise or rescale the data")
    }
    // A bit cast for Double (the same storage); `as? [Double]` would copy element by element.
    self.data = S.self == Double.self ? unsafeBitCast(m.elements, to: [Double].self) : m.elements.map { Double($0) }
    self.count = m.rows
    self.dimension = m.columns
    self.euclidean = metric == .euclidean
    // Max-norm blocks combine into one max-norm: a single block is equivalent and faster.
    self.blocks = euclidean ? b : [0..<m.columns]
  }

  /// Reduced distance between rows i and j of this set.
  @inline(__always)
  package func reducedDistance(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>) -> Double {
    if !euclidean {
      var m = 0.0
      for c in 0..<dimension { let v = abs(p[c] - q[c]); if v > m { m = v } }
      return m
    }
    var best = 0.0
    for b in blocks {
      var s = 0.0
      for c in b { let v = p[c] - q[c]; s += v * v }
      if s > best { best = s }
    }
    return best
  }

  /// Reduced distance that may stop early once it exceeds `bound` (the value returned is then
  /// some number > bound).
  @inline(__always)
  func reducedDistance(_ p: UnsafePointer<Double>, _ q: UnsafePointer<Double>, exceeding bound: Double) -> Double {
    if !euclidean {
      var m = 0.0
      var c = 0
      while c < dimension {
        let end = Swift.min(dimension, c + 8)
        while c < end { let v = abs(p[c] - q[c]); if v > m { m = v }; c += 1 }
        if m > bound { return m }
      }
      return m
    }
    var best = 0.0
    for b in blocks {
      var s = 0.0
      for c in b { let v = p[c] - q[c]; s += v * v }
      if s > best { best = s; if best > bound { return best } }
    }
    return best
  }
}

/// A bounded max-heap of (distance, index) pairs in caller-owned storage: the current k best
/// neighbours of one query, worst on top. Order is lexicographic on (distance, index).
struct _NeighborHeap {
  let d: UnsafeMutablePointer<Double>
  let ix: UnsafeMutablePointer<Int>
  let capacity: Int
  var size = 0

  init(distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>, capacity: Int) {
    self.d = distances
    self.ix = indices
    self.capacity = capacity
  }

  @inline(__always) func worse(_ a: Int, _ b: Int) -> Bool { d[a] > d[b] || (d[a] == d[b] && ix[a] > ix[b]) }

  /// The distance a candidate must not exceed to possibly enter (∞ until full).
  @inline(__always) var bound: Double { size < capacity ? .infinity : d[0] }

  /// Offers (dist, j); keeps the k lexicographically smallest.
  @inline(__always) mutating func offer(_ dist: Double, _ j: Int) {
    if size < capacity {
      var c = size
      size += 1
      d[c] = dist
      ix[c] = j
      while c > 0 {
        let p = (c - 1) / 2
        if worse(c, p) { swapAt(c, p); c = p } else { break }
      }
      return
    }
    if dist > d[0] || (dist == d[0] && j > ix[0]) { return }
    d[0] = dist
    ix[0] = j
    var p = 0
    while true {
      let l = 2 * p + 1
      if l >= size { break }
      var c = l
      if l + 1 < size && worse(l + 1, l) { c = l + 1 }
      if worse(c, p) { swapAt(c, p); p = c } else { break }
    }
  }

  @inline(__always) func swapAt(_ a: Int, _ b: Int) {
    let td = d[a]; d[a] = d[b]; d[b] = td
    let ti = ix[a]; ix[a] = ix[b]; ix[b] = ti
  }

  /// Sorts the stored pairs ascending by (distance, index), in place.
  func sortAscending() {
    var pairs = (0..<size).map { (d[$0], ix[$0]) }
    pairs.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    for (t, p) in pairs.enumerated() { d[t] = p.0; ix[t] = p.1 }
  }
}

/// Splits 0..<n into `8 × workers` contiguous chunks (at most n), workers being
/// `min(threads, Parallel.maximumThreads)`, and runs `body(range)` on each. Eight per worker,
/// not one: query costs vary (a k-d tree query in a dense region visits more leaves), and
/// the pool hands chunks out dynamically, so small chunks let a worker that drew cheap ones
/// take more; per-chunk set-up (scratch buffers) stays negligible. Callers write per-query
/// slots, so the chunking never changes a result.
func _forEachChunk(_ n: Int, threads: Int, _ body: (Range<Int>) -> Void) {
  let workers = Swift.min(threads, Parallel.maximumThreads)
  let chunks = Swift.min(n, Swift.max(1, workers * 8))
  if chunks == 0 { return }
  Parallel.forEach(chunks, threads: threads) { c in
    let lo = n * c / chunks
    let hi = n * (c + 1) / chunks
    if lo < hi { body(lo..<hi) }
  }
}
