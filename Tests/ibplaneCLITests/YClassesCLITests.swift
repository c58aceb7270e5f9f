import Foundation
import IBPlane
import Testing

extension CLI {
  /// The estimators of `ibplane estimate` that count Y's symbols (Y must be discrete).
  static let classEstimators = ["binning", "adaptive-binning", "kde", "adaptive-kde"]

  /// Whether `arguments` (`--estimator NAME …`) need Y as class labels.
  static func needsClasses(_ arguments: [String]) -> Bool {
    classEstimators.contains(arguments[1]) || arguments.contains("--y-classes")
  }

  /// Writes ⌊y⌋ of the continuous `y` file as integer class labels (int64) into `dir` and
  /// returns its path.
  static func writeClasses(of y: String, in dir: URL, name: String = "y-classes.npy") throws -> String {
    let m = try NumPyFile.read(URL(fileURLWithPath: y)).matrix(Double.self, file: y)
    let url = dir.appendingPathComponent(name)
    try NumPyFile.write(NumPyArray(int64: m.elements.map { Int($0.rounded(.down)) }), to: url)
    return url.path
  }
}

/// `ibplane estimate` and a Y that is, or is not, a class label (issue 14, item 3(c)).
@Suite struct YClassesCLITests {
  /// Gaussian pair, ρ = 0.75, N = 600: X, the continuous Y, ⌊Y⌋ as int64 and as float64.
  static func files() throws -> (dir: URL, x: String, y: String, classes: String, floatClasses: String) {
    let dir = try CLI.scratch()
    #expect(try CLI.run(["synth", "--task", "gaussian-1x1-rho0.75", "--n", "600", "--seed", "3", "--out", dir.path]).status == 0)
    let y = dir.appendingPathComponent("y.npy").path
    let classes = try CLI.writeClasses(of: y, in: dir)
    let labels = try NumPyFile.read(URL(fileURLWithPath: classes)).matrix(Double.self, file: classes)
    let floatClasses = dir.appendingPathComponent("y-float.npy")
    try NumPyFile.write(NumPyArray(labels), to: floatClasses)
    return (dir, dir.appendingPathComponent("x.npy").path, y, classes, floatClasses.path)
  }

  @Test func continuousYIsRefusedWithExitTwoNamingTheEstimatorAndTheFix() throws {
    let f = try Self.files()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    for name in CLI.classEstimators {
      let r = try CLI.run(["estimate", "--estimator", name, f.x, f.y])
      #expect(r.status == 2, "\(name): exit \(r.status)")
      #expect(r.stdout.isEmpty, "\(name): \(r.stdout)")
      for mention in ["for Y of \(name):", "(600 distinct rows of 600, non-integer values)", "at most N/2 = 300", "use ksg, cs or renyi"] {
        #expect(r.stderr.contains(mention), "\(name): \(r.stderr)")
      }
    }
    // The binning families can bin Y instead.
    let binned = try CLI.run(["estimate", "--estimator", "binning", "--second", "binned", f.x, f.y])
    #expect(binned.status == 0, "\(binned.stderr)")
  }

  /// Integer labels and the same labels stored as floats: accepted, the same number.
  @Test func integerLabelsInAnyDtypeAreAccepted() throws {
    let f = try Self.files()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    for arguments in CLI.classEstimators.map({ ["--estimator", $0] }) + [["--estimator", "cs", "--y-classes"], ["--estimator", "lossy", "--y-classes"]] {
      let ints = try CLI.run(["estimate"] + arguments + [f.x, f.classes, "--json"])
      let floats = try CLI.run(["estimate"] + arguments + [f.x, f.floatClasses, "--json"])
      #expect(ints.status == 0 && floats.status == 0, "\(arguments): \(ints.stderr) \(floats.stderr)")
      guard ints.status == 0, floats.status == 0 else { continue }
      let (a, b) = (try CLI.json(ints.stdout), try CLI.json(floats.stdout))
      let mi = try #require(a["mi"] as? Double)
      #expect(mi > 0.1 && mi == b["mi"] as? Double, "\(arguments): \(mi) vs \(b["mi"] ?? "none")")
    }
  }

  /// --y-classes: in "params" and the label, equal to the plane's I(T;Y) computed in-process on
  /// the same arrays, and refused (exit 2) for a Y that is not one column of integer labels.
  @Test func yClassesIsThePlanesLabelInformation() throws {
    let f = try Self.files()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    let t = try NumPyFile.read(URL(fileURLWithPath: f.x)).matrix(Float.self, file: f.x)
    let labels = try NumPyFile.read(URL(fileURLWithPath: f.classes)).matrix(Double.self, file: f.classes).elements.map { Int($0) }
    let low = labels.min() ?? 0
    let shifted = labels.map { $0 - low }
    let context = try PlaneContext(inputs: t, labels: .classes(shifted, classCount: (shifted.max() ?? 0) + 1))
    let planes: [(String, any InformationPlaneEstimator)] = [
      ("cs", CauchySchwarzMutualInformation()), ("lossy", LossyCompressedMI()),
    ]
    for (name, plane) in planes {
      let expected = try plane.point(layer: t, context: context).labelInformation.nats
      let r = try CLI.run(["estimate", "--estimator", name, "--y-classes", f.x, f.classes, "--json", "--unit", "nats"])
      #expect(r.status == 0, "\(name): \(r.stderr)")
      guard r.status == 0 else { continue }
      let j = try CLI.json(r.stdout)
      let mi = try #require(j["mi"] as? Double)
      // The command computes in double precision, the plane on the float32 layer: equal to
      // float32 rounding (bit for bit in the same precision: DiscreteYTests).
      #expect(abs(mi - expected) <= 1e-6 * abs(expected), "\(name): \(mi) vs plane \(expected)")
      #expect((j["params"] as? String)?.hasSuffix("y-classes=true") == true, "\(name): \(j["params"] ?? "")")
      #expect(j["label"] as? String == "\(name):y-classes=true")
      let refused = try CLI.run(["estimate", "--estimator", name, "--y-classes", f.x, f.y])
      #expect(refused.status == 2, "\(name): exit \(refused.status)")
      #expect(refused.stderr.contains("for Y of \(name) with y-classes:") && refused.stderr.contains("leave y-classes off"), "\(refused.stderr)")
    }
    let help = try CLI.run(["estimate", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
    #expect(help.contains("--y-classes"))
    #expect(help.contains("at most N/2 distinct rows"))
  }
}
