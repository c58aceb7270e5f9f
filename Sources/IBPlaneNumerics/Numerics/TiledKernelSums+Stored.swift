import CNative
import Foundation

/// The N×N Gaussian kernel matrix K_ij = exp(−γ‖x_i − x_j‖²) of one point set, computed once
/// and kept, for the estimators that pair the same kernel with many others: in an information
/// plane the input kernel Kˣ is the same for every snapshot and layer, and recomputing its N²
/// distances and exponentials in every job was half of the Cauchy–Schwarz plane's work
/// (issue 17). Stored as Double, N² · 8 bytes (128 MB at N = 4,096), only up to
/// `maximumBytes`; above it callers keep the tiled pass without storage.
///
/// The values are those the tiled engine computes in a pass over the same set with the same
/// tile size (same distance tiles, same vector exponential), so
/// `TiledKernelSums.pairedGaussianRowSums(stored:_:gammaB:)` returns exactly, bit for bit, what
/// `pairedGaussianRowSums(_:gammaA:_:gammaB:)` returns on the unstored set.
package final class StoredGaussianKernel: Sendable {
  /// Largest matrix stored (512 MiB: N ≤ 8,192).
  package static let maximumBytes = 512 << 20
  /// Most bytes all stored kernels alive at once may hold (1 GiB): a bootstrap keeps one
  /// context per resample alive, and each would otherwise store its own input kernel
  /// (B × 128 MB at N = 4,096). Past it `storedGaussianKernel` returns `nil` and callers take
  /// the tiled pass, which gives the same values.
  package static let totalBudgetBytes = 1 << 30
  private static let budget = _ByteBudget()
  /// Bytes held by the stored kernels alive now.
  package static var bytesInUse: Int { budget.used }
  /// N.
  package let count: Int
  package let gamma: Double
  /// The tile size of the engine that computed it; a pass with another tile size would
  /// visit the columns in other blocks (same values, other rounding of the row sums).
  package let tileSize: Int
  /// Row-major N × N, never mutated after `init`.
  let values: [Double]

  /// Takes over the reservation of `count`² doubles made by `reserve`.
  private init(count: Int, gamma: Double, tileSize: Int, values: [Double]) {
    self.count = count
    self.gamma = gamma
    self.tileSize = tileSize
    self.values = values
  }

  deinit { Self.budget.release(count * count * MemoryLayout<Double>.stride) }

  /// Reserves the bytes of an N × N matrix; false when it does not fit `maximumBytes` or the
  /// budget of all stored kernels.
  static func reserve(_ n: Int) -> Bool {
    fits(n) && budget.reserve(n * n * MemoryLayout<Double>.stride, limit: totalBudgetBytes)
  }

  /// Builds the kernel whose bytes `reserve` reserved (released again when `make` throws).
  static func make(count n: Int, gamma: Double, tileSize: Int, _ fill: () throws -> [Double]) throws -> StoredGaussianKernel {
    do {
      return StoredGaussianKernel(count: n, gamma: gamma, tileSize: tileSize, values: try fill())
    } catch {
      budget.release(n * n * MemoryLayout<Double>.stride)
      throw error
    }
  }

  /// Whether an N × N matrix of doubles fits `maximumBytes`.
  package static func fits(_ n: Int) -> Bool {
    let (square, overflow) = n.multipliedReportingOverflow(by: n)
    return !overflow && square <= maximumBytes / MemoryLayout<Double>.stride
  }

  /// K_ij (for tests and diagnostics).
  package subscript(i: Int, j: Int) -> Double { values[i * count + j] }
}

