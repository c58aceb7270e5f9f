import Foundation

import IBPlane

/// The conformance suite's only door into the estimator registry.
///
/// Every test in this folder reaches estimators through these two lists, so switching the suite
/// to another registry means editing the bodies below and nothing else. `make` takes the
/// family's own parameter keys (as `ibplane estimate` flags without dashes, or as the keys of an
/// `ibplane analyze --estimator name:key=value` specification) and `[:]` for the defaults.
enum Registered {
  /// One registered family of one form: its name and how to build it from parameters.
  struct Family<Estimator>: Sendable {
    let name: String
    let make: @Sendable ([String: String]) throws -> Estimator
  }

  /// The I(A;B) form (`MutualInformationEstimator`), every family `ibplane estimate` accepts.
  static var miEstimators: [Family<any MutualInformationEstimator>] {
    EstimatorRegistry.mutualInformationNames.map { name in
      Family(name: name) { p in
        try EstimatorRegistry.makeMutualInformation(name, p.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
      }
    }
  }

  /// The information-plane form (`InformationPlaneEstimator`), every family `ibplane analyze` accepts.
  static var planeEstimators: [Family<any InformationPlaneEstimator>] {
    EstimatorRegistry.planeNames.map { name in
      Family(name: name) { p in
        let spec = p.isEmpty ? name : name + ":" + p.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try EstimatorRegistry.makePlane(spec)
      }
    }
  }

  // MARK: Lookup by name (the parameterised tests take names, which print well)

  static var miNames: [String] { miEstimators.map(\.name) }
  static var planeNames: [String] { planeEstimators.map(\.name) }

  static func mi(_ name: String, _ parameters: [String: String] = [:]) throws -> any MutualInformationEstimator {
    guard let family = miEstimators.first(where: { $0.name == name }) else { throw ConformanceError.unregistered(name) }
    return try family.make(parameters)
  }

  static func plane(_ name: String, _ parameters: [String: String] = [:]) throws -> any InformationPlaneEstimator {
    guard let family = planeEstimators.first(where: { $0.name == name }) else { throw ConformanceError.unregistered(name) }
    return try family.make(parameters)
  }
}

/// Failures of the suite's own bookkeeping (not of an estimator).
enum ConformanceError: Error, CustomStringConvertible {
  case unregistered(String)
  case noExpectations(String)

  var description: String {
    switch self {
    case .unregistered(let name): return "no registered estimator family is called \(name)"
    case .noExpectations(let name):
      return "family \(name) is registered but has no entry in the conformance expectations table (Conformance/*Expectations.swift)"
    }
  }
}
