import IBPlaneNumerics
/// Exact duplicates among the rows of a point set: the tie rule of the kNN mutual-information
/// estimators for discrete–continuous mixtures.
///
/// Real activations repeat exactly (saturated tanh/softmax units, dead ReLUs, discrete inputs).
/// When a sample's k-th-neighbour distance ρ_i is 0, KSG's "strictly inside ρ_i" marginal
/// counts are 0 and the estimate overshoots (a 2-unit tanh output layer gave Î(T;Y) above
/// H(Y)). Gao, Kannan, Oh & Viswanath (2017) replace, for such a sample, k by
///
///     k̃_i = #{j ≠ i : d(z_j, z_i) = 0}       (the exact duplicates of z_i, which number ≥ k)
///
/// and count the marginal neighbours with "≤ 0", i.e. n_x(i) = #{j ≠ i : x_j = x_i}. The
/// resulting term ψ(k̃_i) + ψ(N) − ψ(n_x(i) + 1) − ψ(n_y(i) + 1) is the plug-in estimate of
/// log p(x_i, y_i) / (p(x_i) p(y_i)) at an atom of the distribution; on purely discrete data
/// the estimator is the plug-in MI up to O(1/count) terms, on continuous data it is KSG.
///
/// Equality is coordinate-wise `==` on the Double data the neighbour search sees (after
/// preprocessing and jitter), so −0 equals +0; with the max-norm d(p, q) = 0 exactly when the
/// rows are equal. Rows are grouped by a hash of their canonical bit patterns and confirmed by
/// comparing coordinates, O(N d) expected time, O(N) memory beyond the data.
///
/// Reference: W. Gao, S. Kannan, S. Oh, P. Viswanath, "Estimating mutual information for
/// discrete-continuous mixtures", NeurIPS 2017 (their estimator, eq. (4) and Algorithm 1).
struct _ExactDuplicates {
  /// For row i, the lowest row index whose coordinates equal row i's.
  let representative: [Int]
  /// For row i, #{j : row_j = row_i}, i included (≥ 1).
  let multiplicity: [Int]

  init(_ m: Matrix<Double>) {
    let n = m.rows
    let d = m.columns
    var rep = [Int](repeating: 0, count: n)
    var buckets: [Int: [Int]] = [:]
    m.elements.withUnsafeBufferPointer { p in
      func equal(_ a: Int, _ b: Int) -> Bool {
        for c in 0..<d where p[a * d + c] != p[b * d + c] { return false }
        return true
      }
      for i in 0..<n {
        var h = Hasher()
        for c in 0..<d {
          let v = p[i * d + c]
          h.combine(v == 0 ? UInt64(0) : v.bitPattern)
        }
        let key = h.finalize()
        if let r = buckets[key]?.first(where: { equal($0, i) }) {
          rep[i] = r
        } else {
          rep[i] = i
          buckets[key, default: []].append(i)
        }
      }
    }
    representative = rep
    multiplicity = Self.multiplicities(of: rep.map { _PairKey(a: $0, b: 0) })
  }

  /// For each i, #{j : keys[j] = keys[i]}, i included.
  static func multiplicities(of keys: [_PairKey]) -> [Int] {
    var count: [_PairKey: Int] = [:]
    for key in keys { count[key, default: 0] += 1 }
    return keys.map { count[$0] ?? 1 }
  }
}

/// A pair of integers used as a grouping key (row representative × row representative or class).
struct _PairKey: Hashable {
  var a: Int
  var b: Int
}
