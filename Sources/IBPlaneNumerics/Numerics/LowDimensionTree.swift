import CNative

/// Exact max-norm k nearest neighbours in 1 to 4 dimensions: a balanced k-d tree specialised
/// for the joint space of KSG at 1 + 1 and 2 + 2 dimensions (and Kozachenko–Leonenko up to 4).
///
/// Why a second tree: the general `_KDTree` works for any dimension and either norm through a
/// runtime dimension loop, recursion, explicit child arrays and a heap per query; in 2 and 4
/// joint dimensions, where a query touches only a few leaves, that bookkeeping is most of the
/// cost. Here the dimension is a compile-time SIMD width (`SIMD2`, `SIMD4`; 1 and 3 dimensions
/// pad with a zero lane, which adds |0 − 0| = 0 to every maximum, with boxes unbounded in it), the tree is implicit and
/// perfectly balanced (node h has children 2h + 1 and 2h + 2; every leaf is at the same depth,
/// leaf i of 2^depth holding positions ⌊n·i / 2^depth⌋ ..< ⌊n·(i + 1) / 2^depth⌋, at most
/// `leafSize` points), coordinates are stored in leaf order next to their row index, queries
/// run leaf by leaf, and the k best are kept sorted in a small buffer. A query scans its own leaf,
/// then walks up (Friedman, Bentley & Finkel 1977): at each ancestor it stops as soon as its
/// current k-th-best ball lies strictly inside the node's box, else searches the sibling
/// subtree depth first, nearer child first — a few levels for k ≪ leaf size, instead of a
/// descent from the root through every level.
///
/// Exactness: distances are max_c |p_c − q_c| computed lane by lane with the same IEEE
/// subtraction and `abs` as `_NeighborPoints.reducedDistance` (max is exact in any order), so
/// every distance equals the brute-force one bit for bit. A node is skipped when the distance
/// from the query to its tight bounding box exceeds the k-th best (a valid lower bound: rounding
/// is monotone), or equals it and the node's smallest row index is not below the k-th best's —
/// nothing in it can then precede the k-th best in (distance, index) order. The result is the
/// (distance, index)-ordered list every engine returns; `KSGEngineEquivalenceTests` compares
/// it with brute force. The index rule also keeps discrete data (many exact duplicates, every
/// bound 0) from visiting every duplicate.
///
/// Build: top-down median splits (quickselect on the coordinate of largest spread, the row index
/// travelling with its coordinates), tight boxes per node; O(N log N). The subtrees below level
/// 3 are built in parallel; each is a deterministic function of its input range, so the tree
/// does not depend on the thread count. Memory: N·(8·4 + 4) bytes for the 4-lane layout plus
/// 2^(depth+1) boxes (≈ N / 2 nodes); with the AVX2 kernel (3 and 4 dimensions,
/// `CNative/lowdim_kernels.h`: the same walk and tests on the same boxes, leaves of 32 scanned
/// four points per vector compare) also N·d·8 bytes of coordinate-major copies.
struct _LowDimensionTree<V: SIMD & Sendable>: @unchecked Sendable where V.Scalar == Double {
  /// Most points per leaf: 8 for the Swift loop (measured faster than 4 and 16 at 1 + 1 and
  /// 2 + 2 dims, N = 10⁵, `ibplane-bench ksg-growth`), 32 for the AVX2 kernel, which scans a
  /// leaf four points per vector compare (2 + 2 joint kNN at N = 10⁵ and 10⁶, 2 workers: 16,
  /// 32 and 64 within 4 % of each other, 32 the fastest at 10⁶; `ibplane-bench ksg-engines`).
  static func leafSize(kernel: Bool) -> Int { kernel ? 32 : 8 }
  /// Largest k this engine takes (sorted insertion into the k-best buffer is O(k) per accepted
  /// candidate); larger k goes to `_KDTree`.
  static var maximumK: Int { 32 }

