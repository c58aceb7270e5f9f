/// A k-d tree over a `_NeighborPoints` set, for exact kNN and radius counts in low dimension.
///
/// Build: recursive median split (quickselect) on the coordinate of largest spread, leaves of at
/// most `leafSize` points, each node keeping the tight bounding box of its points; points are
/// copied in leaf order so a leaf scan is contiguous. O(N log N) expected.
///
/// Queries (Bentley 1975; Friedman, Bentley & Finkel 1977): depth-first, nearer child first,
/// a node is skipped when the reduced distance from the query to its box exceeds the current
/// bound. A node is visited when that distance *equals* the bound, so points tied with the
/// k-th neighbour are seen and the (distance, index) tie rule holds exactly. Radius counts
/// add a whole node at once when its farthest corner is inside the radius.
// @unchecked Sendable: every `var` is assigned while building in `init` and only read after it
// (concurrent queries share the tree read-only).
package final class _KDTree: @unchecked Sendable {
  static let leafSize = 32

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

  package init(_ set: _NeighborPoints) {
    self.set = set
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
    let mid = (l + h) / 2
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
    lo.withUnsafeBufferPointer { lo in
      hi.withUnsafeBufferPointer { hi in
        left.withUnsafeBufferPointer { left in
          right.withUnsafeBufferPointer { right in
            order.withUnsafeBufferPointer { order in
              points.withUnsafeBufferPointer { pts in
                boxMin.withUnsafeBufferPointer { bmin in
                  boxMax.withUnsafeBufferPointer { bmax in
                    body(
                      _KDTreeView(
                        lo: lo.baseAddress!, hi: hi.baseAddress!, left: left.baseAddress!, right: right.baseAddress!,
                        order: order.baseAddress!, points: pts.baseAddress!, boxMin: bmin.baseAddress!,
                        boxMax: bmax.baseAddress!, set: set))
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
            _forEachChunk(n, threads: threads) { range in
              // Queries in leaf order: consecutive queries are close in space and share cache lines.
              for t in range {
                let i = view.order[t]
                let q = view.points + t * d
                var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                view.searchNearest(0, q, i, &heap)
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
              for t in range {
                let i = view.order[t]
                let q = view.points + t * d
                let r = radii[i]
                var c = view.countWithin(0, q, r, inclusive)
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
  let set: _NeighborPoints

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
}
