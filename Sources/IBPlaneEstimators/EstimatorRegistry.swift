import Foundation
import IBPlaneCore
import IBPlaneNumerics

/// Every estimator family, in one table: the single place a name or a specification becomes an
/// estimator, for `ibplane estimate` (flags), `ibplane analyze --estimator` (specifications),
/// the C ABI and the Python package.
///
/// A specification is `NAME` or `NAME:key=value,key=value` (e.g. `kde:sigma2=0.05`); names and
/// keys match case-insensitively. Each family declares its parameters once
/// (`EstimatorParameter`: key, type and range, default, doc, unit); the flags, the help texts,
/// the validation, the `params` column of `plane.csv` and the estimator labels are derived
/// from that table. A plane row reproduces from its CSV: its `estimator` column (the label) is
/// a specification of the same estimator, and so is `family:params` (`reproducing(label:params:)`).
///
/// Add a family: declare it in an `EstimatorRegistry+<Family>.swift` file and list it in `families`.
public enum EstimatorRegistry {
  /// Every family, in the order of the help texts and of `ibplane analyze`'s default list.
  public static let families: [EstimatorFamily] = [
    binning, adaptiveBinning, kde, adaptiveKDE, cs, renyi, lossy, gaussian, ksg, ksg2, klEntropy, wkl,
  ]

  /// Names of the families with an I(A;B) form (`ibplane estimate`).
  public static var mutualInformationNames: [String] { families.filter(\.hasMutualInformationForm).map(\.name) }
  /// Names of the families with an information-plane form (`ibplane analyze`).
  public static var planeNames: [String] { families.filter(\.hasPlaneForm).map(\.name) }

  /// What `ibplane analyze` runs when no estimator is named: every plane family, each in a
  /// configuration that costs O(N²) or less per job (Rényi at α = 2 through the tiled engine
  /// rather than an O(N³) eigen-decomposition per snapshot and layer).
  public static let defaultPlaneSpecifications: [String] = [
    "binning", "adaptive-binning", "kde", "adaptive-kde", "cs", "renyi:alpha=2", "lossy", "gaussian",
  ]

  /// The family called `name` (case-insensitive). Throws naming the known families and the
  /// nearest one.
  public static func family(_ name: String) throws -> EstimatorFamily {
    let n = name.trimmingCharacters(in: .whitespaces).lowercased()
    if let f = families.first(where: { $0.name == n }) { return f }
    let names = families.map(\.name)
    throw EstimatorError.invalidParameter(
      name: "estimator", value: "'\(name)'", expected: "one of \(names.joined(separator: ", "))\(suggestion(name, among: names))")
  }

  /// Splits `NAME:key=value,…` into the name and its items (in the order given). Only the
  /// syntax is checked here.
  public static func parse(_ specification: String) throws -> (name: String, items: [(key: String, value: String)]) {
    let parts = specification.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
    let name = String(parts[0]).trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty else {
      throw EstimatorError.invalidParameter(name: "estimator", value: "\"\(specification)\"", expected: "NAME or NAME:key=value,...")
    }
    var items: [(key: String, value: String)] = []
    if parts.count == 2 {
      for item in parts[1].split(separator: ",") {
        let kv = item.split(separator: "=", maxSplits: 1)
        guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
          throw EstimatorError.invalidParameter(name: "estimator \(name)", value: "\"\(item)\"", expected: "key=value")
        }
        items.append((String(kv[0]).trimmingCharacters(in: .whitespaces), String(kv[1])))
      }
    }
    return (name, items)
  }

  /// The family and resolved values a specification names, for `form`.
  public static func resolve(_ specification: String, form: EstimatorParameter.Form) throws -> (EstimatorFamily, EstimatorParameterValues) {
    let (name, items) = try parse(specification)
    let f = try family(name)
    return (f, try f.resolve(items, form: form))
  }

  /// The information-plane estimator a specification names (`ibplane analyze --estimator`).
  public static func makePlane(_ specification: String) throws -> any InformationPlaneEstimator {
    let (name, items) = try parse(specification)
    let f = try family(name)
    guard f.hasPlaneForm else { return try f.makePlane(EstimatorParameterValues([])) }
    return try f.makePlane(try f.resolve(items, form: .plane))
  }

  /// The I(A;B) estimator a specification names (`ibplane estimate`, the C ABI).
  public static func makeMutualInformation(_ specification: String) throws -> any MutualInformationEstimator {
    let (name, items) = try parse(specification)
    return try makeMutualInformation(name, items)
  }

  /// The I(A;B) estimator of family `name` with `items` (e.g. from command-line flags).
  public static func makeMutualInformation(_ name: String, _ items: [(key: String, value: String)]) throws -> any MutualInformationEstimator {
    let f = try family(name)
    guard f.hasMutualInformationForm else { return try f.makeMutualInformation(EstimatorParameterValues([])) }
    return try f.makeMutualInformation(try f.resolve(items, form: .mutualInformation))
  }

  /// The family of a registered estimator (by its `name`) and its values as used; `nil` for an
  /// estimator type the registry does not know.
  public static func values(of estimator: Any, name: String, form: EstimatorParameter.Form) -> (EstimatorFamily, EstimatorParameterValues)? {
    guard let f = families.first(where: { $0.name == name }), let v = f.values(of: estimator, form: form) else { return nil }
    return (f, v)
  }

  /// The canonical `params` string of a plane estimator: `key=value` of every parameter as
  /// used, in table order, joined by `,`.
  public static func parameters(of estimator: any InformationPlaneEstimator) -> String {
    values(of: estimator, name: estimator.name, form: .plane)?.1.canonical ?? estimator.parameterDescription
  }

  /// The label of a plane estimator (the `estimator` column of `plane.csv` and the stem of its
  /// figure files): the family name when every parameter is at its default, else
  /// `name:key=value,…` of the others. Distinct parameterisations get distinct labels.
  public static func label(of estimator: any InformationPlaneEstimator) -> String {
    guard let (f, v) = values(of: estimator, name: estimator.name, form: .plane) else { return estimator.name }
    return f.label(v, form: .plane)
  }

  /// The specification that reproduces a `plane.csv` row: its family (the label up to the
  /// first `:`) with its complete `params`.
  public static func reproducing(label: String, params: String) -> String {
    let family = label.split(separator: ":", maxSplits: 1).first.map(String.init) ?? label
    return params.isEmpty ? family : "\(family):\(params)"
  }

  /// ` (did you mean X?)` when a candidate is within a small edit distance of `text`, else "".
  public static func suggestion(_ text: String, among candidates: [String]) -> String {
    let t = text.lowercased()
    let scored = candidates.map { ($0, editDistance(t, $0.lowercased())) }.filter { $0.1 <= max(2, t.count / 3) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
    return " (did you mean \(best.0)?)"
  }

  /// Edit distance with adjacent transpositions (optimal string alignment): `kgs` is one edit
  /// from `ksg`.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let (x, y) = (Array(a), Array(b))
    guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[x.count][y.count]
  }
}
