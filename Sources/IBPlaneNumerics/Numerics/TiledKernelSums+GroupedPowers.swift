import CNative
import Foundation

extension TiledKernelSums {
  /// Row log-sum-exps of integer powers of one Gaussian kernel, over all columns and over the
  /// columns of the row's own group, in one pass over the N² distances of `x` against itself:
  ///
  ///     ℓ_{s,i} = log Σ_j exp(−k_s γ D_ij)            (all j)
  ///     g_{s,i} = log Σ_{j : group_j = group_i} exp(−k_s γ D_ij)
  ///
  /// One exponential per pair serves every power: exp(−kγD) = exp(−γD)^k (relative error ≈ k
  /// ulps). Stable like `gaussianRowLogSums`: each row keeps a running minimum distance, over
  /// all columns and over its group, and the terms are exp(−γ(D − min)) ≤ 1. A same-group term
  /// is computed against the group minimum and rescaled by exp(−γ(min_group − min_all)) for the
  /// row total; when that underflows the term is below 1e-308 of the total's largest term.
  /// The KDE bounds use k = (4, 1) with γ = 1/8σ² and the class labels as groups, so H(T) and
  /// every H(T | Y=y) cost one N² pass instead of 2 (N² + Σ_y N_y²) exponentials.
  ///
  /// `groups`: one id per row (e.g. the class), or `nil` for no grouping (`withinGroup` is then
  /// `nil`). `powers` must be in 1…16. Deterministic for any thread count (each row is owned by
  /// one worker and visits column blocks in order). Memory O(N · powers) plus the tiles.
  ///
  /// Specialised like the other reductions: unspecialised, every `Double(d[c])` of the N²
  /// pairs went through the generic `BinaryFloatingPoint` conversion (dynamic casts, witness
  /// look-ups), which made the KDE plane ~10× slower than its exponentials (issue 17).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, gamma: Double, powers: [Int], groups: [Int32]? = nil
  ) throws -> (all: [[Double]], withinGroup: [[Double]]?) {
    guard gamma.isFinite, gamma > 0 else { throw NumericsError.invalidParameter("gamma must be positive and finite, got \(gamma)") }
    guard !powers.isEmpty, powers.allSatisfy({ (1...16).contains($0) }) else {
      throw NumericsError.invalidParameter("powers must be integers in 1…16, got \(powers)")
    }
    if let g = groups, g.count != x.rows {
      throw NumericsError.shapeMismatch("\(g.count) group ids for \(x.rows) rows")
    }
    if let i = x.firstNonFiniteIndex() {
      throw NumericsError.nonFinite("element \(i) (row \(i / Swift.max(x.columns, 1))) is \(x.elements[i])")
    }
    let n = x.rows
    let p = powers.count
    let grouped = groups != nil
    let gid = groups ?? []
    let minAll = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let minGroup = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let accAll = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * p)
    let accGroup = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * p)
    defer {
      minAll.deallocate()
      minGroup.deallocate()
      accAll.deallocate()
      accGroup.deallocate()
    }
    minAll.initialize(repeating: .infinity)
    minGroup.initialize(repeating: .infinity)
    accAll.initialize(repeating: 0)
    accGroup.initialize(repeating: 0)
    let ks = powers.map(Double.init)
    @inline(__always) func power(_ e: Double, _ k: Int) -> Double {
      var r = e
      var m = 1
      while m < k {
        r *= e
        m += 1
      }
      return r
    }
    try gid.withUnsafeBufferPointer { gb in
      try forEachTile([_DistancePlan(rows: x, columns: x)]) { rowRange, colRange, tiles in
        let d = tiles[0]
        let w = colRange.count
        var scaleK = [Double](repeating: 0, count: p)
        let e = UnsafeMutablePointer<Double>.allocate(capacity: w)
        // 1 where column c is in the row's group, else 0 (all 0 without groups).
        let same = UnsafeMutablePointer<Bool>.allocate(capacity: w)
        defer {
          e.deallocate()
          same.deallocate()
        }
        for r in 0..<rowRange.count {
          let i = rowRange.lowerBound + r
          let base = r * w
          let gi: Int32 = grouped ? gb[i] : 0
          for c in 0..<w { same[c] = grouped && gb[colRange.lowerBound + c] == gi }
          // Every loop over the row is branch-free (selects, not jumps: group membership is
          // as good as random along a row, and mispredicted branches cost more than the
          // exponentials); the values and the order of every addition are as before.
          var tileAll = Double.infinity
          var tileGroup = Double.infinity
          for c in 0..<w {
            let v = Double(d[base + c])
            tileAll = v < tileAll ? v : tileAll
            tileGroup = same[c] && v < tileGroup ? v : tileGroup
          }
          let newAll = Swift.min(minAll[i], tileAll)
          if newAll < minAll[i] && minAll[i].isFinite {
            for s in 0..<p { accAll[i * p + s] *= exp(-ks[s] * gamma * (minAll[i] - newAll)) }
          }
          minAll[i] = newAll
          let newGroup = Swift.min(minGroup[i], tileGroup)
          if newGroup < minGroup[i] && minGroup[i].isFinite {
            for s in 0..<p { accGroup[i * p + s] *= exp(-ks[s] * gamma * (minGroup[i] - newGroup)) }
          }
          minGroup[i] = newGroup
          if grouped && newGroup.isFinite {
            let scale = exp(-gamma * (newGroup - newAll))
            for s in 0..<p { scaleK[s] = power(scale, powers[s]) }
          }
          // Exponents first, then one vector exp over the row (libmvec), then the sums.
          for c in 0..<w { e[c] = -gamma * (Double(d[base + c]) - (same[c] ? newGroup : newAll)) }
          ibp_exp_inplace(e, w)
          // Per power, the row's two running sums in registers. An out-of-group term adds
          // +0 to the group sum (which is ≥ +0, so unchanged) and itself, unscaled, to the total.
          for s in 0..<p {
            var sumAll = accAll[i * p + s]
            var sumGroup = accGroup[i * p + s]
            let k = powers[s]
            let scaleS = scaleK[s]
            // The power as straight-line code for the KDE bounds' k = 1 and 4 (the same
            // products as `power`: ((e·e)·e)·e), the loop of `power` for the others.
            @inline(__always) func add(_ pw: (Double) -> Double) {
              for c in 0..<w {
                let ek = pw(e[c])
                sumGroup += same[c] ? ek : 0
                sumAll += same[c] ? ek * scaleS : ek
              }
            }
            switch k {
            case 1: add { $0 }
            case 4: add { (($0 * $0) * $0) * $0 }
            default: add { power($0, k) }
            }
            accAll[i * p + s] = sumAll
            accGroup[i * p + s] = sumGroup
          }
        }
      }
    }
    var all = [[Double]](repeating: [Double](repeating: 0, count: n), count: p)
    var within: [[Double]]? = grouped ? all : nil
    for s in 0..<p {
      for i in 0..<n {
        all[s][i] = -ks[s] * gamma * minAll[i] + log(accAll[i * p + s])
        if grouped { within![s][i] = -ks[s] * gamma * minGroup[i] + log(accGroup[i * p + s]) }
      }
    }
    return (all, within)
  }
}
