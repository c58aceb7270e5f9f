import Foundation
import Testing
import IBPlane

/// Every numeric parameter is refused outside its documented range (`EstimatorParameterRange`)
/// when the estimator is built — the same error for `ibplane estimate` flags (the registry's
/// I(A;B) form) and for `ibplane analyze --estimator name:key=value` (its plane form) — and
/// accepted at both ends of the range.
@Suite struct EstimatorParameterRangeTests {
  /// (estimator, key, refused values, accepted values)
  static let table: [(String, String, [String], [String])] = [
    ("binning", "bins", ["1", "0", "-3", "1048577", "1000000000000"], ["2", "1048576"]),
    ("adaptive-binning", "bins", ["1", "0", "1048577"], ["2", "1048576"]),
    ("kde", "sigma2", ["0", "-1", "nan", "inf", "1e-101", "1e101", "1e300"], ["1e-100", "1e100"]),
    ("adaptive-kde", "sigma2", ["0", "-1", "nan", "1e-300", "1e300"], ["1e-100", "1e100"]),
    ("cs", "sigma-x", ["0", "-2", "nan", "inf", "1e-300", "1e300"], ["1e-100", "1e100"]),
    ("cs", "sigma-y", ["0", "1e-300"], ["1e-100"]),
    ("cs", "width-rule", ["median:1", "median:5001", "median:1000000000", "1e-300", "-1", "guess"], ["median:2", "median:5000", "1e100", "scott"]),
    ("renyi", "alpha", ["0", "-1", "nan", "inf", "0.0009", "1000.5", "1e10"], ["0.001", "1", "2", "1000"]),
    ("renyi", "approx", ["nystrom:1", "nystrom:5001", "subsample:1", "subsample:5001", "subsample:2:0", "subsample:2:101", "subsample:2:1000000000"],
     ["nystrom:2", "nystrom:5000", "subsample:5000:100", "subsample:2:1", "exact", "auto"]),
    ("renyi", "sigma-x", ["0", "1e-300"], ["1e-100"]),
    ("lossy", "latent", ["0", "-1", "1001", "1000000000"], ["1", "1000"]),
    ("lossy", "k", ["0", "1001"], ["1", "1000"]),
    ("lossy", "noise", ["-1", "nan", "inf", "1e101", "1e300"], ["0", "1e100"]),
  ]

  @Test func catalogAndRegistryRefuseTheSameValues() throws {
    for (name, key, refused, accepted) in Self.table {
      for value in refused {
        var catalogError = ""
        do {
          _ = try EstimatorRegistry.makeMutualInformation(name, [(key, value)])
          Issue.record("\(name) \(key)=\(value) was accepted by the catalog")
        } catch { catalogError = "\(error)" }
        var registryError = ""
        do {
          _ = try EstimatorRegistry.makePlane("\(name):\(key)=\(value)")
          Issue.record("\(name):\(key)=\(value) was accepted by the registry")
        } catch { registryError = "\(error)" }
        #expect(catalogError == registryError, "\(name) \(key)=\(value)")
        #expect(catalogError.contains(key == "width-rule" ? "width-rule" : key) || catalogError.contains("approx"), "\(catalogError)")
      }
      for value in accepted {
        #expect(throws: Never.self, "\(name) \(key)=\(value)") {
          _ = try EstimatorRegistry.makeMutualInformation(name, [(key, value)])
          _ = try EstimatorRegistry.makePlane("\(name):\(key)=\(value)")
        }
      }
    }
  }

  /// The kNN estimators and the binning floor width (not plane families with these keys).
  @Test func catalogOnlyParameters() throws {
    for (name, key, value) in [
      ("ksg", "k", "1001"), ("ksg2", "k", "0"), ("kl-entropy", "k", "1000000"), ("wkl", "k", "-1"),
    ] {
      #expect(throws: EstimatorError.self, "\(name) \(key)=\(value)") {
        try EstimatorRegistry.makeMutualInformation(name, [(key, value)])
      }
    }
    for value in ["0", "-0.1", "1e-31", "1e31", "nan"] {
      #expect(throws: EstimatorError.self, "binsize=\(value)") {
        try EstimatorRegistry.makeMutualInformation("binning", [("convention", "floor"), ("binsize", value)])
      }
    }
    #expect(throws: Never.self) { try EstimatorRegistry.makeMutualInformation("binning", [("convention", "floor"), ("binsize", "1e-30")]) }
    for value in ["0", "-1", "nan", "1e-101", "1e101"] {
      #expect(throws: EstimatorError.self, "noise_variance=\(value)") { try EstimatorRegistry.makePlane("gaussian:noise_variance=\(value)") }
    }
  }

  /// The library types enforce the same ranges when used directly.
  @Test func libraryTypesEnforceTheRanges() throws {
    let x = RandomSource(seed: 51).normalMatrix(rows: 40, columns: 2)
    let y = Matrix(column: (0..<40).map { Double($0 % 2) })
    #expect(throws: EstimatorError.self) { try KDEEstimator(noiseVariance: 1e-300).estimate(x, y) }
    #expect(throws: EstimatorError.self) { try AdaptiveKDEEstimator(noiseVarianceScale: .infinity).estimate(x, y) }
    #expect(throws: EstimatorError.self) { try MatrixRenyiMutualInformation(alpha: 1e10).estimate(x, x) }
    #expect(throws: EstimatorError.self) {
      try MatrixRenyiMutualInformation(approximation: .subsample(size: 2, repeats: 1_000_000_000)).estimate(x, x)
    }
    #expect(throws: EstimatorError.self) { try LossyCompressedMI(latent: 0).estimate(x, x) }
    #expect(throws: EstimatorError.self) { try LossyCompressedMI(noise: .multiplicativeGaussian(.nan)).estimate(x, x) }
    #expect(throws: EstimatorError.self) { try GaussianPlaneEstimator(noiseVariance: 1e300) }
  }
}
