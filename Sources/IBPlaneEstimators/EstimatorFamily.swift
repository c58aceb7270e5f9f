import IBPlaneCore
import IBPlaneNumerics

/// The parameters of one estimator as used: every applicable key of its family's table with
/// its value in canonical spelling (defaults resolved), in table order.
public struct EstimatorParameterValues: Sendable, Equatable {
  /// `(key, value)` in table order.
  public private(set) var items: [(key: String, value: String)]

  init(_ items: [(key: String, value: String)]) { self.items = items }

  public subscript(key: String) -> String? { items.first { $0.key == key }?.value }

  public var dictionary: [String: String] { Dictionary(uniqueKeysWithValues: items.map { ($0.key, $0.value) }) }

  /// `key=value,key=value` — the canonical `params` string, in the spec syntax.
  public var canonical: String { items.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }

  public static func == (a: Self, b: Self) -> Bool { a.items.elementsEqual(b.items) { $0 == $1 } }

  // Typed reads for the families' builders; the values were checked when they were resolved.
  func string(_ key: String) -> String { self[key] ?? "" }
  func integer(_ key: String) -> Int { Int(string(key)) ?? 0 }
  func real(_ key: String) -> Double { Double(string(key)) ?? .nan }
  /// `nil` for the parameter's `none` spelling (or an absent key).
  func optionalReal(_ key: String) -> Double? { self[key].flatMap(Double.init) }
  func flag(_ key: String) -> Bool { string(key) == "true" }
  func seed(_ key: String) -> UInt64 { UInt64(string(key)) ?? 0 }
}

/// One estimator family: its name, its typed parameter table, and how to build its estimators
/// from resolved values and read the values back from an estimator.
///
/// The two builders make the I(A;B) form (`ibplane estimate`) and the information-plane form
/// (`ibplane analyze`); a family may have one or both. `describe` is the inverse of the
/// builders: the parameters an estimator of this family holds, in canonical spelling (only the
/// keys that apply to it), `nil` for an estimator of another type. Round trip (tested for every
/// family): `describe(make(resolve(describe(e))))` equals `describe(e)`.
public struct EstimatorFamily: Sendable {
  public var name: String
  public var summary: String
  public var parameters: [EstimatorParameter]
  var buildMutualInformation: (@Sendable (EstimatorParameterValues) throws -> any MutualInformationEstimator)?
  var buildPlane: (@Sendable (EstimatorParameterValues) throws -> any InformationPlaneEstimator)?
  var describe: @Sendable (Any) -> [String: String]?

  public var hasMutualInformationForm: Bool { buildMutualInformation != nil }
  public var hasPlaneForm: Bool { buildPlane != nil }

  /// The parameters `form` reads, in table order.
  public func parameters(for form: EstimatorParameter.Form) -> [EstimatorParameter] {
    parameters.filter { $0.form.includes(form) }
  }

  /// The keys accepted for `form` (shorthands included), in table order.
  public func keys(for form: EstimatorParameter.Form) -> [String] { parameters(for: form).map(\.key) }

  /// Checks `given` (key → text, as typed) against the table and returns every applicable
  /// parameter with defaults resolved. Keys match case-insensitively and by alias. Throws
  /// `EstimatorError.invalidParameter` for an unknown key (with a did-you-mean suggestion), a
  /// bad value, a key given twice under two spellings, or a key whose condition does not hold.
  public func resolve(_ given: [(key: String, value: String)], form: EstimatorParameter.Form) throws -> EstimatorParameterValues {
    let table = parameters(for: form)
    var explicit: [String: String] = [:]
    for (rawKey, text) in given {
      let k = rawKey.lowercased()
      guard let p = table.first(where: { $0.key == k || $0.aliases.contains(k) }) else {
        let keys = table.map(\.key)
        let other = parameters.first { $0.key == k || $0.aliases.contains(k) }
        throw EstimatorError.invalidParameter(
          name: "\(name) parameter", value: "'\(rawKey)'",
          expected: (keys.isEmpty ? "no parameters" : "one of \(keys.joined(separator: ", "))")
            + (other.map { " (\($0.key) applies to \($0.form == .plane ? "ibplane analyze" : "ibplane estimate") only)" }
              ?? EstimatorRegistry.suggestion(rawKey, among: keys)))
      }
      let value = try p.canonical(text)
      if let previous = explicit[p.key], previous != value {
        throw EstimatorError.invalidParameter(
          name: "\(name) parameter \(p.key)", value: "\(previous) and \(value)", expected: "one value")
      }
      explicit[p.key] = value
    }
    // Shorthands first: they set their targets unless those are given themselves.
    var values = explicit
    for p in table where !p.shorthandFor.isEmpty {
      let value = explicit[p.key] ?? defaultValue(p, values)
      for target in p.shorthandFor where explicit[target] == nil { values[target] = value }
    }
    var items: [(key: String, value: String)] = []
    for p in table where p.shorthandFor.isEmpty {
      if let c = p.condition, !c.holds(values) {
        if explicit[p.key] != nil {
          throw EstimatorError.invalidParameter(
            name: "\(name) parameter", value: "'\(p.key)'",
            expected: "\(p.key) only with \(c.description) (here \(c.key) is \(values[c.key] ?? "not set"))")
        }
        values[p.key] = nil
        continue
      }
      let v = values[p.key] ?? defaultValue(p, values)
      values[p.key] = v
      items.append((p.key, v))
    }
    return EstimatorParameterValues(items)
  }

  /// The default of `p` given the values resolved so far.
  func defaultValue(_ p: EstimatorParameter, _ values: [String: String]) -> String {
    switch p.defaultValue {
    case .value(let v): return v
    case .derived(_, let f): return f(values)
    }
  }

  /// The parameters of `estimator` as used, when it is of this family.
  public func values(of estimator: Any, form: EstimatorParameter.Form) -> EstimatorParameterValues? {
    guard let d = describe(estimator) else { return nil }
    return EstimatorParameterValues(
      parameters(for: form).filter { $0.shorthandFor.isEmpty }.compactMap { p in d[p.key].map { (p.key, $0) } })
  }

  /// The label of an estimator with these values: the family name when every parameter is at
  /// its default, else `name:key=value,…` of the parameters that are not (table order). The
  /// label is itself a specification that rebuilds the estimator.
  public func label(_ values: EstimatorParameterValues, form: EstimatorParameter.Form) -> String {
    let table = parameters(for: form)
    var context: [String: String] = [:]
    var changed: [String] = []
    for (key, value) in values.items {
      context[key] = value
      guard let p = table.first(where: { $0.key == key }) else { continue }
      if value != defaultValue(p, context) { changed.append("\(key)=\(value)") }
    }
    return changed.isEmpty ? name : "\(name):\(changed.joined(separator: ","))"
  }

  /// Builds the I(A;B) form from resolved values.
  public func makeMutualInformation(_ values: EstimatorParameterValues) throws -> any MutualInformationEstimator {
    guard let make = buildMutualInformation else {
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(EstimatorRegistry.mutualInformationNames.joined(separator: ", ")) (\(name) is an information-plane estimator only)")
    }
    return try make(values)
  }

  /// Builds the information-plane form from resolved values.
  public func makePlane(_ values: EstimatorParameterValues) throws -> any InformationPlaneEstimator {
    guard let make = buildPlane else {
      throw EstimatorError.invalidParameter(
        name: "estimator", value: "'\(name)'", expected: "one of \(EstimatorRegistry.planeNames.joined(separator: ", ")) (\(name) estimates I(A;B) only, with ibplane estimate)")
    }
    return try make(values)
  }
}
