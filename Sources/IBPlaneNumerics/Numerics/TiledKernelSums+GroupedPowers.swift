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
  ///
  /// The KDE bounds' powers (4, 1) take a fused row loop (issue 17): the group mask and both
  /// minima in one pass with four independent minima (a minimum is exact in any order), and
  /// both powers' four running sums in one loop over the row, each sum still adding its
  /// terms in column order — the same values, bit for bit, as the general loop
  /// (`_gaussianRowLogSumsReference`, kept for the tests), at about half the time: the general
  /// loop waited on one sum's addition after another.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, gamma: Double, powers: [Int], groups: [Int32]? = nil
  ) throws -> (all: [[Double]], withinGroup: [[Double]]?) {
    try _gaussianRowLogSums(x, gammas: [gamma], powers: powers, groups: groups, fused: true)[0]
  }

  /// `gaussianRowLogSums(_:gamma:powers:groups:)` for several γ in one pass over the
  /// distances: one GEMM tile, one group mask and one running minimum per row serve every γ
  /// (the minimum distance does not depend on γ), then each γ has its own exponentials and
  /// sums. Element `g` of the result equals `gaussianRowLogSums(x, gamma: gammas[g], …)` bit
  /// for bit: each γ's accumulators see the same operations in the same order. The KDE and
  /// adaptive-KDE jobs of one plane layer share a pass this way (issue 17).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  public func gaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, gammas: [Double], powers: [Int], groups: [Int32]? = nil
  ) throws -> [(all: [[Double]], withinGroup: [[Double]]?)] {
    try _gaussianRowLogSums(x, gammas: gammas, powers: powers, groups: groups, fused: true)
  }

  /// `gaussianRowLogSums(_:gamma:powers:groups:)` through the general row loop only: the
  /// reference the fused (4, 1) loop must equal bit for bit.
  package func _gaussianRowLogSumsReference<S: BLASScalar>(
    _ x: Matrix<S>, gamma: Double, powers: [Int], groups: [Int32]? = nil
  ) throws -> (all: [[Double]], withinGroup: [[Double]]?) {
    try _gaussianRowLogSums(x, gammas: [gamma], powers: powers, groups: groups, fused: false)[0]
  }

  @_specialize(where S == Float)
  @_specialize(where S == Double)
  func _gaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, gammas: [Double], powers: [Int], groups: [Int32]?, fused: Bool
  ) throws -> [(all: [[Double]], withinGroup: [[Double]]?)] {
    guard !gammas.isEmpty else { throw NumericsError.invalidParameter("no gamma given") }
    for gamma in gammas where !(gamma.isFinite && gamma > 0) {
      throw NumericsError.invalidParameter("gamma must be positive and finite, got \(gamma)")
    }
    guard !powers.isEmpty, powers.allSatisfy({ (1...16).contains($0) }) else {
      throw NumericsError.invalidParameter("powers must be integers in 1…16, got \(powers)")
    }
    if let g = groups, g.count != x.rows {
      throw NumericsError.shapeMismatch("\(g.count) group ids for \(x.rows) rows")
    }
    if let i = x.firstNonFiniteIndex() {
      throw NumericsError.nonFinite("element \(i) (row \(i / Swift.max(x.columns, 1))) is \(x.elements[i])")
    }
    if fused, let r = try _symmetricGaussianRowLogSums(x, gammas: gammas, powers: powers, groups: groups) { return r }
    let n = x.rows
    let p = powers.count
    let gcount = gammas.count
    let grouped = groups != nil
    let gid = groups ?? []
    let minAll = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let minGroup = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    // γ g, row i, power s at (g·n + i)·p + s.
    let accAll = UnsafeMutableBufferPointer<Double>.allocate(capacity: gcount * n * p)
    let accGroup = UnsafeMutableBufferPointer<Double>.allocate(capacity: gcount * n * p)
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
    let kde41 = fused && powers == [4, 1]
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
          var tileAll = Double.infinity
          var tileGroup = Double.infinity
          if kde41 {
            // Mask and both minima in one pass, four minima per kind (distances are finite
            // and never −0, so the minimum is the same value in any order).
            let drow = d.baseAddress! + base
            var a0 = Double.infinity, a1 = Double.infinity, a2 = Double.infinity, a3 = Double.infinity
            var g0 = Double.infinity, g1 = Double.infinity, g2 = Double.infinity, g3 = Double.infinity
            var c = 0
            if grouped {
              let grow = gb.baseAddress! + colRange.lowerBound
              while c &+ 4 <= w {
                let v0 = Double(drow[c]), v1 = Double(drow[c &+ 1]), v2 = Double(drow[c &+ 2]), v3 = Double(drow[c &+ 3])
                let s0 = grow[c] == gi, s1 = grow[c &+ 1] == gi, s2 = grow[c &+ 2] == gi, s3 = grow[c &+ 3] == gi
                same[c] = s0
                same[c &+ 1] = s1
                same[c &+ 2] = s2
                same[c &+ 3] = s3
                a0 = v0 < a0 ? v0 : a0
                a1 = v1 < a1 ? v1 : a1
                a2 = v2 < a2 ? v2 : a2
                a3 = v3 < a3 ? v3 : a3
                g0 = s0 && v0 < g0 ? v0 : g0
                g1 = s1 && v1 < g1 ? v1 : g1
                g2 = s2 && v2 < g2 ? v2 : g2
                g3 = s3 && v3 < g3 ? v3 : g3
                c &+= 4
              }
              while c < w {
                let v = Double(drow[c])
                let sc = grow[c] == gi
                same[c] = sc
                a0 = v < a0 ? v : a0
                g0 = sc && v < g0 ? v : g0
                c &+= 1
              }
            } else {
              for k in 0..<w { same[k] = false }
              while c &+ 4 <= w {
                let v0 = Double(drow[c]), v1 = Double(drow[c &+ 1]), v2 = Double(drow[c &+ 2]), v3 = Double(drow[c &+ 3])
                a0 = v0 < a0 ? v0 : a0
                a1 = v1 < a1 ? v1 : a1
                a2 = v2 < a2 ? v2 : a2
                a3 = v3 < a3 ? v3 : a3
                c &+= 4
              }
              while c < w {
                let v = Double(drow[c])
                a0 = v < a0 ? v : a0
                c &+= 1
              }
            }
            a0 = a1 < a0 ? a1 : a0
            a2 = a3 < a2 ? a3 : a2
            tileAll = a2 < a0 ? a2 : a0
            g0 = g1 < g0 ? g1 : g0
            g2 = g3 < g2 ? g3 : g2
            tileGroup = g2 < g0 ? g2 : g0
          } else {
            for c in 0..<w { same[c] = grouped && gb[colRange.lowerBound + c] == gi }
            // Every loop over the row is branch-free (selects, not jumps: group membership is
            // as good as random along a row, and mispredicted branches cost more than the
            // exponentials); the values and the order of every addition are as before.
            for c in 0..<w {
              let v = Double(d[base + c])
              tileAll = v < tileAll ? v : tileAll
              tileGroup = same[c] && v < tileGroup ? v : tileGroup
            }
          }
          let oldAll = minAll[i]
          let oldGroup = minGroup[i]
          let newAll = Swift.min(oldAll, tileAll)
          let newGroup = Swift.min(oldGroup, tileGroup)
          minAll[i] = newAll
          minGroup[i] = newGroup
          for (g, gamma) in gammas.enumerated() {
            let o = (g * n + i) * p
            if newAll < oldAll && oldAll.isFinite {
              for s in 0..<p { accAll[o + s] *= exp(-ks[s] * gamma * (oldAll - newAll)) }
            }
            if newGroup < oldGroup && oldGroup.isFinite {
              for s in 0..<p { accGroup[o + s] *= exp(-ks[s] * gamma * (oldGroup - newGroup)) }
            }
            if grouped && newGroup.isFinite {
              let scale = exp(-gamma * (newGroup - newAll))
              for s in 0..<p { scaleK[s] = power(scale, powers[s]) }
            }
            // Exponents first, then one vector exp over the row (libmvec), then the sums.
            let drow = d.baseAddress! + base
            for c in 0..<w { e[c] = -gamma * (Double(drow[c]) - (same[c] ? newGroup : newAll)) }
            ibp_exp_inplace(e, w)
            if kde41 {
              // Both powers' four running sums in one loop: four independent chains of
              // additions instead of two after two, each in column order as below.
              var sumAll4 = accAll[o], sumGroup4 = accGroup[o]
              var sumAll1 = accAll[o + 1], sumGroup1 = accGroup[o + 1]
              let scale4 = scaleK[0], scale1 = scaleK[1]
              for c in 0..<w {
                let e1 = e[c]
                let e4 = ((e1 * e1) * e1) * e1
                let sc = same[c]
                sumGroup4 += sc ? e4 : 0
                sumAll4 += sc ? e4 * scale4 : e4
                sumGroup1 += sc ? e1 : 0
                sumAll1 += sc ? e1 * scale1 : e1
              }
              accAll[o] = sumAll4
              accGroup[o] = sumGroup4
              accAll[o + 1] = sumAll1
              accGroup[o + 1] = sumGroup1
              continue
            }
            // Per power, the row's two running sums in registers. An out-of-group term adds
            // +0 to the group sum (which is ≥ +0, so unchanged) and itself, unscaled, to the total.
            for s in 0..<p {
              var sumAll = accAll[o + s]
              var sumGroup = accGroup[o + s]
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
              accAll[o + s] = sumAll
              accGroup[o + s] = sumGroup
            }
          }
        }
      }
    }
    return gammas.enumerated().map { g, gamma in
      var all = [[Double]](repeating: [Double](repeating: 0, count: n), count: p)
      var within: [[Double]]? = grouped ? all : nil
      for s in 0..<p {
        for i in 0..<n {
          let o = (g * n + i) * p + s
          all[s][i] = -ks[s] * gamma * minAll[i] + log(accAll[o])
          if grouped { within![s][i] = -ks[s] * gamma * minGroup[i] + log(accGroup[o]) }
        }
      }
      return (all, within)
    }
  }

  /// The row log-sums of `_gaussianRowLogSums` by the symmetric pass (`forEachUpperTile`: half
  /// the distances and exponentials). The set is paired with itself, so every row's smallest
  /// distance, over all columns and over its group, is its own D_ii = 0: no running minimum or
  /// rescaling is needed, every term exp(−kγD) ≤ 1 and every sum ≥ 1 (its self term). Equal to
  /// the full pass to rounding (the order of the additions differs). `nil` when the
  /// accumulators do not fit (`symmetricFits`); the caller then takes the full pass.
  func _symmetricGaussianRowLogSums<S: BLASScalar>(
    _ x: Matrix<S>, gammas: [Double], powers: [Int], groups: [Int32]?, rowKernels: Bool = _pairwiseRowKernels
  ) throws -> [(all: [[Double]], withinGroup: [[Double]]?)]? {
    let n = x.rows
    let p = powers.count
    let gcount = gammas.count
    let grouped = groups != nil
    // Accumulator of γ g, power s: all columns at g·p + s, the row's group at (gcount + g)·p + s.
    let k = gcount * p * (grouped ? 2 : 1)
    guard n > 0, symmetricFits(rows: n, accumulators: k) else { return nil }
    let groupBase = gcount * p
    let gid = groups ?? []
    let rowKernels = rowKernels && powers.allSatisfy { $0 == 1 || $0 == 4 } && (S.self == Double.self || S.self == Float.self)
    let sums = try gid.withUnsafeBufferPointer { gb in
      try forEachUpperTile([_DistancePlan(rows: x, columns: x)], accumulators: k) { rowRange, colRange, tiles, acc in
        let w = colRange.count
        let c0 = colRange.lowerBound
        let diagonal = rowRange.lowerBound == c0
        // `same`: 1 where column c is in the row's group, else 0: the group terms are products
        // with it (a select on a Bool compiled to a jump per element, mispredicted at random
        // group membership: ~45 % of the pass).
        _withScratchRows(4, width: w) { scratch in
          let (e, ek, eg, same) = (scratch[0], scratch[1], scratch[2], scratch[3])
          for r in 0..<rowRange.count {
            let i = rowRange.lowerBound + r
            let start = diagonal ? r + 1 : 0
            if diagonal {
              // The self term exp(0) = 1, in every sum.
              for a in 0..<k { acc[a * n + i] += 1 }
            }
            if start >= w { continue }
            let drow = tiles[0].baseAddress! + r &* w
            if rowKernels {
              // Powers 1 and 4 on an AVX2 processor: the same steps in 256-bit lanes
              // (`CNative/pairwise_row_kernels.h`), the mask, product and sums in one pass per
              // power; the same bits.
              let grow = grouped ? gb.baseAddress.map { $0 + c0 } : nil
              let gi = grouped ? gb[i] : 0
              for (g, gamma) in gammas.enumerated() {
                if S.self == Double.self {
                  ibp_scale_row_f64(UnsafeRawPointer(drow).assumingMemoryBound(to: Double.self), -gamma, start, w, e)
                } else {
                  ibp_scale_row_f32(UnsafeRawPointer(drow).assumingMemoryBound(to: Float.self), -gamma, start, w, e)
                }
                ibp_exp_inplace(e + start, w - start)
                for (s, power) in powers.enumerated() {
                  let v = power == 1 ? e : ek
                  if power == 4 { ibp_power4_row(e, start, w, ek) }
                  let a = g * p + s
                  var (row, rowGroup) = (0.0, 0.0)
                  ibp_row_column_sums(
                    v, start, w, acc + a * n + c0, grow, gi, grouped ? acc + (groupBase + a) * n + c0 : nil, &row, &rowGroup)
                  acc[a * n + i] += row
                  if grouped { acc[(groupBase + a) * n + i] += rowGroup }
                }
              }
              continue
            }
            if grouped {
              let gi = gb[i]
              let grow = gb.baseAddress! + c0
              for c in start..<w { same[c] = grow[c] == gi ? 1 : 0 }
            }
            for (g, gamma) in gammas.enumerated() {
              for c in start..<w { e[c] = -gamma * Double(drow[c]) }
              ibp_exp_inplace(e + start, w - start)
              for (s, power) in powers.enumerated() {
                let v: UnsafeMutablePointer<Double>
                switch power {
                case 1: v = e
                case 4:
                  for c in start..<w { ek[c] = ((e[c] * e[c]) * e[c]) * e[c] }
                  v = ek
                default:
                  for c in start..<w {
                    var q = e[c]
                    for _ in 1..<power { q *= e[c] }
                    ek[c] = q
                  }
                  v = ek
                }
                let a = g * p + s
                acc[a * n + i] += _addToRowAndColumns(v, from: start, to: w, columns: acc + a * n + c0)
                if grouped {
                  for c in start..<w { eg[c] = v[c] * same[c] }
                  let ag = groupBase + a
                  acc[ag * n + i] += _addToRowAndColumns(eg, from: start, to: w, columns: acc + ag * n + c0)
                }
              }
            }
          }
        }
      }
    }
    return (0..<gcount).map { g in
      let all = (0..<p).map { s in sums[g * p + s].map { log($0) } }
      let within = grouped ? (0..<p).map { s in sums[groupBase + g * p + s].map { log($0) } } : nil
      return (all, within)
    }
  }
}

/// Whether the symmetric pass's rows of powers 1 and 4 run through the AVX2 kernels
/// (`CNative/pairwise_row_kernels.h`): the processor has AVX2 and `IBPLANE_PAIRWISE_AVX2` is
/// not 0.
let _pairwiseRowKernels: Bool = {
  if let v = getenv("IBPLANE_PAIRWISE_AVX2"), String(cString: v) == "0" { return false }
  return ibp_pairwise_avx2_available() != 0
}()
