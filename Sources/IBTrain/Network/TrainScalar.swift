#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
import CNative
import IBPlane

/// A BLAS scalar with the elementary functions the trainer needs: `Float` for training,
/// `Double` for gradient checks. Each requirement forwards to the C math library.
public protocol TrainScalar: BLASScalar {
  static func _exp(_ x: Self) -> Self
  static func _expm1(_ x: Self) -> Self
  static func _log(_ x: Self) -> Self
  static func _log1p(_ x: Self) -> Self
  static func _tanh(_ x: Self) -> Self
  /// x[i] ← tanh x[i] over a whole buffer (the trainer's hottest element-wise loop).
  static func _tanhInPlace(_ x: UnsafeMutableBufferPointer<Self>)
}

extension Float: TrainScalar {
  @inline(__always) public static func _exp(_ x: Float) -> Float { expf(x) }
  @inline(__always) public static func _expm1(_ x: Float) -> Float { expm1f(x) }
  @inline(__always) public static func _log(_ x: Float) -> Float { logf(x) }
  @inline(__always) public static func _log1p(_ x: Float) -> Float { log1pf(x) }
  @inline(__always) public static func _tanh(_ x: Float) -> Float { tanhf(x) }
  /// Four lanes at a time through glibc's libmvec (`_ZGVbN4v_tanhf`, ≤ 4 ulp per glibc's
  /// manual), much faster than scalar `tanhf` (its effect on the trainer: bench/README.md).
  @inline(__always) public static func _tanhInPlace(_ x: UnsafeMutableBufferPointer<Float>) {
    if let base = x.baseAddress { ibp_tanhf_inplace(base, x.count) }
  }
}

extension Double: TrainScalar {
  @inline(__always) public static func _exp(_ x: Double) -> Double { exp(x) }
  @inline(__always) public static func _expm1(_ x: Double) -> Double { expm1(x) }
  @inline(__always) public static func _log(_ x: Double) -> Double { log(x) }
  @inline(__always) public static func _log1p(_ x: Double) -> Double { log1p(x) }
  @inline(__always) public static func _tanh(_ x: Double) -> Double { tanh(x) }
  @inline(__always) public static func _tanhInPlace(_ x: UnsafeMutableBufferPointer<Double>) {
    for i in x.indices { x[i] = tanh(x[i]) }
  }
}