extension TiledKernelSums {
  /// The kernel matrix exp(−γ D) of `x` against itself (diagonal 1), through the same tiles
  /// and vector exponential as every other pass of the engine; `nil` when it does not fit
  /// `StoredGaussianKernel.maximumBytes`. Time as one tiled pass; memory N² doubles.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func storedGaussianKernel<S: BLASScalar>(_ x: Matrix<S>, gamma: Double) throws -> StoredGaussianKernel? {
    let n = x.rows
    try checkPair(x, x)
    guard StoredGaussianKernel.reserve(n) else { return nil }
    return try StoredGaussianKernel.make(count: n, gamma: gamma, tileSize: tileSize) {
      var values = [Double](repeating: 0, count: n * n)
      let plan = _DistancePlan(rows: x, columns: x)
      try values.withUnsafeMutableBufferPointer { kv in
        guard let k = kv.baseAddress else { return }
        try forEachTile([plan]) { rowRange, colRange, tiles in
          for r in 0..<rowRange.count {
            let out = k + (rowRange.lowerBound + r) * n + colRange.lowerBound
            _kernelRow(tiles[0], row: r, width: colRange.count, scale: -gamma, into: out)
          }
        }
      }
      return values
    }
  }

  /// `pairedGaussianRowSums(_:gammaA:_:gammaB:)` with Kᴬ read from `a` instead of recomputed:
  /// one tiled pass over B's distances and N² reads of the stored matrix. With the tile size
  /// `a` was computed with, the result is identical to the unstored call's; a different tile
  /// size is refused (it would change the rounding of the row sums).
  ///
  /// Through the symmetric pass (`_symmetricKernelSums`, half the pairs) when its accumulators
  /// fit; with `groups` (one id per row, e.g. the class) it also returns the within-group row
  /// sums of Kᴮ (`withinGroupRowSumsB`), from the same exponentials. Past the accumulators'
  /// budget: the full pass, without the group sums (`withinGroupRowSumsB` is `nil`).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  package func pairedGaussianRowSums<S: BLASScalar>(
    stored a: StoredGaussianKernel, _ b: Matrix<S>, gammaB: Double, groups: [Int32]? = nil
  ) throws -> PairedKernelRowSums {
    if let r = try _symmetricKernelSums(b, gammaB: gammaB, a: .stored(a), groups: groups), let rowA = r.rowA, let rowH = r.rowH {
      return PairedKernelRowSums(rowSumsA: rowA, rowSumsB: r.rowB, rowHadamardSums: rowH, withinGroupRowSumsB: r.withinB)
    }
    guard a.count == b.rows else {
      throw NumericsError.shapeMismatch("paired kernel sums need the same samples: \(a.count) stored vs \(b.rows)")
    }
    guard a.tileSize == tileSize else {
      throw NumericsError.invalidParameter("a kernel stored with tiles of \(a.tileSize) read by an engine with tiles of \(tileSize)")
    }
    try checkPair(b, b)
    let n = b.rows
    var rowA = [Double](repeating: 0, count: n)
    var rowB = [Double](repeating: 0, count: n)
    var rowH = [Double](repeating: 0, count: n)
    let plan = _DistancePlan(rows: b, columns: b)
    try a.values.withUnsafeBufferPointer { kv in
      guard let stored = kv.baseAddress else { return }
      try rowA.withUnsafeMutableBufferPointer { ra in
        try rowB.withUnsafeMutableBufferPointer { rb in
          try rowH.withUnsafeMutableBufferPointer { rh in
            try forEachTile([plan]) { rowRange, colRange, tiles in
              let w = colRange.count
              let kb = UnsafeMutablePointer<Double>.allocate(capacity: 2 * w)
              defer { kb.deallocate() }
              // The same accumulations, in the same order, as the unstored pass (two rows at
              // a time, then the odd row alone, as there).
              var r = 0
              while r + 1 < rowRange.count {
                let i = rowRange.lowerBound + r
                let ka = stored + i * n + colRange.lowerBound
                _kernelRow(tiles[0], row: r, width: w, scale: -gammaB, into: kb)
                _kernelRow(tiles[0], row: r + 1, width: w, scale: -gammaB, into: kb + w)
                let (sa0, sb0, sh0, sa1, sb1, sh1) = _pairedRowSums2(ka, kb, ka + n, kb + w, width: w)
                ra[i] += sa0
                rb[i] += sb0
                rh[i] += sh0
                ra[i + 1] += sa1
                rb[i + 1] += sb1
                rh[i + 1] += sh1
                r += 2
              }
              if r < rowRange.count {
                let i = rowRange.lowerBound + r
                let ka = stored + i * n + colRange.lowerBound
                _kernelRow(tiles[0], row: r, width: w, scale: -gammaB, into: kb)
                let (sa, sb, sh) = _pairedRowSums(ka, kb, width: w)
                ra[i] += sa
                rb[i] += sb
                rh[i] += sh
              }
            }
          }
        }
      }
    }
    return PairedKernelRowSums(rowSumsA: rowA, rowSumsB: rowB, rowHadamardSums: rowH)
  }
}

extension PairedKernelRowSums {
  /// The totals `TiledKernelSums.pairedGaussianSums` returns for these row sums (the Hadamard
  /// rows added in row order, as it does).
  package var summed: PairedKernelSums {
    PairedKernelSums(rowSumsA: rowSumsA, rowSumsB: rowSumsB, hadamardSum: rowHadamardSums.reduce(0, +))
  }
}

/// A byte count shared by threads (the stored kernels' budget).
// @unchecked Sendable: `used` is read and written only under `lock`.
package final class _ByteBudget: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes = 0

  package init() {}

  package var used: Int {
    lock.lock()
    defer { lock.unlock() }
    return bytes
  }

  package func reserve(_ n: Int, limit: Int) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard bytes + n <= limit else { return false }
    bytes += n
    return true
  }

  package func release(_ n: Int) {
    lock.lock()
    bytes -= n
    lock.unlock()
  }
}

extension TiledKernelSums {
  /// Σ_j exp(−γ D_ij) over all j and over the j of row i's group, for `x` against itself, by
  /// the symmetric pass (half the pairs); `nil` when its accumulators do not fit
  /// (`symmetricFits`). The all-columns sums are the same bits as the B row sums of
  /// `pairedGaussianRowSums(stored:_:gammaB:groups:)` on the same set and γ.
  package func groupedGaussianRowSums<S: BLASScalar>(
    _ x: Matrix<S>, gamma: Double, groups: [Int32]
  ) throws -> (all: [Double], within: [Double])? {
    guard let r = try _symmetricKernelSums(x, gammaB: gamma, a: .none, groups: groups), let within = r.withinB else { return nil }
    return (r.rowB, within)
  }
}