  let n: Int
  /// Coordinates per point (1 ... V.scalarCount).
  let dimension: Int
  let depth: Int
  /// Whether queries run the AVX2 kernel of `CNative/lowdim_kernels.h`: `init`'s `avx2`, the
  /// processor (`IBPLANE_KDTREE_AVX2=0` turns it off) and 3 or 4 dimensions. In 1 and 2 the
  /// kernel measured no faster (1 + 1 joint kNN at N = 10⁶: 0.30–0.32 s either way), so the
  /// Swift loop keeps them; at 2 + 2 it is 1.2–1.3× (N = 10⁵: 0.074 → 0.057 s wall).
  let kernel: Bool
  /// The kernel's coordinate-major copy (empty without it): coordinate c of position t at
  /// kernelCoords[c * kernelStride + t], zeros past n. It reads node boxes from `boxMin` and
  /// `boxMax` themselves (4 lanes, ∓∞ past the dimension).
  let kernelCoords: [Double]
  var kernelStride: Int { n + 8 }
  /// Coordinates in leaf order.
  let points: [V]
  /// Row index of each leaf-order position.
  let rows: [Int32]
  /// Tight box of node h: boxMin[h], boxMax[h].
  let boxMin: [V]
  let boxMax: [V]
  /// Smallest row index in node h.
  let minRow: [Int32]

  /// - Precondition: `set` is max-norm with 1 ≤ dimension ≤ V.scalarCount and
  ///   2 ≤ count ≤ Int32.max (the dispatch checks).
  ///   - avx2: run queries through the AVX2 kernel where the processor has it (false: the Swift
  ///     loop; the tests compare both with brute force).
  init(_ set: _NeighborPoints, threads: Int, avx2: Bool = true) {
    let n = set.count
    let d = set.dimension
    precondition(!set.euclidean && d >= 1 && d <= V.scalarCount && n >= 2 && n <= Int(Int32.max))
    self.n = n
    self.dimension = d
    // The kernel reads `boxMin` / `boxMax` as 4-lane boxes: only the SIMD4 tree runs it.
    let kernel = avx2 && d >= 3 && V.scalarCount == 4 && _KDTreeView.avx2Kernels
    self.kernel = kernel
    let leafSize = Self.leafSize(kernel: kernel)
    var depth = 0
    while (n + (1 << depth) - 1) >> depth > leafSize { depth += 1 }
    self.depth = depth
    let nodes = (1 << (depth + 1)) - 1
    var pts = [V](repeating: V(), count: n)
    var rws = [Int32](repeating: 0, count: n)
    set.data.withUnsafeBufferPointer { x in
      for i in 0..<n {
        var v = V()
        for c in 0..<d { v[c] = x[i * d + c] }
        pts[i] = v
        rws[i] = Int32(i)
      }
    }
    var bmin = [V](repeating: V(), count: nodes)
    var bmax = [V](repeating: V(), count: nodes)
    var mrow = [Int32](repeating: 0, count: nodes)
    pts.withUnsafeMutableBufferPointer { pp in
      rws.withUnsafeMutableBufferPointer { rp in
        bmin.withUnsafeMutableBufferPointer { lp in
          bmax.withUnsafeMutableBufferPointer { hp in
            mrow.withUnsafeMutableBufferPointer { mp in
              let b = _Builder(
                n: n, depth: depth, dims: d, points: pp.baseAddress!, rows: rp.baseAddress!,
                boxMin: lp.baseAddress!, boxMax: hp.baseAddress!, minRow: mp.baseAddress!)
              // Levels above `split` sequentially (only the split itself), the 2^split subtrees
              // in parallel, then the minimum row indices of the top levels.
              let split = Swift.min(3, depth)
              b.build(0, level: 0, stopAt: split)
              let first = (1 << split) - 1
              Parallel.forEach(1 << split, threads: threads) { s in
                b.build(first + s, level: split, stopAt: depth + 1)
              }
              for h in stride(from: first - 1, through: 0, by: -1) {
                b.minRow[h] = Swift.min(b.minRow[2 * h + 1], b.minRow[2 * h + 2])
              }
              // Padding lanes: boxes unbounded there, so they never limit `ballInside` (and
              // add max(−∞, −∞) < 0 to no box distance).
              for h in 0..<nodes {
                for c in d..<V.scalarCount {
                  b.boxMin[h][c] = -.infinity
                  b.boxMax[h][c] = .infinity
                }
              }
            }
          }
        }
      }
    }
    self.points = pts
    self.rows = rws
    self.boxMin = bmin
    self.boxMax = bmax
    self.minRow = mrow
    if kernel {
      let stride = n + 8
      var coords = [Double](repeating: 0, count: d * stride)
      for t in 0..<n { for c in 0..<d { coords[c * stride + t] = pts[t][c] } }
      kernelCoords = coords
    } else {
      kernelCoords = []
    }
  }

