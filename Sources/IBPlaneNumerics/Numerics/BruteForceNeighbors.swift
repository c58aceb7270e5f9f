/// Exact blocked brute-force kNN and radius counts, for high dimension where a k-d tree
/// cannot prune.
///
/// Max-norm: every pair is compared directly, in chunks of queries spread over workers, with
/// early exit once a partial max exceeds the current k-th distance (or the radius), which in
/// high dimension skips most of each vector. For kNN the points are first put in k-d-tree
/// leaf order (no pruning, only the order) and each query scans outward from its own place
/// in that order: its first candidates are spatial neighbours, the k-th distance bound is
/// tight after a few dozen points and most later candidates exit after one or two
/// coordinates. The (distance, index) heap makes the result independent of the scan order.
/// Exact by construction.
///
/// Euclidean: squared distances come in tiles from the shared tiled engine
/// (`TiledKernelSums.forEachTile`, one GEMM per tile and block, D = ‖x‖² + ‖y‖² − 2x·y on
/// centred data), and a per-row bounded heap does the partial selection. GEMM distances carry
/// rounding error; a pair is therefore recomputed directly from coordinates whenever its GEMM
/// value is within the error margin δ_ij = 4 (d + 2) u (‖x_i‖² + ‖x_j‖²) of the decision
/// (u the unit round-off of Double; the error of a length-d dot product and two norms is at most
/// about (d + 2) u (‖x_i‖² + ‖x_j‖²)). Every distance that is returned, and every comparison that
/// decides a count, is made on a directly computed value, so results are exact and identical to
/// the k-d tree's.
///
/// Complexity O(N² d / threads); memory O(N·k + tile² · blocks) per worker.
struct _BruteForceNeighbors {
  let set: _NeighborPoints
  init(_ set: _NeighborPoints) { self.set = set }

  static let tileSize = 512

  func kNearest(k: Int, threads: Int) -> NeighborList {
    if set.euclidean { return kNearestGEMM(k: k, threads: threads) }
    let n = set.count
    let d = set.dimension
    let tree = _KDTree(set, lanes: false)
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        let dBase = dp.baseAddress!
        let iBase = ip.baseAddress!
        tree.points.withUnsafeBufferPointer { x in
          tree.order.withUnsafeBufferPointer { order in
            let xp = x.baseAddress!
            _forEachChunk(n, threads: threads) { range in
              for t in range {
                let i = order[t]
                var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                let q = xp + t * d
                var u = t + 1
                for _ in 1..<n {
                  if u == n { u = 0 }
                  let bound = heap.bound
                  let r = set.reducedDistance(q, xp + u * d, exceeding: bound)
                  if r <= bound { heap.offer(r, order[u]) }
                  u += 1
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
    if set.euclidean { return countGEMM(reducedRadii: reducedRadii, inclusive: inclusive, threads: threads) }
    let n = set.count
    let d = set.dimension
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { cp in
      let cBase = cp.baseAddress!
      set.data.withUnsafeBufferPointer { x in
        let xp = x.baseAddress!
        _forEachChunk(n, threads: threads) { range in
          for i in range {
            let q = xp + i * d
            let r = reducedRadii[i]
            var c = 0
            for j in 0..<n where j != i {
              let v = set.reducedDistance(q, xp + j * d, exceeding: r)
              if inclusive ? v <= r : v < r { c += 1 }
            }
            cBase[i] = c
          }
        }
      }
    }
    return counts
  }

  // MARK: Euclidean through GEMM tiles

  /// One distance plan per block, and the per-point margin factor (d + 2)·4u·‖x‖² per block.
  private func plans() -> (plans: [_DistancePlan<Double>], norms: [[Double]], factor: [Double]) {
    var ps: [_DistancePlan<Double>] = []
    var norms: [[Double]] = []
    var factor: [Double] = []
    for b in set.blocks {
      var m = Matrix<Double>(rows: set.count, columns: b.count)
      for i in 0..<set.count { for (t, c) in b.enumerated() { m.elements[i * b.count + t] = set.data[i * set.dimension + c] } }
      let p = _DistancePlan(rows: m, columns: m)
      ps.append(p)
      norms.append(p.xNorms)
      factor.append(4 * Double(b.count + 2) * Double.ulpOfOne)
    }
    return (ps, norms, factor)
  }

  private func kNearestGEMM(k: Int, threads: Int) -> NeighborList {
    let n = set.count
    let d = set.dimension
    var dist = [Double](repeating: 0, count: n * k)
    var idx = [Int](repeating: 0, count: n * k)
    var sizes = [Int](repeating: 0, count: n)
    let (ps, norms, factor) = plans()
    let engine = TiledKernelSums(tileSize: Self.tileSize, threads: threads)
    dist.withUnsafeMutableBufferPointer { dp in
      idx.withUnsafeMutableBufferPointer { ip in
        sizes.withUnsafeMutableBufferPointer { sp in
          set.data.withUnsafeBufferPointer { x in
            let (dBase, iBase, xp) = (dp.baseAddress!, ip.baseAddress!, x.baseAddress!)
            // Shapes were validated when the point set was built, so the engine cannot throw here.
            try? engine.forEachTile(ps) { rows, cols, tiles in
              let w = cols.count
              for r in 0..<rows.count {
                let i = rows.lowerBound + r
                var heap = _NeighborHeap(distances: dBase + i * k, indices: iBase + i * k, capacity: k)
                heap.size = sp[i]
                for c in 0..<w {
                  let j = cols.lowerBound + c
                  if j == i { continue }
                  var approx = 0.0
                  var margin = 0.0
                  for (b, t) in tiles.enumerated() {
                    approx = Swift.max(approx, t[r * w + c])
                    margin += factor[b] * (norms[b][i] + norms[b][j])
                  }
                  let bound = heap.bound
                  if approx - margin > bound { continue }
                  let exact = set.reducedDistance(xp + i * d, xp + j * d)
                  if exact <= bound { heap.offer(exact, j) }
                }
                sp[i] = heap.size
                if cols.upperBound == n { heap.sortAscending() }
              }
            }
          }
        }
      }
    }
    return NeighborList(k: k, indices: idx, distances: dist)
  }

  private func countGEMM(reducedRadii: [Double], inclusive: Bool, threads: Int) -> [Int] {
    let n = set.count
    let d = set.dimension
    var counts = [Int](repeating: 0, count: n)
    let (ps, norms, factor) = plans()
    let engine = TiledKernelSums(tileSize: Self.tileSize, threads: threads)
    counts.withUnsafeMutableBufferPointer { cp in
      set.data.withUnsafeBufferPointer { x in
        let (cBase, xp) = (cp.baseAddress!, x.baseAddress!)
        try? engine.forEachTile(ps) { rows, cols, tiles in
          let w = cols.count
          for r in 0..<rows.count {
            let i = rows.lowerBound + r
            let radius = reducedRadii[i]
            var c = 0
            for cc in 0..<w {
              let j = cols.lowerBound + cc
              if j == i { continue }
              var approx = 0.0
              var margin = 0.0
              for (b, t) in tiles.enumerated() {
                approx = Swift.max(approx, t[r * w + cc])
                margin += factor[b] * (norms[b][i] + norms[b][j])
              }
              if approx + margin < radius { c += 1; continue }
              if approx - margin > radius { continue }
              let v = set.reducedDistance(xp + i * d, xp + j * d)
              if inclusive ? v <= radius : v < radius { c += 1 }
            }
            cBase[i] += c
          }
        }
      }
    }
    return counts
  }
}
