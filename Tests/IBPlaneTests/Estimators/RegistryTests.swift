import Foundation
import Testing
@testable import IBPlane
@testable import IBPlaneEstimators

/// The one estimator registry: every family's table is complete, defaults and canonical
/// strings round-trip, numeric ranges are refused at both ends, unknown names and keys get a
/// suggestion, and a `plane.csv` row rebuilds its estimator exactly.
@Suite struct RegistryTests {
  /// Per family, specifications that together give every parameter a non-default value in
  /// some configuration (and keep the estimators cheap on the fixture).
  static let examples: [String: [String]] = [
    "binning": ["binning", "binning:convention=floor,binsize=0.2,correction=miller-madow", "binning:convention=range,bins=7,second=binned"],
    "adaptive-binning": ["adaptive-binning", "adaptive-binning:bins=8,mode=per-unit,lower=-1,correction=miller-madow,second=binned"],
    "kde": ["kde", "kde:sigma2=0.05,bound=lower"],
    "adaptive-kde": ["adaptive-kde:sigma2=0.2,bound=lower"],
    "cs": ["cs", "cs:width-rule=silverman,normalised=true", "cs:sigma-x=0.5,sigma-y=median:50:3", "cs:y-classes=true"],
    "renyi": [
      "renyi:alpha=2", "renyi:approx=nystrom:20,seed=4,sigma-x=scott,sigma-y=0.7",
      "renyi:exact-limit=100,exact-float32-limit=120",
    ],
    "lossy": ["lossy", "lossy:compress=registry-test", "lossy:latent=2,noise=multiplicative:0.001,backend=wkl,k=6,metric=euclidean,labels=entropy-difference,seed=3", "lossy:latent=2,y-classes=true"],
    "gaussian": ["gaussian:sigma2=0.5", "gaussian:bias-correction=true"],
    "ksg": ["ksg", "ksg:k=4,metric=euclidean,preprocess=rank-gauss,jitter=1e-10,seed=2"],
    "ksg2": ["ksg2:k=5,preprocess=none", "ksg2:metric=euclidean,jitter=1e-10,seed=1"],
    "kl-entropy": ["kl-entropy:k=2,metric=max,preprocess=whiten"],
    "wkl": ["wkl:k=4,metric=max,preprocess=standardize"],
  ]

  /// Every family has examples, and every parameter of its table (shorthands aside) takes a
  /// non-default value in one of them and reads back from the built estimator: the table and
  /// the parameters the estimators report as used are the same set.
  @Test(arguments: EstimatorRegistry.families.map(\.name))
  func parametersAsUsedAreComplete(name: String) throws {
    Self.registerTestCompressor()
    let family = try EstimatorRegistry.family(name)
    let specs = try #require(Self.examples[name], "\(name) has no examples in RegistryTests")
    var changed = Set<String>()
    for spec in specs {
      for form in Self.forms(family) where Self.accepts(spec, family, form) {
        let (f, given) = try EstimatorRegistry.resolve(spec, form: form)
        let used = try #require(Self.values(Self.make(spec, form), family, form), "\(spec)")
        #expect(used == given, "\(spec) \(form): built \(used.canonical), asked \(given.canonical)")
        let label = f.label(used, form: form)
        for item in used.items where label.contains("\(item.key)=\(item.value)") { changed.insert(item.key) }
      }
    }
    let table = Set(family.parameters.filter(\.shorthandFor.isEmpty).map(\.key))
    #expect(changed == table, "\(name): never varied \(table.subtracting(changed).sorted())")
  }

  /// Defaults: the bare name resolves every applicable parameter to its default, the label is
  /// the name, and the canonical string parses back to itself.
  @Test(arguments: EstimatorRegistry.families.map(\.name))
  func defaultsRoundTrip(name: String) throws {
    let family = try EstimatorRegistry.family(name)
    for form in Self.forms(family) {
      let (_, values) = try EstimatorRegistry.resolve(name, form: form)
      #expect(family.label(values, form: form) == name)
      let (_, again) = try EstimatorRegistry.resolve("\(name):\(values.canonical)", form: form)
      #expect(again == values, "\(name): \(values.canonical)")
      #expect(try Self.values(Self.make(name, form), family, form) == values)
    }
  }