  /// Leaf-order range of the node at `level`, index `i` within its level.
  @inline(__always)
  static func range(n: Int, level: Int, index i: Int) -> Range<Int> {
    ((n * i) >> level)..<((n * (i + 1)) >> level)
  }

  /// Raw-pointer builder (the arrays are disjoint per subtree, so parallel subtrees never
  /// write the same slot).
  private struct _Builder: @unchecked Sendable {
    let n: Int
    let depth: Int
    let dims: Int
    let points: UnsafeMutablePointer<V>
    let rows: UnsafeMutablePointer<Int32>
    let boxMin: UnsafeMutablePointer<V>
    let boxMax: UnsafeMutablePointer<V>
    let minRow: UnsafeMutablePointer<Int32>

    /// Builds node h (at `level`) and its descendants down to level `stopAt − 1`: box, then the
    /// median split of its range between its two children's ranges.
    func build(_ h: Int, level: Int, stopAt: Int) {
      if level >= stopAt { return }
      let r = _LowDimensionTree.range(n: n, level: level, index: h + 1 - (1 << level))
      var lo = points[r.lowerBound]
      var hi = lo
      var m = rows[r.lowerBound]
      for t in r {
        let p = points[t]
        lo = lo.replacing(with: p, where: p .< lo)  // not pointwiseMin/Max: a branch per lane
        hi = hi.replacing(with: p, where: p .> hi)
        m = Swift.min(m, rows[t])
      }
      boxMin[h] = lo
      boxMax[h] = hi
      minRow[h] = m
      if level == depth { return }
      var dim = 0
      var spread = -1.0
      for c in 0..<dims where hi[c] - lo[c] > spread { spread = hi[c] - lo[c]; dim = c }
      let mid = (n * (2 * (h + 1 - (1 << level)) + 1)) >> (level + 1)
      if spread > 0 { select(r.lowerBound, r.upperBound, mid, dim) }
      build(2 * h + 1, level: level + 1, stopAt: stopAt)
      build(2 * h + 2, level: level + 1, stopAt: stopAt)
    }

    /// Quickselect (median-of-three pivot; deterministic): positions l0..<h0 rearranged so that
    /// position k holds the element of its rank by coordinate `dim`, smaller-or-equal ones
    /// before it, larger-or-equal after. Rows move with their points.
    ///
    /// Branch-free partitions: every element is swapped to the store position and the position
    /// advances by the comparison's 0 or 1, so nothing depends on a prediction (a Hoare
    /// partition's inner loops mispredict about every other element on random coordinates:
    /// `select` was a sixth of a 1 + 1 KSG estimate at N = 10⁵). A first pass puts the
    /// elements below the pivot first; when k is not among them, a second pass over the rest
    /// gathers the elements equal to the pivot, so ties (discrete data) end in one round
    /// instead of the quadratic rounds of a plain Lomuto partition.
    func select(_ l0: Int, _ h0: Int, _ k: Int, _ dim: Int) {
      // Coordinate `dim` of position i through a scalar pointer: a SIMD lane picked at run
      // time would be spilled to the stack and reloaded on every comparison.
      let w = V.scalarCount
      let key = UnsafeMutableRawPointer(points).assumingMemoryBound(to: Double.self) + dim
      @inline(__always) func swapAt(_ i: Int, _ j: Int) {
        let p = points[i]; points[i] = points[j]; points[j] = p
        let q = rows[i]; rows[i] = rows[j]; rows[j] = q
      }
      var l = l0
      var r = h0 - 1
      while r > l {
        let m = (l + r) / 2
        let a = key[l * w], b = key[m * w], c = key[r * w]
        let pivot = Swift.max(Swift.min(a, b), Swift.min(Swift.max(a, b), c))
        // Elements below the pivot to l..<s.
        var s = l
        for i in l...r {
          let below = key[i * w] < pivot
          swapAt(i, s)
          s &+= Int(unsafeBitCast(below, to: UInt8.self))
        }
        if k < s {
          r = s - 1
          continue
        }
        // The pivot's equals (at least the pivot itself) to s..<e; the larger ones follow.
        var e = s
        for i in s...r {
          let equal = key[i * w] <= pivot
          swapAt(i, e)
          e &+= Int(unsafeBitCast(equal, to: UInt8.self))
        }
        if k < e { return }
        l = e
      }
    }
  }

