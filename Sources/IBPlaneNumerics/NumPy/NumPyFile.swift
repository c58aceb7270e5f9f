import Foundation

/// Reading and writing NumPy `.npy` files, format versions 1.0, 2.0 and 3.0.
///
/// Layout: magic `\x93NUMPY`, major and minor version bytes, header length (u16 for 1.0,
/// u32 for 2.0/3.0), a Python-literal dict `{'descr': …, 'fortran_order': …, 'shape': (…)}`
/// padded with spaces to a multiple of 64 bytes and ended by `\n`, then the raw data.
/// Supported: little-endian `<f4 <f8 <i8 <i4 |u1 |b1` in C order. Refused with an error naming
/// the field: Fortran order, big-endian and object dtypes, shapes that disagree with the data.
///
/// Limits (hostile files): the header is at most `maximumHeaderLength` bytes and the shape at
/// most `maximumDimensions` long; the byte size the shape implies is computed with overflow
/// checks and must equal the bytes present before any element is read.
public enum NumPyFile {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

  /// The longest header dict accepted, in bytes: NumPy's own reader refuses longer ones by
  /// default (`numpy.lib.format._MAX_HEADER_SIZE`), and no array ibplane reads needs more.
  public static let maximumHeaderLength = 10_000
  /// The most dimensions a shape may have: NumPy's `NPY_MAXDIMS` (64 since NumPy 2.0).
  public static let maximumDimensions = 64
  /// The longest preamble plus header: what a reader needs before it knows the data size.
  static let maximumPrefixLength = 12 + maximumHeaderLength

  /// What a `.npy` header declares: the element type, the shape, where the data starts and
  /// how many bytes it must hold.
  struct Header: Equatable {
    var dtype: NumPyDType
    var shape: [Int]
    /// Offset of the first data byte from the start of the file.
    var dataOffset: Int
    /// `product(shape) × itemSize`, overflow-checked.
    var dataByteCount: Int
    /// The whole file's size implied by the header: `dataOffset + dataByteCount`.
    var fileLength: Int
  }

  /// Reads a `.npy` file (memory-mapped).
  public static func read(_ url: URL) throws -> NumPyArray {
    let data: Data
    do {
      data = try Data(contentsOf: url, options: .alwaysMapped)
    } catch {
      throw NumPyError(file: url.path, field: "", message: FileErrorCause.text(error))
    }
    return try parse(data, file: url.path)
  }

  /// A float `.npy` file's array as a matrix of its own precision (float32 as `Float`, float64
  /// as `Double`), any other dtype as `Double`; 1-D arrays as a column, as `NumPyArray.matrix`.
  public enum FloatMatrix {
    case float(Matrix<Float>)
    case double(Matrix<Double>)
  }

  /// Reads `url` as a `FloatMatrix`: float32 as `Float` when `keepFloat`, everything else as
  /// `Double`. A file whose elements are stored as the matrix holds them, and whose header and
  /// size check out, has its data read straight into the matrix's storage (one `pread`: no
  /// mapping, and no copy out of one, which took ~1 ms of a 4 MiB `estimate` input); anything
  /// else, a file that is not well-formed included, takes the mapped route of `read(_:)` and
  /// `NumPyArray.matrix`, whose errors name the field.
  public static func floatMatrix(_ url: URL, file: String, keepFloat: Bool) throws -> FloatMatrix {
    if let direct = directFloatMatrix(url.path, keepFloat: keepFloat) { return direct }
    let array = try read(url)
    if keepFloat && array.dtype == .float32 { return .float(try array.matrix(Float.self, file: file)) }
    return .double(try array.matrix(Double.self, file: file))
  }

