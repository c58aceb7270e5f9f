import Foundation

/// The element types ibplane reads and writes in NumPy files (little-endian, C order).
public enum NumPyDType: String, Sendable, CaseIterable {
  case float32 = "<f4"
  case float64 = "<f8"
  case int64 = "<i8"
  case int32 = "<i4"
  case uint8 = "|u1"
  case bool = "|b1"

  public var itemSize: Int {
    switch self {
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    case .uint8, .bool: return 1
    }
  }

  /// Parses a NumPy `descr`, accepting the native-order spellings (`=f8`, `<u1`, `|i1` is not supported).
  init?(descr: String) {
    switch descr {
    case "<f4", "=f4": self = .float32
    case "<f8", "=f8": self = .float64
    case "<i8", "=i8": self = .int64
    case "<i4", "=i4": self = .int32
    case "|u1", "<u1", "=u1": self = .uint8
    case "|b1", "<b1", "=b1": self = .bool
    default: return nil
    }
  }
}

/// An n-dimensional NumPy array held as its raw little-endian bytes.
///
/// The three stored properties are read-only so that `bytes.count == count * dtype.itemSize`,
/// checked once by the initialiser, holds for every element access below.
public struct NumPyArray: Sendable, Equatable {
  public private(set) var dtype: NumPyDType
  public private(set) var shape: [Int]
  /// Raw element bytes, C order, `count * dtype.itemSize` long (possibly a slice of a
  /// memory-mapped file: index it through `withUnsafeBytes`, not from 0).
  public private(set) var bytes: Data

  /// The number of elements, the product of `shape` (validated not to overflow).
  public var count: Int { bytes.count / dtype.itemSize }

  public init(dtype: NumPyDType, shape: [Int], bytes: Data) throws {
    let (count, overflow) = NumPyArray.elementCount(shape)
    let (byteCount, overflow2) = count.multipliedReportingOverflow(by: dtype.itemSize)
    guard !overflow, !overflow2, shape.allSatisfy({ $0 >= 0 }), byteCount == bytes.count else {
      throw NumPyError(
        file: "<memory>", field: "shape",
        message: "shape \(NumPyError.quoted("\(shape)")) of \(dtype.rawValue) does not match \(bytes.count) bytes")
    }
    self.dtype = dtype
    self.shape = shape
    self.bytes = bytes
  }

  /// A float64 array from a matrix (shape N × d) or a vector (shape N) when `vector` is set.
  public init<S: BLASScalar>(_ matrix: Matrix<S>, vector: Bool = false) {
    self.dtype = S.self == Float.self ? .float32 : .float64
    self.shape = vector ? [matrix.rows * matrix.columns] : [matrix.rows, matrix.columns]
    if S.self == Float.self {
      self.bytes = matrix.elements.withUnsafeBufferPointer { Data(buffer: $0) }
    } else {
      let d = matrix.elements.map { Double($0) }
      self.bytes = d.withUnsafeBufferPointer { Data(buffer: $0) }
    }
  }

  /// An int64 vector.
  public init(int64 values: [Int]) {
    self.dtype = .int64
    self.shape = [values.count]
    let v = values.map { Int64($0) }
    self.bytes = v.withUnsafeBufferPointer { Data(buffer: $0) }
  }

  /// The product of `shape` and whether it overflowed (negative entries are the caller's check).
  static func elementCount(_ shape: [Int]) -> (Int, Bool) {
    var c = 1
    for s in shape {
      let (r, o) = c.multipliedReportingOverflow(by: s)
      if o { return (0, true) }
      c = r
    }
    return (c, false)
  }

  /// Every element as a Double (bools as 0/1).
  public func doubles() -> [Double] { elements(as: Double.self) }