  /// Max-norm distance, lane by lane as `_NeighborPoints.reducedDistance` computes it.
  @inline(__always)
  static func distance(_ p: V, _ q: V) -> Double {
    // |p − q| by clearing the sign bits (exact, and +0 for ±0 as `abs`), then the largest lane
    // by selects (`maxsd`): no branch per coordinate.
    let v = unsafeBitCast(p - q, to: V.MaskStorage.self) & V.MaskStorage(repeating: .max)
    let a = unsafeBitCast(v, to: V.self)
    var m = a[0]
    for c in 1..<V.scalarCount { let x = a[c]; m = x > m ? x : m }
    return m
  }

  /// Whether every point outside a node is farther than r from q, given the node's tight box
  /// [lo, hi] and q inside the node: fl(q_c − lo_c) > r and fl(hi_c − q_c) > r in every c.
  /// A point p outside the node lies, in some coordinate c, on the far side of an ancestor's
  /// split from every point of the node — p_c ≥ hi_c (or ≤ lo_c) — so, rounding being monotone,
  /// fl(|p_c − q_c|) ≥ fl(hi_c − q_c) > r: strictly farther, not even tied. False while r = ∞.
  @inline(__always)
  static func ballInside(_ q: V, _ r: Double, _ lo: V, _ hi: V) -> Bool {
    // Minimum by masks and selects: a floating-point `pointwiseMin` compiles to a branch per
    // lane (NaN handling), which the searches pay at every node.
    let a = q - lo, b = hi - q
    let g = a.replacing(with: b, where: b .< a)
    var m = g[0]
    for c in 1..<V.scalarCount { let x = g[c]; m = x < m ? x : m }
    return m > r
  }

  /// Max-norm distance from q to the box [lo, hi] (0 inside).
  @inline(__always)
  static func boxDistance(_ q: V, _ lo: V, _ hi: V) -> Double {
    let a = lo - q, b = q - hi
    let g = a.replacing(with: b, where: b .> a)
    var m = 0.0
    for c in 0..<V.scalarCount { let x = g[c]; m = x > m ? x : m }
    return m
  }