  /// `floatMatrix`'s direct route: nil for anything but a regular file of one or two
  /// dimensions (at least one column), of float64, or of float32 when `keepFloat`, whose size
  /// is the one its header implies.
  private static func directFloatMatrix(_ path: String, keepFloat: Bool) -> FloatMatrix? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    let size = Int(info.st_size)
    var prefix = [UInt8](repeating: 0, count: Swift.min(size, maximumPrefixLength))
    guard prefix.withUnsafeMutableBytes({ readFully(fd, $0, offset: 0) }),
      let header = try? parseHeader(Data(prefix), file: path), header.fileLength == size,
      header.dtype == .float64 || (keepFloat && header.dtype == .float32)
    else { return nil }
    let (rows, columns): (Int, Int)
    switch header.shape.count {
    case 1: (rows, columns) = (header.shape[0], 1)
    case 2: (rows, columns) = (header.shape[0], header.shape[1])
    default: return nil
    }
    guard columns >= 1 else { return nil }
    func elements<S: BLASScalar>(_: S.Type) -> Matrix<S>? {
      let count = header.dataByteCount / MemoryLayout<S>.stride
      var complete = false
      let elements = [S](unsafeUninitializedCapacity: count) { buffer, initialised in
        HugePages.advise(UnsafeMutableRawPointer(buffer.baseAddress), byteCount: header.dataByteCount)
        let bytes = UnsafeMutableRawBufferPointer(buffer)
        complete = readFully(fd, UnsafeMutableRawBufferPointer(rebasing: bytes[0..<header.dataByteCount]), offset: header.dataOffset)
        initialised = complete ? count : 0
      }
      guard complete else { return nil }
      return try? Matrix(rows: rows, columns: columns, elements: elements)
    }
    if header.dtype == .float32 { return elements(Float.self).map { .float($0) } }
    return elements(Double.self).map { .double($0) }
  }

  /// Reads all of `buffer` from `fd` at `offset`; false on an error or an early end of file.
  private static func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, offset: Int) -> Bool {
    guard let base = buffer.baseAddress else { return buffer.isEmpty }
    var done = 0
    while done < buffer.count {
      let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      done += n
    }
    return true
  }

  /// Parses `.npy` bytes; `file` names the source in errors. The array's bytes are a slice of
  /// `data` (no copy).
  public static func parse(_ data: Data, file: String) throws -> NumPyArray {
    let header = try parseHeader(data, file: file)
    let available = data.count - header.dataOffset
    guard available == header.dataByteCount else {
      throw NumPyError(
        file: file, field: "shape",
        message: "shape \(NumPyError.quoted("\(header.shape)")) of \(header.dtype.rawValue) needs \(header.dataByteCount) data bytes from offset "
          + "\(header.dataOffset), but the file has \(available)")
    }
    let start = data.startIndex + header.dataOffset
    return try NumPyArray(dtype: header.dtype, shape: header.shape, bytes: data[start..<data.endIndex])
  }

  /// Parses the preamble and header dict at the start of `data`; only those bytes need to be
  /// present (a `.npz` reader passes the first `maximumPrefixLength` inflated bytes).
  static func parseHeader(_ data: Data, file: String) throws -> Header {
    func fail(_ field: String, _ message: String) -> NumPyError { NumPyError(file: file, field: field, message: message) }
    let count = data.count
    func byte(_ i: Int) -> Int { Int(data[data.startIndex + i]) }
    guard count >= 10 else { throw fail("magic", "file is \(count) bytes, too short for a .npy header (expected ≥ 10)") }
    guard (0..<6).allSatisfy({ byte($0) == Int(magic[$0]) }) else {
      throw fail("magic", "bytes 0–5 are not \\x93NUMPY: not a .npy file")
    }
    let major = byte(6)
    let minor = byte(7)
    guard (1...3).contains(major), minor == 0 else {
      throw fail("version", "format version \(major).\(minor) is not supported (expected 1.0, 2.0 or 3.0)")
    }
    let headerLength: Int
    let headerStart: Int
    if major == 1 {
      headerLength = byte(8) | byte(9) << 8
      headerStart = 10
    } else {
      guard count >= 12 else { throw fail("header_len", "file ends inside the 4-byte header length at offset 8") }
      headerLength = byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24
      headerStart = 12
    }
    guard headerLength <= maximumHeaderLength else {
      throw fail(
        "header_len",
        "header of \(headerLength) bytes at offset \(headerStart) is longer than the \(maximumHeaderLength) bytes a .npy header may have")
    }
    guard headerStart + headerLength <= count else {
      throw fail("header_len", "header of \(headerLength) bytes at offset \(headerStart) runs past the end of the \(count)-byte file")
    }
    let headerBytes = data[(data.startIndex + headerStart)..<(data.startIndex + headerStart + headerLength)]
    guard let header = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else {
      throw fail("header", "header is not valid text")
    }
    let dict: [String: _PyValue]
    do {
      var parser = _PyLiteralParser(header)
      dict = try parser.parseDict()
    } catch let e as _PyLiteralParser.ParseError {
      let text = NumPyError.quoted(header.trimmingCharacters(in: .whitespacesAndNewlines))
      throw fail("header", "cannot parse the header dict (\(e.message)): \(text)")
    }
    guard case .string(let descr)? = dict["descr"] else { throw fail("descr", "missing or not a string") }
    guard case .bool(let fortran)? = dict["fortran_order"] else { throw fail("fortran_order", "missing or not True/False") }
    guard case .tuple(let shape)? = dict["shape"] else { throw fail("shape", "missing or not a tuple of integers") }
    if fortran { throw fail("fortran_order", "Fortran-ordered arrays are not supported; save with np.ascontiguousarray") }
    guard let dtype = NumPyDType(descr: descr) else {
      let quoted = NumPyError.quoted(descr)
      if descr.hasPrefix(">") {
        throw fail("descr", "big-endian dtype '\(quoted)' is not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))")
      }
      if descr.contains("O") { throw fail("descr", "object dtype '\(quoted)' cannot be read (it would need pickle)") }
      throw fail("descr", "dtype '\(quoted)' is not supported (expected one of <f4 <f8 <i8 <i4 |u1 |b1)")
    }
    guard shape.count <= maximumDimensions else {
      throw fail("shape", "\(shape.count) dimensions; expected at most \(maximumDimensions)")
    }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("shape", "negative dimension in \(NumPyError.quoted("\(shape)"))") }
    let dataOffset = headerStart + headerLength
    let (elements, overflow) = NumPyArray.elementCount(shape)
    let (byteCount, overflow2) = elements.multipliedReportingOverflow(by: dtype.itemSize)
    let (fileLength, overflow3) = byteCount.addingReportingOverflow(dataOffset)
    guard !overflow, !overflow2, !overflow3 else { throw fail("shape", "shape \(NumPyError.quoted("\(shape)")) overflows the addressable size") }
    return Header(dtype: dtype, shape: shape, dataOffset: dataOffset, dataByteCount: byteCount, fileLength: fileLength)
  }

  /// Encodes `array` as `.npy` bytes: version 1.0 when the header fits, else 2.0.
  public static func encode(_ array: NumPyArray) -> Data {
    let shapeText: String
    switch array.shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(array.shape[0]),)"
    default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
    let v1 = header.utf8.count + 1 + 10 <= 65535
    let prefix = v1 ? 10 : 12
    let total = ((prefix + header.utf8.count + 1 + 63) / 64) * 64
    header += String(repeating: " ", count: total - prefix - header.utf8.count - 1) + "\n"
    var out = Data(magic)
    out.append(contentsOf: [v1 ? 1 : 2, 0])
    let len = header.utf8.count
    if v1 {
      out.append(contentsOf: [UInt8(len & 0xFF), UInt8(len >> 8)])
    } else {
      out.append(contentsOf: (0..<4).map { UInt8((len >> (8 * $0)) & 0xFF) })
    }
    out.append(contentsOf: Array(header.utf8))
    out.append(array.bytes)
    return out
  }

  /// Writes `array` to `url` atomically.
  public static func write(_ array: NumPyArray, to url: URL) throws {
    do {
      try encode(array).write(to: url, options: .atomic)
    } catch {
      throw NumPyError(file: url.path, field: "", message: "cannot be written: \(FileErrorCause.text(error))")
    }
  }
}

