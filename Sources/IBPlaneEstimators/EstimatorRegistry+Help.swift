import IBPlaneCore
import IBPlaneNumerics

// The estimator parts of `ibplane estimate --help` and `ibplane analyze --help`, generated from
// the parameter tables so that they cannot drift from what the parsers accept.

extension EstimatorRegistry {
  /// One paragraph per family with a `form`: `name: summary`, then one line per parameter with
  /// its values (range and unit), default and doc. `flags` writes keys as `--key` (the
  /// `ibplane estimate` spelling), otherwise as `key=` (the specification spelling).
  public static func help(form: EstimatorParameter.Form, flags: Bool) -> String {
    families.filter { form == .plane ? $0.hasPlaneForm : $0.hasMutualInformationForm }.map { f in
      var lines = ["\(f.name): \(f.summary)."]
      for p in f.parameters(for: form) {
        let key = flags ? "--\(p.key)" + (p.isFlag ? "" : " VALUE") : "\(p.key)="
        var line = "    \(key)  \(p.doc); \(p.valueSummary); default \(p.defaultSummary)"
        if let c = p.condition { line += "; only with \(c.description)" }
        if !p.aliases.isEmpty { line += " (also spelt \(p.aliases.joined(separator: ", ")))" }
        lines.append(line + ".")
      }
      if form == .plane { lines.append("    interval (--resamples): \(intervalCoverage(family: f.name)).") }
      return "  " + lines.joined(separator: "\n")
    }.joined(separator: "\n")
  }

  /// The typed tables as JSON-ready values (`ibplane_estimators` of the C ABI, `ibplane
  /// estimate --list-estimators`): per family its name, summary, forms and parameters.
  public static var tableDescription: [[String: Any]] {
    families.map { f in
      [
        "name": f.name, "summary": f.summary, "estimate": f.hasMutualInformationForm, "plane": f.hasPlaneForm,
        "parameters": f.parameters.map { p -> [String: Any] in
          var d: [String: Any] = [
            "key": p.key, "values": p.valueSummary, "default": p.defaultSummary, "doc": p.doc,
            "form": p.form == .both ? "both" : p.form == .plane ? "plane" : "estimate",
          ]
          if let u = p.unit { d["unit"] = u }
          if let c = p.condition { d["only_with"] = c.description }
          if !p.shorthandFor.isEmpty { d["shorthand_for"] = p.shorthandFor }
          if !p.aliases.isEmpty { d["aliases"] = p.aliases }
          return d
        },
      ]
    }
  }
}
