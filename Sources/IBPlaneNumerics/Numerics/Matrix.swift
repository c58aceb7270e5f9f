/// A dense, contiguous, row-major matrix: `rows` samples × `columns` features.
///
/// Storage is a single Swift array, so a matrix is a value type with copy-on-write.
/// Activations are stored as `Float`; ground-truth samplers and tests use `Double`.
/// Reductions over many terms accumulate in `Double` regardless of `Scalar`.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
  public private(set) var rows: Int
  public private(set) var columns: Int
  /// Row-major elements: element (i, j) is at `i * columns + j`.
  public var elements: [Scalar]

  /// A matrix of zeros.
  @_specialize(exported: true, where Scalar == Float)
  @_specialize(exported: true, where Scalar == Double)
  public init(rows: Int, columns: Int) {
    precondition(rows >= 0 && columns >= 0, "Matrix dimensions must be non-negative")
    self.rows = rows
    self.columns = columns
    self.elements = [Scalar](repeating: 0, count: rows * columns)
  }

  /// Wraps row-major `elements`; throws when the count disagrees with the shape.
  public init(rows: Int, columns: Int, elements: [Scalar]) throws {
    guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns).overflow == false,
      rows * columns == elements.count
    else {
      throw NumericsError.shapeMismatch(
        "matrix of \(rows)×\(columns) needs \(rows &* columns) elements, got \(elements.count)")
    }
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// Wraps elements whose count is known to equal rows × columns (internal invariant).
  init(_uncheckedRows rows: Int, columns: Int, elements: [Scalar]) {
    assert(rows * columns == elements.count)
    self.rows = rows
    self.columns = columns
    self.elements = elements
  }

  /// Builds a matrix from an array of equally long rows.
  public init(_ rowArrays: [[Scalar]]) throws {
    let width = rowArrays.first?.count ?? 0
    guard rowArrays.allSatisfy({ $0.count == width }) else {
      throw NumericsError.shapeMismatch("rows of unequal length")
    }
    try self.init(rows: rowArrays.count, columns: width, elements: rowArrays.flatMap { $0 })
  }

  /// A column vector (N×1).
  public init(column: [Scalar]) {
    self.rows = column.count
    self.columns = 1
    self.elements = column
  }

  public subscript(row: Int, column: Int) -> Scalar {
    get { elements[row * columns + column] }
    set { elements[row * columns + column] = newValue }
  }

  /// A copy of row `i`.
  public func row(_ i: Int) -> [Scalar] {
    Array(elements[(i * columns)..<((i + 1) * columns)])
  }

  /// A copy of column `j`.
  public func column(_ j: Int) -> [Scalar] {
    (0..<rows).map { elements[$0 * columns + j] }
  }

  /// The rows at `indices`, in that order (repeats allowed, as in a bootstrap resample).
  @_specialize(exported: true, where Scalar == Float, S == [Int])
  @_specialize(exported: true, where Scalar == Double, S == [Int])
  public func selectingRows<S: Sequence>(_ indices: S) -> Matrix where S.Element == Int {
    var out: [Scalar] = []
    out.reserveCapacity(columns * rows)
    var count = 0
    elements.withUnsafeBufferPointer { e in
      for i in indices {
        out.append(contentsOf: e[(i * columns)..<((i + 1) * columns)])
        count += 1
      }
    }
    return Matrix(_uncheckedRows: count, columns: columns, elements: out)
  }

  /// The columns at `indices`, in that order.
  public func selectingColumns(_ indices: [Int]) -> Matrix {
    var out = Matrix(rows: rows, columns: indices.count)
    for i in 0..<rows {
      for (k, j) in indices.enumerated() { out.elements[i * indices.count + k] = elements[i * columns + j] }
    }
    return out
  }

  /// Side-by-side concatenation [self, other]; both must have the same number of rows.
  @_specialize(exported: true, where Scalar == Float)
  @_specialize(exported: true, where Scalar == Double)
  public func concatenatingColumns(_ other: Matrix) throws -> Matrix {
    guard rows == other.rows else {
      throw NumericsError.shapeMismatch("cannot join \(rows) rows with \(other.rows) rows")
    }
    var out = Matrix(rows: rows, columns: columns + other.columns)
    for i in 0..<rows {
      for j in 0..<columns { out.elements[i * out.columns + j] = elements[i * columns + j] }
      for j in 0..<other.columns {
        out.elements[i * out.columns + columns + j] = other.elements[i * other.columns + j]
      }
    }
    return out
  }

  /// The transpose.
  public var transposed: Matrix {
    var out = Matrix(rows: columns, columns: rows)
    for i in 0..<rows { for j in 0..<columns { out.elements[j * rows + i] = elements[i * columns + j] } }
    return out
  }

  /// Converts the element type. Specialised for the four Float/Double pairs: unspecialised, each
  /// element went through the generic `BinaryFloatingPoint` initialiser (witness look-ups, ~8 %
  /// of a lossy plane job, issue 17).
  @_specialize(exported: true, where Scalar == Float, T == Double)
  @_specialize(exported: true, where Scalar == Double, T == Double)
  @_specialize(exported: true, where Scalar == Float, T == Float)
  @_specialize(exported: true, where Scalar == Double, T == Float)
  public func converted<T: BLASScalar>(to: T.Type = T.self) -> Matrix<T> {
    // Same type: the same storage (an unspecialised `map` from another module costs ~5 ms per
    // 10⁵ elements for nothing).
    if T.self == Scalar.self { return unsafeBitCast(self, to: Matrix<T>.self) }
    return Matrix<T>(_uncheckedRows: rows, columns: columns, elements: elements.map { T($0) })
  }

  /// The identity matrix of size n.
  public static func identity(_ n: Int) -> Matrix {
    var m = Matrix(rows: n, columns: n)
    for i in 0..<n { m[i, i] = 1 }
    return m
  }

  /// Per-column means, accumulated in Double.
  @_specialize(exported: true, where Scalar == Float)
  @_specialize(exported: true, where Scalar == Double)
  public func columnMeans() -> [Double] {
    var means = [Double](repeating: 0, count: columns)
    guard rows > 0 else { return means }
    for i in 0..<rows { for j in 0..<columns { means[j] += Double(elements[i * columns + j]) } }
    return means.map { $0 / Double(rows) }
  }

  /// The first index of a non-finite element, if any.
  ///
  /// `Float` and `Double` take a non-generic loop: every estimator runs this check on its
  /// input from generic code, and there each `isFinite` went through the protocol witness
  /// (issue 18's profile: ~11 % of a binning `estimate`; `@_specialize` alone was not picked
  /// up by callers in other modules).
  public func firstNonFiniteIndex() -> Int? {
    if Scalar.self == Double.self {
      return unsafeBitCast(elements, to: [Double].self).withUnsafeBufferPointer { _firstNonFinite($0) }
    }
    if Scalar.self == Float.self {
      return unsafeBitCast(elements, to: [Float].self).withUnsafeBufferPointer { _firstNonFinite($0) }
    }
    return elements.firstIndex { !$0.isFinite }
  }
}

