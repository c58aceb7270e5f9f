import IBPlaneNumerics
/// A base task seen through an injective, smooth map applied to X and to Y separately.
///
/// MI is invariant under injective maps of each variable (the data-processing inequality
/// applied to the map and to its inverse, Cover & Thomas §2.8), so the truth is the base task's. These tasks test whether an estimator is fooled by heavy tails, bounded
/// supports or curved dependence (the "Beyond normal" benchmark of Czyż et al., NeurIPS 2023,
/// uses the same maps).
public enum MIPreservingTransform: String, Sendable, CaseIterable {
  /// asinh(x), coordinate-wise: compresses heavy tails to logarithmic growth.
  case asinh
  /// x·√|x| (the "half-cube" x^{3/2} with sign), coordinate-wise: lengthens tails.
  case halfcube
  /// Φ(x), the standard normal CDF, coordinate-wise: maps R onto (0, 1).
  case normalcdf
  /// The spiral x ↦ R(v‖x‖²) x with v = ½: every coordinate pair (2i, 2i+1) turns by the same
  /// angle v‖x‖², an orthogonal map, so ‖x‖ is kept and the inverse turns back by the same
  /// angle. Needs dimension ≥ 2; an odd last coordinate stays put.
  case spiral

  /// The spiral's angular speed v (radians per unit squared norm).
  public static let spiralSpeed = 0.5

  /// Applies the map to every row of `m`.
  public func apply(_ m: Matrix<Double>) -> Matrix<Double> {
    var out = m
    switch self {
    case .asinh:
      for k in 0..<out.elements.count { out.elements[k] = _asinh(out.elements[k]) }
    case .halfcube:
      for k in 0..<out.elements.count { let v = out.elements[k]; out.elements[k] = v * abs(v).squareRoot() }
    case .normalcdf:
      for k in 0..<out.elements.count { out.elements[k] = SpecialFunctions.normalCDF(out.elements[k]) }
    case .spiral:
      let norms = m.rowSquaredNorms()
      for i in 0..<m.rows {
        let angle = MIPreservingTransform.spiralSpeed * norms[i]
        let (c, s) = (_cos(angle), _sin(angle))
        var j = 0
        while j + 1 < m.columns {
          let a = m[i, j]
          let b = m[i, j + 1]
          out[i, j] = c * a - s * b
          out[i, j + 1] = s * a + c * b
          j += 2
        }
      }
    }
    return out
  }
}

/// `<transform>-<base task>`, e.g. `asinh-student-3x3-nu2`: the base task's law pushed through
/// an `MIPreservingTransform` on both X and Y, with the base task's true MI.
public struct TransformedTask: SyntheticTask {
  public let name: String
  public let summary: String
  public let transform: MIPreservingTransform
  public let base: any SyntheticTask
  public var xDimension: Int { base.xDimension }
  public var yDimension: Int { base.yDimension }
  public var mutualInformationNats: Double { base.mutualInformationNats }

  public init(transform: MIPreservingTransform, base: any SyntheticTask, name: String? = nil) throws {
    let taskName = name ?? "\(transform.rawValue)-\(base.name)"
    if transform == .spiral, min(base.xDimension, base.yDimension) < 2 {
      throw SyntheticError.invalidParameter(
        task: taskName, name: "base dimensions", value: "\(base.xDimension)x\(base.yDimension)",
        expected: "X and Y of dimension ≥ 2 for the spiral")
    }
    self.name = taskName
    self.transform = transform
    self.base = base
    self.summary = "\(transform.rawValue) of X and Y of: \(base.summary)"
  }

  public func sample(count: Int, seed: UInt64) throws -> SyntheticSample {
    try checkSampleCount(count)
    let s = try base.sample(count: count, seed: seed)
    return SyntheticSample(x: transform.apply(s.x), y: transform.apply(s.y))
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) private func _asinh(_ x: Double) -> Double { Glibc.asinh(x) }
  @inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
  @inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#else
  import Foundation
  @inline(__always) private func _asinh(_ x: Double) -> Double { Foundation.asinh(x) }
  @inline(__always) private func _cos(_ x: Double) -> Double { Foundation.cos(x) }
  @inline(__always) private func _sin(_ x: Double) -> Double { Foundation.sin(x) }
#endif
