#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
import IBPlane

/// A BLAS scalar with the elementary functions the trainer needs: `Float` for training,
/// `Double` for gradient checks. Each requirement forwards to the C math library.
public protocol TrainScalar: BLASScalar {
  static func _exp(_ x: Self) -> Self
  static func _expm1(_ x: Self) -> Self
  static func _log(_ x: Self) -> Self
  static func _log1p(_ x: Self) -> Self
  static func _tanh(_ x: Self) -> Self
}

extension Float: TrainScalar {
  @inline(__always) public static func _exp(_ x: Float) -> Float { expf(x) }
  @inline(__always) public static func _expm1(_ x: Float) -> Float { expm1f(x) }
  @inline(__always) public static func _log(_ x: Float) -> Float { logf(x) }
  @inline(__always) public static func _log1p(_ x: Float) -> Float { log1pf(x) }
  @inline(__always) public static func _tanh(_ x: Float) -> Float { tanhf(x) }
}

extension Double: TrainScalar {
  @inline(__always) public static func _exp(_ x: Double) -> Double { exp(x) }
  @inline(__always) public static func _expm1(_ x: Double) -> Double { expm1(x) }
  @inline(__always) public static func _log(_ x: Double) -> Double { log(x) }
  @inline(__always) public static func _log1p(_ x: Double) -> Double { log1p(x) }
  @inline(__always) public static func _tanh(_ x: Double) -> Double { tanh(x) }
}