// A value is non-finite exactly when its exponent bits are all ones (±∞, NaN): then adding
// one unit of the exponent's lowest bit to the masked exponent carries into the sign bit, and
// for every finite value it does not. Blocks of 1,024 values OR those sums together, with
// only masks, additions and ORs in the loop, so it vectorises (the former `exponentBitPattern
// == allOnes ? 1 : 0` compiled to a compare and branch per element, ~1 ns each); only a block
// that holds a non-finite value is searched for the first.
private let _finiteBlock = 1_024

private func _firstNonFinite(_ e: UnsafeBufferPointer<Double>) -> Int? {
  _firstNonFinite(e, bits: { $0.bitPattern }, exponent: 0x7FF0_0000_0000_0000, unit: 0x0010_0000_0000_0000)
}

private func _firstNonFinite(_ e: UnsafeBufferPointer<Float>) -> Int? {
  _firstNonFinite(e, bits: { $0.bitPattern }, exponent: 0x7F80_0000, unit: 0x0080_0000)
}

@inline(__always)
private func _firstNonFinite<F: BinaryFloatingPoint, B: FixedWidthInteger & UnsignedInteger>(
  _ e: UnsafeBufferPointer<F>, bits: (F) -> B, exponent: B, unit: B
) -> Int? {
  var start = 0
  while start < e.count {
    let end = Swift.min(start + _finiteBlock, e.count)
    var carry: B = 0
    for i in start..<end { carry |= (bits(e[i]) & exponent) &+ unit }
    if carry >> (B.bitWidth - 1) != 0 { return (start..<end).first { !e[$0].isFinite } }
    start = end
  }
  return nil
}

/// Errors from the numeric core: bad shapes, LAPACK failures, bad parameters.
public enum NumericsError: Error, Equatable, CustomStringConvertible {
  case shapeMismatch(String)
  case tooLarge(String)
  case lapackFailure(routine: String, info: Int)
  case invalidParameter(String)
  case nonFinite(String)

  public var description: String {
    switch self {
    case .shapeMismatch(let s): return "shape mismatch: \(s)"
    case .tooLarge(let s): return "too large: \(s)"
    case .lapackFailure(let routine, let info): return "LAPACK \(routine) failed (info = \(info))"
    case .invalidParameter(let s): return "invalid parameter: \(s)"
    case .nonFinite(let s): return "non-finite value: \(s)"
    }
  }
}