  /// Every element as a `Double` or `Float`: `S(Double(x))` (integers and bools go through
  /// `Double`, so a large int64 rounds once, as in numpy's `astype`), in a typed loop per dtype;
  /// a float array of the same type is one copy. The conversion is on the path of every
  /// `estimate`, and the former closure form ran generic code per element (issue 18's
  /// profile: ~11 % of a binning `estimate`).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  func elements<S: BLASScalar>(as type: S.Type) -> [S] {
    let n = count
    return bytes.withUnsafeBytes { raw -> [S] in
      [S](unsafeUninitializedCapacity: n) { out, initialised in
        HugePages.advise(UnsafeMutableRawPointer(out.baseAddress), byteCount: n * MemoryLayout<S>.stride)
        switch dtype {
        case .float32 where S.self == Float.self, .float64 where S.self == Double.self:
          UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<(n * dtype.itemSize)]))
        case .float32:
          for i in 0..<n { out[i] = S(Double(raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self))) }
        case .float64:
          for i in 0..<n { out[i] = S(raw.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case .int64:
          for i in 0..<n { out[i] = S(Double(raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
        case .int32:
          for i in 0..<n { out[i] = S(Double(raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
        case .uint8, .bool:
          for i in 0..<n { out[i] = S(Double(raw[i])) }
        }
        initialised = n
      }
    }
  }

  /// Every element as an Int; throws for a float element that is not an integer.
  public func integers(file: String = "<memory>") throws -> [Int] {
    switch dtype {
    case .int64:
      return bytes.withUnsafeBytes { raw in (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) } }
    case .int32:
      return bytes.withUnsafeBytes { raw in (0..<count).map { Int(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) } }
    case .uint8, .bool:
      return bytes.map { Int($0) }
    case .float32, .float64:
      let d = doubles()
      if let k = d.firstIndex(where: { !($0.isFinite && $0 == $0.rounded() && abs($0) < 9.0e15) }) {
        throw NumPyError(file: file, field: "data", message: "element \(k) is \(d[k]), expected an integer label")
      }
      return d.map { Int($0) }
    }
  }

  /// `matrix(Float.self)` when every element's double value d converts to Float exactly
  /// (Double(Float(d)) == d; a NaN does not), else nil: the same matrix as `matrix(Double.self)`
  /// checked and converted, without the double copy (`ibplane estimate` reads a label Y so).
  /// Throws what `matrix` throws.
  public func exactFloatMatrix(file: String = "<memory>") throws -> Matrix<Float>? {
    let f = try matrix(Float.self, file: file)
    let n = count
    let exact = bytes.withUnsafeBytes { raw in
      f.elements.withUnsafeBufferPointer { out -> Bool in
        switch dtype {
        case .float32:
          return !out.contains { $0.isNaN }
        case .float64:
          return (0..<n).allSatisfy { Double(out[$0]) == raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
        case .int64:
          return (0..<n).allSatisfy { Double(out[$0]) == Double(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        case .int32:
          return (0..<n).allSatisfy { Double(out[$0]) == Double(raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        case .uint8, .bool:
          return true
        }
      }
    }
    return exact ? f : nil
  }

  /// The array as an N × d matrix: 2-D arrays as they are, 1-D arrays as a column.
  ///
  /// A 2-D array with no columns is refused: its row count is not backed by any byte of the
  /// file, so a header could claim 2⁶⁰ rows and have every per-row allocation downstream
  /// follow it.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public func matrix<S: BLASScalar>(_ type: S.Type = S.self, file: String = "<memory>") throws -> Matrix<S> {
    let rows: Int
    let cols: Int
    switch shape.count {
    case 1: (rows, cols) = (shape[0], 1)
    case 2: (rows, cols) = (shape[0], shape[1])
    default:
      throw NumPyError(file: file, field: "shape", message: "expected a 1-D or 2-D array, got shape \(NumPyError.quoted("\(shape)"))")
    }
    guard cols >= 1 else {
      throw NumPyError(file: file, field: "shape", message: "shape \(shape) has no columns; expected (N, d) with d ≥ 1")
    }
    return try Matrix(rows: rows, columns: cols, elements: elements(as: S.self))
  }
}

/// A NumPy file could not be read: names the file, the header field or byte offset, and what was expected.
public struct NumPyError: Error, Equatable, CustomStringConvertible {
  public var file: String
  public var field: String
  public var message: String
  /// `file: message` when the whole file is meant (`field` empty: it cannot be read).
  public var description: String { field.isEmpty ? "\(file): \(message)" : "\(file): \(field): \(message)" }

  public init(file: String, field: String, message: String) {
    self.file = file
    self.field = field
    self.message = message
  }

  /// The longest piece of file-supplied text (a header, a dtype, a member name) quoted in a
  /// message, in Unicode scalars.
  public static let quotedTextLimit = 100

  /// `text` cut to `quotedTextLimit` Unicode scalars, with an ellipsis when cut, so that a
  /// hostile file cannot make an error message as long as itself.
  public static func quoted(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let end = scalars.index(scalars.startIndex, offsetBy: quotedTextLimit, limitedBy: scalars.endIndex),
      end != scalars.endIndex
    else { return text }
    return String(scalars[..<end]) + "…"
  }
}
