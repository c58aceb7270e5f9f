import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// One row of an estimator family's parameter table: the single declaration of a parameter.
///
/// Everything a user sees of a parameter comes from here: the `ibplane estimate` flag `--key`,
/// the `ibplane analyze --estimator name:key=value` item, the line in both `--help` texts, the
/// refusal of a bad value (one sentence naming the key and what was expected), and the
/// `key=value` item of the canonical `params` string in `plane.csv`. Values are kept in one
/// canonical spelling (`canonical(_:)`), so a value read back from a CSV parses to itself.
public struct EstimatorParameter: Sendable {
  /// What values a parameter takes.
  public enum Kind: Sendable {
    /// An integer in the range.
    case integer(ClosedRange<Int>)
    /// A finite real number in the range; `none` is the spelling of "no value" when the
    /// parameter is optional (e.g. `noise=none`), `nil` when a number is required.
    case real(ClosedRange<Double>, none: String?)
    /// One of the names (matched case-insensitively, written as listed).
    case choice([String])
    /// `true` or `false`; as an `ibplane estimate` flag, `--key` alone means `true`.
    case flag
    /// A seed: an unsigned 64-bit integer.
    case seed
    /// Structured text such as `nystrom:m`: `syntax` describes it, `canonical` checks a value
    /// and returns its canonical spelling (throwing `EstimatorError.invalidParameter`).
    case text(syntax: String, canonical: @Sendable (String) throws -> String)
  }

  /// The value a parameter takes when it is not given.
  public enum Default: Sendable {
    /// A fixed value, in canonical spelling.
    case value(String)
    /// A value that depends on the parameters before it in the table (lossy's `k` on its
    /// `backend`); `doc` says how, for the help text.
    case derived(doc: String, @Sendable (_ values: [String: String]) -> String)
  }

  /// Which estimator form reads the parameter.
  public enum Form: Sendable, Equatable {
    /// Both `ibplane estimate` (I(A;B)) and `ibplane analyze` (the plane).
    case both
    /// Only the I(A;B) form (`ibplane estimate`).
    case mutualInformation
    /// Only the information-plane form (`ibplane analyze`).
    case plane

    package func includes(_ other: Form) -> Bool { self == .both || other == .both || self == other }
  }

  /// A parameter that applies only when another one has (or has not) one of some values, e.g.
  /// `binsize` only with `convention=floor`.
  public struct Condition: Sendable {
    public var key: String
    public var values: [String]
    public var negated: Bool

    func holds(_ values: [String: String]) -> Bool {
      guard let v = values[key] else { return false }
      return self.values.contains(v) != negated
    }

    var description: String {
      "\(key) \(negated ? "not " : "")\(EstimatorParameter.alternatives(values))"
    }
  }

  /// The one spelling of the parameter (CLI flag without dashes, spec and CSV key).
  public var key: String
  public var kind: Kind
  public var defaultValue: Default
  /// One line for the help texts.
  public var doc: String
  /// The unit of a numeric value (e.g. "activation units²"), `nil` when it has none.
  public var unit: String?
  /// What the value is, for error messages ("a noise variance", "an integer").
  public var what: String
  /// Older spellings still accepted on input (e.g. `noise_variance`).
  public var aliases: [String] = []
  public var condition: Condition? = nil
  /// A shorthand sets these parameters (unless given themselves) and is not written in the
  /// canonical string itself (e.g. `width-rule` sets `sigma-x` and `sigma-y`).
  public var shorthandFor: [String] = []
  public var form: Form = .both

  public init(
    _ key: String, _ kind: Kind, default defaultValue: Default, doc: String, unit: String? = nil, what: String,
    aliases: [String] = [], condition: Condition? = nil, shorthandFor: [String] = [], form: Form = .both
  ) {
    self.key = key
    self.kind = kind
    self.defaultValue = defaultValue
    self.doc = doc
    self.unit = unit
    self.what = what
    self.aliases = aliases
    self.condition = condition
    self.shorthandFor = shorthandFor
    self.form = form
  }

  /// Applies only when `key` has one of `values`.
  public static func when(_ key: String, is values: String...) -> Condition {
    Condition(key: key, values: values, negated: false)
  }

  /// Applies only when `key` has none of `values`.
  public static func when(_ key: String, isNot values: String...) -> Condition {
    Condition(key: key, values: values, negated: true)
  }

  /// Whether `--key` alone (no value) means `true` on the command line.
  public var isFlag: Bool {
    if case .flag = kind { return true }
    return false
  }

  // MARK: Values

  /// `text` checked against the kind and written in canonical spelling. Throws
  /// `EstimatorError.invalidParameter` naming the key and what was expected.
  public func canonical(_ text: String) throws -> String {
    let t = text.trimmingCharacters(in: .whitespaces)
    func refuse() -> EstimatorError { .invalidParameter(name: key, value: text, expected: expectation) }
    switch kind {
    case .integer(let range):
      guard let v = Int(t), range.contains(v) else { throw refuse() }
      return "\(v)"
    case .real(let range, let none):
      if let none, t.lowercased() == none { return none }
      guard let v = Double(t), v.isFinite, range.contains(v) else { throw refuse() }
      return Self.render(v)
    case .choice(let names):
      guard let n = names.first(where: { $0.lowercased() == t.lowercased() }) else { throw refuse() }
      return n
    case .flag:
      guard let b = Bool(t.lowercased()) else { throw refuse() }
      return "\(b)"
    case .seed:
      guard let v = UInt64(t) else { throw refuse() }
      return "\(v)"
    case .text(_, let canonical):
      return try canonical(t)
    }
  }

  /// What a value must be, as the end of an error sentence ("a noise variance in 1e-100…1e100").
  public var expectation: String {
    switch kind {
    case .integer(let r): return "\(what) in \(r.lowerBound)…\(r.upperBound)"
    case .real(let r, let none):
      return "\(what) in \(Self.render(r.lowerBound))…\(Self.render(r.upperBound))" + (none.map { " or \($0)" } ?? "")
    case .choice(let names): return Self.alternatives(names)
    case .flag: return "true or false"
    case .seed: return "a seed, an integer in 0…\(UInt64.max)"
    case .text(let syntax, _): return syntax
    }
  }

  /// The accepted values for the help text ("2…1048576", "upper or lower").
  public var valueSummary: String {
    switch kind {
    case .integer(let r): return "integer \(r.lowerBound)…\(r.upperBound)"
    case .real(let r, let none):
      return "\(Self.render(r.lowerBound))…\(Self.render(r.upperBound))" + (unit.map { " \($0)" } ?? "") + (none.map { " or \($0)" } ?? "")
    case .choice(let names): return Self.alternatives(names)
    case .flag: return "true or false"
    case .seed: return "integer 0…2^64−1"
    case .text(let syntax, _): return syntax
    }
  }

  /// The default for the help text.
  public var defaultSummary: String {
    switch defaultValue {
    case .value(let v): return v
    case .derived(let doc, _): return doc
    }
  }

  /// A real number in its shortest round-trip spelling, integral values without `.0`
  /// (`2`, `0.1`, `1e-100`); `Double(render(v)) == v` bit for bit, −0 included.
  public static func render(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15, !(v == 0 && v.sign == .minus) { return "\(Int64(v))" }
    return "\(v)"
  }

  /// `a`, `a or b`, `a, b or c`.
  static func alternatives(_ names: [String]) -> String {
    guard names.count > 1 else { return names.first ?? "" }
    return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
  }
}