/// A value of the Python-literal subset used in `.npy` headers.
enum _PyValue: Equatable {
  case string(String)
  case bool(Bool)
  case tuple([Int])
  case int(Int)
}

/// A strict parser for the header dict: string keys; string, bool, int and int-tuple values.
struct _PyLiteralParser {
  struct ParseError: Error { var message: String }
  private let chars: [Character]
  private var i = 0

  init(_ text: String) { chars = Array(text) }

  private mutating func skipSpace() { while i < chars.count, chars[i].isWhitespace { i += 1 } }

  private mutating func expect(_ c: Character) throws {
    skipSpace()
    guard i < chars.count, chars[i] == c else { throw ParseError(message: "expected '\(c)' at character \(i)") }
    i += 1
  }

  mutating func parseDict() throws -> [String: _PyValue] {
    try expect("{")
    var out: [String: _PyValue] = [:]
    while true {
      skipSpace()
      if i < chars.count, chars[i] == "}" { i += 1; break }
      guard case .string(let key) = try parseValue() else { throw ParseError(message: "dict key is not a string") }
      try expect(":")
      if out[key] != nil { throw ParseError(message: "duplicate key '\(NumPyError.quoted(key))'") }
      out[key] = try parseValue()
      skipSpace()
      if i < chars.count, chars[i] == "," { i += 1; continue }
      try expect("}")
      break
    }
    skipSpace()
    guard i == chars.count else { throw ParseError(message: "trailing text after the dict") }
    return out
  }

  private mutating func parseValue() throws -> _PyValue {
    skipSpace()
    guard i < chars.count else { throw ParseError(message: "unexpected end") }
    let c = chars[i]
    if c == "'" || c == "\"" {
      i += 1
      var s = ""
      while i < chars.count, chars[i] != c { s.append(chars[i]); i += 1 }
      guard i < chars.count else { throw ParseError(message: "unterminated string") }
      i += 1
      return .string(s)
    }
    if c == "(" {
      i += 1
      var items: [Int] = []
      while true {
        skipSpace()
        if i < chars.count, chars[i] == ")" { i += 1; break }
        guard case .int(let v) = try parseValue() else { throw ParseError(message: "shape entries must be integers") }
        items.append(v)
        skipSpace()
        if i < chars.count, chars[i] == "," { i += 1; continue }
        try expect(")")
        break
      }
      return .tuple(items)
    }
    if c == "-" || Self.isDigit(c) {
      var s = String(c)
      i += 1
      while i < chars.count, Self.isDigit(chars[i]) { s.append(chars[i]); i += 1 }
      if i < chars.count, chars[i] == "L" { i += 1 }
      guard let v = Int(s) else { throw ParseError(message: "'\(NumPyError.quoted(s))' is not an integer in the 64-bit range") }
      return .int(v)
    }
    for (word, value) in [("True", true), ("False", false)] {
      let w = Array(word)
      if i + w.count <= chars.count, Array(chars[i..<(i + w.count)]) == w {
        i += w.count
        return .bool(value)
      }
    }
    throw ParseError(message: "unexpected character '\(NumPyError.quoted(String(c)))' at \(i)")
  }

  /// ASCII 0–9 only: `Character.isNumber` also accepts digits of other scripts and fractions.
  private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }
}
