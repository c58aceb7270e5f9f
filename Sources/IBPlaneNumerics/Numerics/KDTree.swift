import CNative
#if canImport(Glibc)
  import Glibc
#endif

/// A k-d tree over a `_NeighborPoints` set, for exact kNN and radius counts in low dimension.
///
/// Build: recursive median split (quickselect) on the coordinate of largest spread, leaves of at
/// most `leafSize` points, each node keeping the tight bounding box of its points; points are
/// copied in leaf order so a leaf scan is contiguous. O(N log N) expected. Splits fall on
/// positions that are multiples of 8 (the median rounded down), so every leaf starts on an
/// 8-aligned position and, under the max-norm, is scanned four points at a time in `SIMD4` lanes
/// from a coordinate-major copy (`lanes`: for each group of four positions, coordinate c of the
/// four points side by side) — branch-free, where a point-at-a-time scan with an early exit
/// mispredicts on about every other point of a straddling leaf. Each lane decides
/// |p_c − q_c| < r (≤ r) per coordinate on the same double difference as the scalar scan, and a
/// kNN candidate's distance is then computed by the scalar code, so distances, counts and
/// neighbour lists are unchanged (`NearestNeighborsTests.maxNormTreeLanesAreExact`).
///
/// Queries (Bentley 1975; Friedman, Bentley & Finkel 1977): depth-first, nearer child first,
/// a node is skipped when the reduced distance from the query to its box exceeds the current
/// bound. A node is visited when that distance *equals* the bound, so points tied with the
/// k-th neighbour are seen and the (distance, index) tie rule holds exactly. Radius counts
/// add a whole node at once when its farthest corner is inside the radius.
///
/// On processors with AVX2 the max-norm queries run C kernels compiled for AVX2
/// (`CNative/knn_kernels.h`: Swift code is compiled for baseline x86-64, where a
/// `SIMD4<Double>` is two 128-bit operations). They visit the same nodes and return the same
/// counts and lists as the Swift loops below, which other processors run and the tests compare
/// (`init(_:lanes:avx2:)`). Measured at KSG 5 + 5, one thread (`ibplane-bench ksg-profile`,
/// `IBPLANE_KDTREE_AVX2=0` for the Swift loops): at N = 10⁵ marginal counts 1.70 → 1.40 s, the
/// joint kNN unchanged (1.55 s); at 3·10⁵ marginal counts 8.9 → 6.9 s, the joint kNN
/// 7.1–7.5 → 6.4–6.6 s. The kernels walk the tree with an explicit stack rather than by
/// recursion (same nodes, in the same order) and a kNN leaf group offers only its lanes within
/// the bound: at 3·10⁵ counts 6.6–7.0 → 6.2–6.5 s, joint kNN 6.1–6.5 → 5.4–6.0 s; the whole
/// estimate at N = 10⁶ on 2 workers 45.9–46.6 → 40.1–41.3 s (`ibplane-bench ksg-growth`).
///
/// The kernels also keep float copies of the points and node boxes (`lanes32`, `box32`,
/// centred) and pre-test in floats, eight points per instruction and half the bytes: a point or
/// node is decided by a float test only when the float difference is farther from the radius
/// (or kNN bound) than `margin32`, a proved bound on its distance from the double difference;
/// everything else is decided by the double test, so counts, lists and tie rules do not change
/// (`NearestNeighborsTests.floatPreTestsAreExact`, on data built to sit within float rounding of
/// the radius, with heavy tails, and with a far outlier that makes the margin too large for the
/// float tests). With leaves of 64 (were 32): at 3·10⁵ one thread, count 5.9–6.0 → 3.4 s, joint
/// kNN 5.4–5.8 → 3.9–4.1 s; the whole estimate at N = 10⁵ 1.64 → 1.18 s, at N = 10⁶
/// 37.7–38.1 → 25.5–26.0 s (`bench/results/ksg-growth.md`, stop 31).
// @unchecked Sendable: every `var` is assigned while building in `init` and only read after it
// (concurrent queries share the tree read-only).
package final class _KDTree: @unchecked Sendable {
  static let leafSize = 64
  /// Whether max-norm queries run the AVX2 kernels (`init`'s `avx2` and the processor).
  let avx2: Bool

  let set: _NeighborPoints
  /// Coordinates in leaf order (row t is original point `order[t]`).
  private(set) var points: [Double]
  package private(set) var order: [Int]
  /// Position of original point i in `order`.
  private var position: [Int]
  private var lo: [Int] = []
  private var hi: [Int] = []
  private var left: [Int] = []
  private var right: [Int] = []
  private var boxMin: [Double] = []
  private var boxMax: [Double] = []
  /// Coordinate-major copy in groups of four positions: coordinate c of position t is
  /// `lanes[(t / 4 * d + c) * 4 + t % 4]` (empty for Euclidean sets and trees built with
  /// `lanes: false`).
  private var lanes: [Double] = []
  /// Node boxes for the max-norm lane searches: node v's lower corner in
  /// `boxLanes[v * 2g ..< v * 2g + g]` and upper corner in the next g, g = ⌈d/4⌉, coordinates
  /// padded with zeros (a padded query is zero there too, so padding adds gaps of 0).
  private var boxLanes: [SIMD4<Double>] = []
  /// Float copies for the AVX2 kernels' pre-tests (empty without AVX2, for d > 64, or for
  /// coordinates too large for Float): coordinate c of position t, less `center32[c]`, at
  /// `lanes32[(t / 8 * d + c) * 8 + t % 8]`. `margin32` bounds the difference between a
  /// coordinate difference taken on these and the double difference of the originals.
  private var lanes32: [Float] = []
  /// Node boxes as floats for the float pre-tests: node v's lower corner at `v * 2 g8 * 8`, upper
  /// at `(v * 2 g8 + g8) * 8`, g8 = ⌈d/8⌉, zeros after d; coordinates less `center32`, as in
  /// `lanes32`.
  private var box32: [Float] = []
  private var center32: [Double] = []
  private var margin32 = 0.0

  /// - Parameter lanes: build the coordinate-major copies the max-norm searches scan (`lanes`,
  ///   `boxLanes`); false for callers that only use `order` or `points` (box and tree bitsets,
  ///   brute force), which saves 8 N d bytes and their copy.
  ///   - avx2: run the max-norm queries through the AVX2 kernels (`CNative/knn_kernels.h`)
  ///     when the processor has AVX2; false keeps the Swift loops (same results; tests compare).
  package init(_ set: _NeighborPoints, lanes withLanes: Bool = true, avx2: Bool = true) {
    self.set = set
    self.avx2 = avx2 && _KDTreeView.avx2Kernels
    let n = set.count
    let d = set.dimension
    var order = Array(0..<n)
    self.points = []
    self.order = []
    self.position = []
    set.data.withUnsafeBufferPointer { x in
      order.withUnsafeMutableBufferPointer { o in
        _ = build(x, o, 0, n, d)
      }
    }
    self.order = order
    var pts = [Double](repeating: 0, count: n * d)
    var pos = [Int](repeating: 0, count: n)
    for (t, i) in order.enumerated() {
      pos[i] = t
      for c in 0..<d { pts[t * d + c] = set.data[i * d + c] }
    }
    self.points = pts
    self.position = pos
    if withLanes && !set.euclidean {
      let groups = (n + 3) / 4
      var ln = [Double](repeating: 0, count: groups * 4 * d)
      for t in 0..<n {
        for c in 0..<d { ln[(t / 4 * d + c) * 4 + t % 4] = pts[t * d + c] }
      }
      self.lanes = ln
      let g = (d + 3) / 4
      let nodes = lo.count
      var bl = [SIMD4<Double>](repeating: SIMD4(), count: nodes * 2 * g)
      for v in 0..<nodes {
        for c in 0..<d {
          bl[v * 2 * g + c / 4][c % 4] = boxMin[v * d + c]
          bl[v * 2 * g + g + c / 4][c % 4] = boxMax[v * d + c]
        }
      }
      self.boxLanes = bl
      if self.avx2 && d <= 64 && n > 0 {
        // Float copies (for the AVX2 kernels' float pre-tests), centred on the root box's
        // midpoint so the margin scales with the data's spread, not its offset. Every rounded
        // value is fl32(fl64(x − centre)); with A the largest |fl64(x − centre)|, two such
        // differences are within 4·2⁻²⁴·A (plus a subnormal term) of the double difference of
        // the originals (three float roundings of values ≤ 2A, one double rounding), so a margin
        // of 8·2⁻²⁴·A + 2⁻¹⁴⁰ bounds it with room for the double roundings of r ± margin (see
        // `CNative/knn_kernels.h`). Rounding is monotone, so A is reached at the root box's
        // corners (node 0: each coordinate's minimum and maximum).
        let center = (0..<d).map { c in boxMin[c] / 2 + boxMax[c] / 2 }
        var a = 0.0
        for c in 0..<d { a = Swift.max(a, Swift.abs(boxMin[c] - center[c]), Swift.abs(boxMax[c] - center[c])) }
        if a < 1e30 {
          let g8 = (d + 7) / 8
          var l32 = [Float](repeating: 0, count: (n + 7) / 8 * 8 * d)
          for t in 0..<n {
            for c in 0..<d { l32[(t / 8 * d + c) * 8 + t % 8] = Float(pts[t * d + c] - center[c]) }
          }
          let nodes = lo.count
          var b32 = [Float](repeating: 0, count: nodes * 2 * g8 * 8)
          for v in 0..<nodes {
            for c in 0..<d {
              b32[v * 2 * g8 * 8 + c] = Float(boxMin[v * d + c] - center[c])
              b32[(v * 2 * g8 + g8) * 8 + c] = Float(boxMax[v * d + c] - center[c])
            }
          }
          self.lanes32 = l32
          self.box32 = b32
          self.center32 = center
          self.margin32 = a * 0x1p-21 + 0x1p-140
        }
      }
    }
  }

  /// Builds the node for `o[l..<h]`; returns its id.
  private func build(_ x: UnsafeBufferPointer<Double>, _ o: UnsafeMutableBufferPointer<Int>, _ l: Int, _ h: Int, _ d: Int) -> Int {
    let id = lo.count
    lo.append(l)
    hi.append(h)
    left.append(-1)
    right.append(-1)
    var mn = [Double](repeating: .infinity, count: d)
    var mx = [Double](repeating: -.infinity, count: d)
    for t in l..<h {
      let base = o[t] * d
      for c in 0..<d {
        let v = x[base + c]
        if v < mn[c] { mn[c] = v }
        if v > mx[c] { mx[c] = v }
      }
    }
    boxMin.append(contentsOf: mn)
    boxMax.append(contentsOf: mx)
    if h - l <= Self.leafSize { return id }
    var dim = 0
    var spread = -1.0
    for c in 0..<d where mx[c] - mn[c] > spread { spread = mx[c] - mn[c]; dim = c }
    if spread <= 0 { return id }  // all points equal: keep as one leaf
    // The median rounded down to a multiple of 8 (l is one, and h − l > leafSize ≥ 16 keeps
    // l < mid < h), so leaves start 8-aligned: four-point lanes in double and eight-point lanes
    // in float both start at a leaf's first position.
    let mid = ((l + h) / 2) & ~7
    Self.select(x, o, l, h, mid, dim, d)
    let a = build(x, o, l, mid, d)
    let b = build(x, o, mid, h, d)
    left[id] = a
    right[id] = b
    return id
  }

  /// Quickselect: rearranges o[l..<h] so that o[k] holds the element of rank k - l by
  /// coordinate `dim`, smaller-or-equal ones before it and larger-or-equal after.
  private static func select(
    _ x: UnsafeBufferPointer<Double>, _ o: UnsafeMutableBufferPointer<Int>, _ l0: Int, _ h0: Int, _ k: Int, _ dim: Int, _ d: Int
  ) {
    var l = l0
    var r = h0 - 1
    while r > l {
      // Median of three as pivot, deterministic.
      let m = (l + r) / 2
      let a = x[o[l] * d + dim], b = x[o[m] * d + dim], c = x[o[r] * d + dim]
      let pivot = Swift.max(Swift.min(a, b), Swift.min(Swift.max(a, b), c))
      var i = l
      var j = r
      while i <= j {
        while x[o[i] * d + dim] < pivot { i += 1 }
        while x[o[j] * d + dim] > pivot { j -= 1 }
        if i <= j { o.swapAt(i, j); i += 1; j -= 1 }
      }
      if k <= j { r = j } else if k >= i { l = i } else { return }
    }
  }

  // MARK: Queries

  /// Runs `body` with raw pointers to the tree's arrays (no per-access exclusivity or
  /// reference-counting work in the hot recursion).
  func withView<R>(_ body: (_KDTreeView) -> R) -> R {
    let laned = !boxLanes.isEmpty  // built only for max-norm trees with lanes
    return lo.withUnsafeBufferPointer { lo in
      hi.withUnsafeBufferPointer { hi in
        left.withUnsafeBufferPointer { left in
          right.withUnsafeBufferPointer { right in
            order.withUnsafeBufferPointer { order in
              points.withUnsafeBufferPointer { pts in
                boxMin.withUnsafeBufferPointer { bmin in
                  boxMax.withUnsafeBufferPointer { bmax in
                    lanes.withUnsafeBufferPointer { ln in
                      boxLanes.withUnsafeBufferPointer { bl in
                       lanes32.withUnsafeBufferPointer { l32 in
                        box32.withUnsafeBufferPointer { b32 in
                        center32.withUnsafeBufferPointer { c32 in
                        body(
                          _KDTreeView(
                            lo: lo.baseAddress!, hi: hi.baseAddress!, left: left.baseAddress!, right: right.baseAddress!,
                            order: order.baseAddress!, points: pts.baseAddress!, boxMin: bmin.baseAddress!,
                            boxMax: bmax.baseAddress!, lanes: laned ? ln.baseAddress : nil,
                            boxLanes: laned ? bl.baseAddress : nil,
                            lanes32: l32.isEmpty ? nil : l32.baseAddress, box32: b32.baseAddress, center32: c32.baseAddress,
                            margin32: margin32, set: set, avx2: avx2))
                        }
                        }
                       }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  func kNearest(k: Int, threads: Int) -> NeighborList {
    let n = set.count
    let d = set.dimension
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        let dBase = dp.baseAddress!
        let iBase = ip.baseAddress!
        position.withUnsafeBufferPointer { position in
          withView { view in
            if var c = view.avx2View {
              // The same search compiled for AVX2 (`CNative/knn_kernels.h`).
              _forEachChunk(n, threads: threads) { range in
                ibp_kd_nearest_range_avx2(&c, k, range.lowerBound, range.upperBound, dBase, iBase)
                for t in range {
                  let i = view.order[t]
                  var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                  heap.size = k  // full: there are n − 1 ≥ k other points
                  heap.sortAscending()
                }
              }
              return
            }
            _forEachChunk(n, threads: threads) { range in
              let query = _KDTreeView.PaddedQuery(dimension: d)
              defer { query.free() }
              // Queries in leaf order: consecutive queries are close in space and share cache lines.
              for t in range {
                let i = view.order[t]
                let q = view.points + t * d
                var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                if view.lanes != nil {
                  query.load(q)
                  view.searchNearestLanes(0, q, query.lanes, i, &heap)
                } else {
                  view.searchNearest(0, q, i, &heap)
                }
                heap.sortAscending()
              }
            }
          }
        }
      }
    }
    return NeighborList(k: k, indices: idx, distances: dist)
  }

  func count(reducedRadii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    let n = set.count
    let d = set.dimension
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { cp in
      let cBase = cp.baseAddress!
      position.withUnsafeBufferPointer { position in
        reducedRadii.withUnsafeBufferPointer { radii in
          withView { view in
            _forEachChunk(n, threads: threads) { range in
              let query = _KDTreeView.PaddedQuery(dimension: d)
              defer { query.free() }
              var counted = false
              if var c = view.avx2View {
                // The same search compiled for AVX2 (`CNative/knn_kernels.h`); it leaves
                // inclusive radii of 0 (marked −1) to the loop below.
                ibp_kd_count_range_avx2(&c, radii.baseAddress!, inclusive ? 1 : 0, range.lowerBound, range.upperBound, cBase)
                counted = true
              }
              for t in range {
                let i = view.order[t]
                if counted && cBase[i] >= 0 { continue }
                let q = view.points + t * d
                let r = radii[i]
                var c: Int
                if view.lanes != nil {
                  query.load(q)
                  c = view.countWithinLanes(0, q, query.lanes, r, inclusive)
                } else {
                  c = view.countWithin(0, q, r, inclusive)
                }
                // The point itself was counted iff 0 is inside the radius.
                if inclusive ? 0 <= r : 0 < r { c -= 1 }
                cBase[i] = c
              }
            }
          }
        }
      }
    }
    return counts
  }
}

/// Raw-pointer view of a `_KDTree` for the duration of a query batch.
// @unchecked Sendable: read-only pointers into a live `_KDTree`, used only inside
// `withUnsafeBufferPointer` scopes of the tree that owns the storage.
struct _KDTreeView: @unchecked Sendable {
  let lo: UnsafePointer<Int>
  let hi: UnsafePointer<Int>
  let left: UnsafePointer<Int>
  let right: UnsafePointer<Int>
  let order: UnsafePointer<Int>
  let points: UnsafePointer<Double>
  let boxMin: UnsafePointer<Double>
  let boxMax: UnsafePointer<Double>
  /// `_KDTree.lanes` (nil for Euclidean sets, which take the scalar scans, and trees built
  /// without lanes).
  let lanes: UnsafePointer<Double>?
  /// `_KDTree.boxLanes` (nil when `lanes` is).
  let boxLanes: UnsafePointer<SIMD4<Double>>?
  /// `_KDTree.lanes32` (nil when empty), `box32`, `center32` and `margin32`.
  let lanes32: UnsafePointer<Float>?
  let box32: UnsafePointer<Float>?
  let center32: UnsafePointer<Double>?
  let margin32: Double
  let set: _NeighborPoints
  /// `_KDTree.avx2`.
  let avx2: Bool

  /// Whether the processor runs the AVX2 kernels of `CNative/knn_kernels.h`
  /// (`IBPLANE_KDTREE_AVX2=0` turns them off, for comparisons).
  static let avx2Kernels: Bool = {
    if let v = getenv("IBPLANE_KDTREE_AVX2"), String(cString: v) == "0" { return false }
    return ibp_kd_avx2_available() != 0
  }()

  /// The C view of the tree for the AVX2 kernels, or nil when they do not apply.
  var avx2View: ibp_kd_view? {
    guard avx2, let lanes, let boxLanes else { return nil }
    return ibp_kd_view(
      lo: lo, hi: hi, left: left, right: right, order: order, points: points, lanes: lanes,
      box_lanes: UnsafeRawPointer(boxLanes).assumingMemoryBound(to: Double.self), d: set.dimension,
      lanes32: lanes32, box32: box32, center: center32, margin: margin32)
  }

  /// A query's coordinates in ⌈d/4⌉ `SIMD4` lanes, zeros after d (per-worker scratch).
  struct PaddedQuery {
    let lanes: UnsafeMutablePointer<SIMD4<Double>>
    let dimension: Int
    init(dimension: Int) {
      self.dimension = dimension
      lanes = .allocate(capacity: (dimension + 3) / 4)
      lanes.initialize(repeating: SIMD4(), count: (dimension + 3) / 4)
    }
    @inline(__always) func load(_ q: UnsafePointer<Double>) {
      for c in 0..<dimension { lanes[c / 4][c % 4] = q[c] }
    }
    func free() { lanes.deallocate() }
  }

  /// Lane-wise maximum; `replacing(with:where:)` on a comparison compiles to `maxpd`, where a
  /// floating-point `pointwiseMax` compiles to a branch per lane.
  @inline(__always)
  static func laneMax(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> { a.replacing(with: b, where: b .> a) }

  @inline(__always)
  static func largest(_ m: SIMD4<Double>) -> Double {
    let a = m[0] > m[2] ? m[0] : m[2]
    let b = m[1] > m[3] ? m[1] : m[3]
    return a > b ? a : b
  }

  /// Max-norm distance from the padded query to the node's box (0 inside): the value
  /// `boxNear` computes.
  @inline(__always)
  func boxNearLanes(_ q: UnsafePointer<SIMD4<Double>>, _ node: Int) -> Double {
    let g = (set.dimension + 3) / 4
    let box = boxLanes.unsafelyUnwrapped + node * 2 * g
    var m = SIMD4<Double>()
    for j in 0..<g {
      m = Self.laneMax(m, box[j] - q[j])
      m = Self.laneMax(m, q[j] - box[g + j])
    }
    return Self.largest(m)
  }

  /// Max-norm distances from the padded query to the nearest and farthest point of the node's
  /// box: the values `boxDistances` computes.
  @inline(__always)
  func boxDistancesLanes(_ q: UnsafePointer<SIMD4<Double>>, _ node: Int) -> (near: Double, far: Double) {
    let g = (set.dimension + 3) / 4
    let box = boxLanes.unsafelyUnwrapped + node * 2 * g
    var near = SIMD4<Double>()
    var far = SIMD4<Double>()
    for j in 0..<g {
      let a = box[j] - q[j]
      let b = q[j] - box[g + j]
      near = Self.laneMax(Self.laneMax(near, a), b)
      far = Self.laneMax(Self.laneMax(far, -a), -b)
    }
    return (Self.largest(near), Self.largest(far))
  }

  /// Which of the four points at positions g·4 ..< g·4 + 4 lie within max-norm distance r of q:
  /// every coordinate has |p_c − q_c| < r (≤ when `inclusive`) — the difference and its
  /// magnitude (sign bit cleared, exact) as `_NeighborPoints.reducedDistance` computes them.
  /// One comparison and an AND per coordinate, no max: a floating-point `pointwiseMax` compiles
  /// to a branch per lane.
  @inline(__always)
  func groupWithin(
    _ lanes: UnsafePointer<Double>, _ g: Int, _ q: UnsafePointer<Double>, _ r: SIMD4<Double>, inclusive: Bool
  ) -> SIMDMask<SIMD4<Int64>> {
    let d = set.dimension
    let base = UnsafeRawPointer(lanes + g * d * 4)
    let magnitude = SIMD4<UInt64>(repeating: ~(1 << 63))
    @inline(__always) func distance(_ c: Int) -> SIMD4<Double> {
      let v = base.loadUnaligned(fromByteOffset: c * 32, as: SIMD4<Double>.self) - SIMD4(repeating: q[c])
      return unsafeBitCast(unsafeBitCast(v, to: SIMD4<UInt64>.self) & magnitude, to: SIMD4<Double>.self)
    }
    var inside = SIMDMask<SIMD4<Int64>>(repeating: true)
    if inclusive {
      for c in 0..<d { inside .&= distance(c) .<= r }
    } else {
      for c in 0..<d { inside .&= distance(c) .< r }
    }
    return inside
  }

  /// Reduced distances from q to the nearest and farthest point of the node's box.
  @inline(__always)
  func boxDistances(_ q: UnsafePointer<Double>, _ node: Int) -> (near: Double, far: Double) {
    let d = set.dimension
    let bmin = boxMin + node * d
    let bmax = boxMax + node * d
    if !set.euclidean {
      var near = 0.0
      var far = 0.0
      for c in 0..<d {
        let a = bmin[c] - q[c]
        let b = q[c] - bmax[c]
        let gap = Swift.max(a, b, 0)
        if gap > near { near = gap }
        let f = Swift.max(-a, -b)
        if f > far { far = f }
      }
      return (near, far)
    }
    var near = 0.0
    var far = 0.0
    for blk in set.blocks {
      var sn = 0.0
      var sf = 0.0
      for c in blk {
        let a = bmin[c] - q[c]
        let b = q[c] - bmax[c]
        let gap = Swift.max(a, b, 0)
        sn += gap * gap
        let f = Swift.max(-a, -b)
        sf += f * f
      }
      if sn > near { near = sn }
      if sf > far { far = sf }
    }
    return (near, far)
  }

  /// Reduced distance from q to the node's box (0 inside).
  @inline(__always)
  func boxNear(_ q: UnsafePointer<Double>, _ node: Int) -> Double {
    let d = set.dimension
    let bmin = boxMin + node * d
    let bmax = boxMax + node * d
    if !set.euclidean {
      var near = 0.0
      for c in 0..<d {
        let gap = Swift.max(bmin[c] - q[c], q[c] - bmax[c], 0)
        if gap > near { near = gap }
      }
      return near
    }
    var near = 0.0
    for blk in set.blocks {
      var s = 0.0
      for c in blk {
        let gap = Swift.max(bmin[c] - q[c], q[c] - bmax[c], 0)
        s += gap * gap
      }
      if s > near { near = s }
    }
    return near
  }

  func searchNearest(_ node: Int, _ q: UnsafePointer<Double>, _ self_: Int, _ heap: inout _NeighborHeap) {
    let l = left[node]
    if l < 0 {
      let d = set.dimension
      for t in lo[node]..<hi[node] {
        let j = order[t]
        if j == self_ { continue }
        let bound = heap.bound
        let r = set.reducedDistance(q, points + t * d, exceeding: bound)
        if r <= bound { heap.offer(r, j) }
      }
      return
    }
    let rgt = right[node]
    let dl = boxNear(q, l)
    let dr = boxNear(q, rgt)
    let (first, dFirst, second, dSecond) = dl <= dr ? (l, dl, rgt, dr) : (rgt, dr, l, dl)
    if dFirst <= heap.bound { searchNearest(first, q, self_, &heap) }
    if dSecond <= heap.bound { searchNearest(second, q, self_, &heap) }
  }

  func countWithin(_ node: Int, _ q: UnsafePointer<Double>, _ r: Double, _ inclusive: Bool) -> Int {
    let (near, far) = boxDistances(q, node)
    if inclusive ? near > r : near >= r { return 0 }
    if inclusive ? far <= r : far < r { return hi[node] - lo[node] }
    let l = left[node]
    if l < 0 {
      let d = set.dimension
      var c = 0
      for t in lo[node]..<hi[node] {
        let v = set.reducedDistance(q, points + t * d, exceeding: r)
        if inclusive ? v <= r : v < r { c += 1 }
      }
      return c
    }
    return countWithin(l, q, r, inclusive) + countWithin(right[node], q, r, inclusive)
  }

  /// `searchNearest` for max-norm trees: node boxes and leaves through the lanes (`qp` is q
  /// padded, `PaddedQuery`). Same visits, same offers, same result.
  func searchNearestLanes(
    _ node: Int, _ q: UnsafePointer<Double>, _ qp: UnsafePointer<SIMD4<Double>>, _ self_: Int, _ heap: inout _NeighborHeap
  ) {
    let l = left[node]
    if l < 0 {
      let d = set.dimension
      var t = lo[node]
      let end = hi[node]
      let lanes = self.lanes.unsafelyUnwrapped
      // Four points at a time (leaves start 4-aligned: `_KDTree.build`); only lanes within the
      // bound are offered, in position order, each with its distance computed as the scalar scan
      // computes it.
      while t & 3 == 0 && t + 4 <= end {
        let within = groupWithin(lanes, t >> 2, q, SIMD4(repeating: heap.bound), inclusive: true)
        if any(within) {
          for u in 0..<4 where within[u] {
            let j = order[t + u]
            if j == self_ { continue }
            let bound = heap.bound
            let r = set.reducedDistance(q, points + (t + u) * d, exceeding: bound)
            if r <= bound { heap.offer(r, j) }
          }
        }
        t += 4
      }
      while t < end {
        let j = order[t]
        if j != self_ {
          let bound = heap.bound
          let r = set.reducedDistance(q, points + t * d, exceeding: bound)
          if r <= bound { heap.offer(r, j) }
        }
        t += 1
      }
      return
    }
    let rgt = right[node]
    let dl = boxNearLanes(qp, l)
    let dr = boxNearLanes(qp, rgt)
    let (first, dFirst, second, dSecond) = dl <= dr ? (l, dl, rgt, dr) : (rgt, dr, l, dl)
    if dFirst <= heap.bound { searchNearestLanes(first, q, qp, self_, &heap) }
    if dSecond <= heap.bound { searchNearestLanes(second, q, qp, self_, &heap) }
  }

  /// `countWithin` for max-norm trees through the lanes (`qp` is q padded). Same count.
  func countWithinLanes(
    _ node: Int, _ q: UnsafePointer<Double>, _ qp: UnsafePointer<SIMD4<Double>>, _ r: Double, _ inclusive: Bool
  ) -> Int {
    let (near, far) = boxDistancesLanes(qp, node)
    if inclusive ? near > r : near >= r { return 0 }
    if inclusive ? far <= r : far < r { return hi[node] - lo[node] }
    let l = left[node]
    if l >= 0 {
      return countWithinLanes(l, q, qp, r, inclusive) + countWithinLanes(right[node], q, qp, r, inclusive)
    }
    let d = set.dimension
    var t = lo[node]
    let end = hi[node]
    let lanes = self.lanes.unsafelyUnwrapped
    // Four points at a time (leaves start 4-aligned: `_KDTree.build`), branch-free: each lane
    // adds 1 when inside.
    var acc = SIMD4<Int64>()
    let r4 = SIMD4(repeating: r)
    let one = SIMD4<Int64>(repeating: 1)
    while t & 3 == 0 && t + 4 <= end {
      acc &+= SIMD4<Int64>().replacing(with: one, where: groupWithin(lanes, t >> 2, q, r4, inclusive: inclusive))
      t += 4
    }
    var c = Int(acc.wrappedSum())
    while t < end {
      let v = set.reducedDistance(q, points + t * d, exceeding: r)
      if inclusive ? v <= r : v < r { c += 1 }
      t += 1
    }
    return c
  }
}