  /// The k nearest neighbours of every point (k ≤ `maximumK`, k < n), ordered by
  /// (distance, index) — max-norm distances.
  func kNearest(k: Int, threads: Int) -> NeighborList {
    precondition(k >= 1 && k < n && k <= Self.maximumK)
    let n = self.n
    let depth = self.depth
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    let leaves = 1 << depth
    let firstLeaf = leaves - 1
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        let dOut = dp.baseAddress!
        let iOut = ip.baseAddress!
        points.withUnsafeBufferPointer { pp in
          rows.withUnsafeBufferPointer { rp in
            boxMin.withUnsafeBufferPointer { lp in
              boxMax.withUnsafeBufferPointer { hp in
                minRow.withUnsafeBufferPointer { mp in
                  let pts = pp.baseAddress!, rws = rp.baseAddress!
                  let bmin = lp.baseAddress!, bmax = hp.baseAddress!, mrow = mp.baseAddress!
                  _forEachChunk(leaves, threads: threads) { leafRange in
                    let bestD = UnsafeMutablePointer<Double>.allocate(capacity: k)
                    let bestI = UnsafeMutablePointer<Int32>.allocate(capacity: k)
                    // Depth-first stack: node and its box distance; at most one entry per level.
                    let stackNode = UnsafeMutablePointer<Int>.allocate(capacity: depth + 2)
                    let stackDist = UnsafeMutablePointer<Double>.allocate(capacity: depth + 2)
                    defer { bestD.deallocate(); bestI.deallocate(); stackNode.deallocate(); stackDist.deallocate() }

                    /// Offers the points of leaf-order range r (except position `own`).
                    @inline(__always) func scan(_ r: Range<Int>, _ q: V, _ own: Int) {
                      for u in r where u != own {
                        let dd = Self.distance(pts[u], q)
                        let worst = bestD[k - 1]
                        if dd > worst { continue }
                        let j = rws[u]
                        if dd == worst && j >= bestI[k - 1] { continue }
                        // Sorted insertion by (distance, index).
                        var s = k - 1
                        while s > 0 && (bestD[s - 1] > dd || (bestD[s - 1] == dd && bestI[s - 1] > j)) {
                          bestD[s] = bestD[s - 1]
                          bestI[s] = bestI[s - 1]
                          s -= 1
                        }
                        bestD[s] = dd
                        bestI[s] = j
                      }
                    }
                    /// Whether node h can hold a point preceding the current k-th best.
                    @inline(__always) func open(_ near: Double, _ h: Int) -> Bool {
                      let worst = bestD[k - 1]
                      return near < worst || (near == worst && mrow[h] < bestI[k - 1])
                    }

                    // Results in leaf order first, then scattered to rows in one loop of
                    // independent stores (random rows: cache misses the processor overlaps there,
                    // where inside the search each stalled it).
                    let firstPosition = Self.range(n: n, level: depth, index: leafRange.lowerBound).lowerBound
                    let positions = Self.range(n: n, level: depth, index: leafRange.upperBound - 1).upperBound - firstPosition
                    let stageD = UnsafeMutablePointer<Double>.allocate(capacity: positions * k)
                    let stageI = UnsafeMutablePointer<Int32>.allocate(capacity: positions * k)
                    defer { stageD.deallocate(); stageI.deallocate() }
                    if kernel {
                      // The kernel runs only with 4-lane boxes (3 or 4 dimensions: `kernel`).
                      kernelCoords.withUnsafeBufferPointer { cp in
                        var view = ibp_ld_view(
                          coords: cp.baseAddress!, stride: kernelStride,
                          box_min: UnsafeRawPointer(bmin).assumingMemoryBound(to: Double.self),
                          box_max: UnsafeRawPointer(bmax).assumingMemoryBound(to: Double.self),
                          rows: rws, min_row: mrow, n: n, depth: depth, d: dimension)
                        ibp_ld_knn_avx2(
                          &view, k, leafRange.lowerBound, leafRange.upperBound, stageD, stageI, stackNode, stackDist)
                      }
                    } else {
                      for leaf in leafRange {
                        let own = Self.range(n: n, level: depth, index: leaf)
                        let ownNode = firstLeaf + leaf
                        for t in own {
                          let q = pts[t]
                          for s in 0..<k { bestD[s] = .infinity; bestI[s] = Int32.max }
                          scan(own, q, t)
                          // Then up from the own leaf: at each node, stop if the k-th best ball lies
                          // strictly inside the node's box (every point outside the node is then
                          // farther: see `ballInside`), else search the sibling subtree, nearer
                          // child first, with an explicit stack.
                          var node = ownNode
                          while node > 0 && !Self.ballInside(q, bestD[k - 1], bmin[node], bmax[node]) {
                            var h = node & 1 == 1 ? node + 1 : node - 1
                            var near = Self.boxDistance(q, bmin[h], bmax[h])
                            var top = 0
                            while true {
                              if open(near, h) {
                                if h >= firstLeaf {
                                  scan(Self.range(n: n, level: depth, index: h - firstLeaf), q, -1)
                                } else {
                                  let a = 2 * h + 1
                                  let b = a + 1
                                  let da = Self.boxDistance(q, bmin[a], bmax[a])
                                  let db = Self.boxDistance(q, bmin[b], bmax[b])
                                  if da <= db {
                                    stackNode[top] = b; stackDist[top] = db; top += 1
                                    h = a; near = da
                                  } else {
                                    stackNode[top] = a; stackDist[top] = da; top += 1
                                    h = b; near = db
                                  }
                                  continue
                                }
                              }
                              if top == 0 { break }
                              top -= 1
                              h = stackNode[top]
                              near = stackDist[top]
                            }
                            node = (node - 1) / 2
                          }
                          let at = (t - firstPosition) * k
                          for s in 0..<k {
                            stageD[at + s] = bestD[s]
                            stageI[at + s] = bestI[s]
                          }
                        }
                      }
                    }
                    for p in 0..<positions {
                      let i = Int(rws[firstPosition + p])
                      for s in 0..<k {
                        dOut[i * k + s] = stageD[p * k + s]
                        iOut[i * k + s] = Int(stageI[p * k + s])
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
    return NeighborList(k: k, indices: idx, distances: dist)
  }
}