  /// Each numeric parameter: its range ends are accepted, the next values outside refused
  /// naming the key, in every form that reads it.
  @Test(arguments: EstimatorRegistry.families.map(\.name))
  func rangesAreRefusedAtBothEnds(name: String) throws {
    let family = try EstimatorRegistry.family(name)
    for p in family.parameters {
      let (inside, outside): ([String], [String])
      switch p.kind {
      case .integer(let r): (inside, outside) = (["\(r.lowerBound)", "\(r.upperBound)"], ["\(r.lowerBound - 1)", "\(r.upperBound + 1)", "x"])
      case .real(let r, _):
        inside = [r.lowerBound, r.upperBound].map(EstimatorParameter.render)
        outside = [r.lowerBound.nextDown, r.upperBound.nextUp, .nan, .infinity].map { "\($0)" }
      default: continue
      }
      let context = Self.satisfying(p, in: family)
      for form in Self.forms(family) where p.form.includes(form) {
        for v in inside {
          #expect(throws: Never.self, "\(name):\(p.key)=\(v)") { _ = try Self.make("\(name):\(context)\(p.key)=\(v)", form) }
        }
        for v in outside {
          #expect("\(name):\(p.key)=\(v)") { _ = try Self.make("\(name):\(context)\(p.key)=\(v)", form) } throws: { e in
            "\(e)".contains("for \(p.key): expected \(p.what)")
          }
        }
      }
    }
  }

  @Test func unknownNamesAndKeysAreRefusedWithASuggestion() throws {
    #expect { try EstimatorRegistry.makeMutualInformation("kgs") } throws: { "\($0)".contains("(did you mean ksg?)") }
    #expect { try EstimatorRegistry.makePlane("binnig") } throws: { "\($0)".contains("(did you mean binning?)") }
    #expect { try EstimatorRegistry.makePlane("kde:sigma=0.1") } throws: { "\($0)".contains("(did you mean sigma2?)") }
    #expect { try EstimatorRegistry.makePlane("kde:zzz=1") } throws: {
      "\($0)" == "invalid value 'zzz' for kde parameter: expected one of sigma2, bound"
    }
    // A key of the other form says so; a conditional key without its condition too.
    #expect { try EstimatorRegistry.makePlane("binning:second=binned") } throws: { "\($0)".contains("applies to ibplane estimate only") }
    #expect { try EstimatorRegistry.makePlane("binning:binsize=0.1") } throws: { "\($0)".contains("binsize only with convention floor") }
    #expect { try EstimatorRegistry.makePlane("ksg") } throws: { "\($0)".contains("estimates I(A;B) only") }
    #expect { try EstimatorRegistry.makePlane("kde:sigma2=0.1,SIGMA2=0.2") } throws: { "\($0)".contains("one value") }
    // Names and keys are case-insensitive; the canonical spelling is lower case.
    #expect(EstimatorRegistry.parameters(of: try EstimatorRegistry.makePlane("KDE:Bound=LOWER")) == "sigma2=0.1,bound=lower")
  }

  /// The `--k` ranges agree: the catalog's 1…1000 is the estimators' own.
  @Test func estimatorsValidateWithTheTableRanges() throws {
    let x = RandomSource(seed: 3).normalMatrix(rows: 40, columns: 1)
    for e in [KSGEstimator(k: 1001) as any MutualInformationEstimator, KozachenkoLeonenkoEntropy(k: 1001), WeightedKozachenkoLeonenko(k: 1001)] {
      #expect { try e.estimate(x, x) } throws: { "\($0)".contains("for k: expected an integer in 1…1000") }
    }
  }

  /// A `plane.csv` row rebuilds its estimator: the `estimator` column (the label) and
  /// `family:params` both give an estimator whose rows equal the original bit for bit.
  @Test(arguments: EstimatorRegistry.planeNames)
  func planeRowsReproduceFromTheirCSVColumns(name: String) throws {
    Self.registerTestCompressor()
    let source = try PlaneFixtures.source(samples: 120, snapshots: 2)
    let family = try EstimatorRegistry.family(name)
    let specs = (Self.examples[name] ?? []).filter { Self.accepts($0, family, .plane) }
    let estimators = try specs.map { try EstimatorRegistry.makePlane($0) }
    let rows = try PlaneAnalysis(source: source, estimators: estimators).run()
    #expect(Set(rows.map(\.estimator)).count == estimators.count, "labels are distinct")
    for row in rows where row.layerIndex == 1 && row.step == 10 {
      for spec in [row.estimator, EstimatorRegistry.reproducing(label: row.estimator, params: row.params)] {
        let again = try PlaneAnalysis(source: source, estimators: [try EstimatorRegistry.makePlane(spec)]).run()
        let match = try #require(again.first { $0.key == row.key }, "\(spec)")
        #expect(PlaneFixtures.timeless([match]) == PlaneFixtures.timeless([row]), "\(spec)")
      }
    }
  }

  /// The I(A;B) form: the canonical string rebuilds an estimator with the same value.
  @Test(arguments: EstimatorRegistry.mutualInformationNames)
  func estimatesReproduceFromTheirParams(name: String) throws {
    Self.registerTestCompressor()
    let random = RandomSource(seed: 9)
    let x = random.normalMatrix(rows: 150, columns: 2)
    let noise = random.normalMatrix(rows: 150, columns: 1)
    let continuous = Matrix(column: (0..<150).map { x[$0, 0] + 0.5 * noise[$0, 0] })
    // The estimators that count Y's symbols, and y-classes, take Y as integer classes ⌊y⌋.
    let classes = Matrix(column: continuous.elements.map { $0.rounded(.down) })
    let family = try EstimatorRegistry.family(name)
    for spec in Self.examples[name] ?? [] where Self.accepts(spec, family, .mutualInformation) {
      let needsClasses = ["binning", "adaptive-binning", "kde", "adaptive-kde"].contains(name) || spec.contains("y-classes=true")
      let y = needsClasses ? classes : continuous
      let e = try EstimatorRegistry.makeMutualInformation(spec)
      let params = try #require(EstimatorRegistry.values(of: e, name: e.name, form: .mutualInformation)).1.canonical
      let again = try EstimatorRegistry.makeMutualInformation("\(name):\(params)")
      #expect(try again.estimate(x, y) == e.estimate(x, y), "\(spec) → \(params)")
    }
  }

  // MARK: Helpers

  /// PCA under another name, registered process-wide, so `compress` takes a non-default value
  /// without IBTrain's autoencoder.
  struct TestCompressor: LossyCompressor {
    var name: String { "registry-test" }
    var usesSeed: Bool { false }
    func compress<S: BLASScalar>(_ data: Matrix<S>, latent: Int, seed: UInt64) throws -> LossyCompression {
      try PCACompressor().compress(data, latent: latent, seed: seed)
    }
  }

  static func registerTestCompressor() {
    LossyCompressedMI.registerCompressor(name: "registry-test") { TestCompressor() }
  }

  static func forms(_ f: EstimatorFamily) -> [EstimatorParameter.Form] {
    (f.hasMutualInformationForm ? [.mutualInformation] : []) + (f.hasPlaneForm ? [.plane] : [])
  }

  /// Whether every key of `spec` is read by `form`.
  static func accepts(_ spec: String, _ f: EstimatorFamily, _ form: EstimatorParameter.Form) -> Bool {
    guard let items = try? EstimatorRegistry.parse(spec).items else { return false }
    let keys = f.keys(for: form)
    return items.allSatisfy { keys.contains($0.key) }
  }

  static func make(_ spec: String, _ form: EstimatorParameter.Form) throws -> Any {
    form == .plane ? try EstimatorRegistry.makePlane(spec) : try EstimatorRegistry.makeMutualInformation(spec)
  }

  static func values(_ e: Any, _ f: EstimatorFamily, _ form: EstimatorParameter.Form) -> EstimatorParameterValues? {
    f.values(of: e, form: form)
  }

  /// `key=value,` items that make `p`'s condition hold ("" when it has none).
  static func satisfying(_ p: EstimatorParameter, in f: EstimatorFamily) -> String {
    guard let c = p.condition, let q = f.parameters.first(where: { $0.key == c.key }) else { return "" }
    if !c.negated { return "\(c.key)=\(c.values[0])," }
    if case .real(let r, _) = q.kind { return "\(c.key)=\(EstimatorParameter.render(r.lowerBound))," }
    return ""
  }
}
