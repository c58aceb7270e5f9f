import Foundation
import IBPlane

/// Largest rows × columns of one buffer (`IBPLANE_MAX_ELEMENTS`): 2³¹ elements, 16 GiB once
/// converted to Double — far beyond what any estimator here finishes on, and small enough that
/// the byte count cannot overflow.
let maximumElements: Int64 = 1 << 31

/// `IBPLANE_FLOAT32` / `IBPLANE_FLOAT64`.
private let float32Type: Int32 = 0
private let float64Type: Int32 = 1

/// One caller buffer as the `Matrix<Double>` that `ibplane estimate` builds from a `.npy` file
/// (float32 elements widened exactly, as `NumPyArray.matrix` does), after checking the pointer,
/// the sizes, the element type and that every value is finite.
func matrix(_ p: UnsafeRawPointer?, rows: Int64, columns: Int64, type: Int32, name: String) throws -> Matrix<Double> {
  let count = try product(rows, columns, limit: maximumElements, name)
  guard rows >= 1 else { throw CArgumentError("\(name) has \(rows) rows: expected at least one sample") }
  guard columns >= 1 else { throw CArgumentError("\(name) has \(columns) columns: expected at least one") }
  guard let p else { throw CArgumentError("\(name) is NULL but holds \(rows) × \(columns) elements") }
  // The Double copy must fit in memory beside the caller's own buffer (count ≤ 2³¹: no overflow).
  let bytes = UInt64(count) * 8
  guard bytes <= ProcessInfo.processInfo.physicalMemory / 2 else {
    throw CArgumentError(
      "\(name) has \(rows) × \(columns) elements: \(bytes >> 20) MiB as float64, more than half of this machine's \(ProcessInfo.processInfo.physicalMemory >> 20) MiB")
  }
  let values: [Double]
  switch type {
  case float32Type:
    values = UnsafeBufferPointer(start: p.assumingMemoryBound(to: Float.self), count: count).map(Double.init)
  case float64Type:
    values = Array(UnsafeBufferPointer(start: p.assumingMemoryBound(to: Double.self), count: count))
  default:
    throw CArgumentError("\(name)_type is \(type): expected IBPLANE_FLOAT32 (0) or IBPLANE_FLOAT64 (1)")
  }
  let c = Int(columns)
  if let k = values.firstIndex(where: { !$0.isFinite }) {
    throw CArgumentError("\(name) has a non-finite value (\(values[k])) at row \(k / c), column \(k % c): expected finite numbers")
  }
  return try Matrix(rows: Int(rows), columns: c, elements: values)
}

/// The estimator a specification names, built as `ibplane estimate` builds it from its flags:
/// `EstimatorRegistry` parses `NAME:key=value,…` and reads each key through the family's
/// parameter table, which refuses a key the family does not read (so
/// `mutual_information(x, y, "ksg", sigma2=0.1)` cannot return a value computed without it).
func estimator(_ specification: String) throws -> any MutualInformationEstimator {
  try EstimatorRegistry.makeMutualInformation(specification)
}

/// The keys each family's I(A;B) form reads, in table order; `ibplane_estimators` publishes it
/// and python/tests checks that a key outside it is refused.
var estimateParameters: [String: [String]] {
  Dictionary(uniqueKeysWithValues: EstimatorRegistry.families.filter(\.hasMutualInformationForm).map { ($0.name, $0.keys(for: .mutualInformation)) })
}

@_cdecl("ibplane_estimate")
public func ibplane_estimate(
  _ specification: UnsafePointer<CChar>?,
  _ x: UnsafeRawPointer?, _ xRows: Int64, _ xColumns: Int64, _ xType: Int32,
  _ y: UnsafeRawPointer?, _ yRows: Int64, _ yColumns: Int64, _ yType: Int32,
  _ nats: UnsafeMutablePointer<Double>?, _ result: CStringOut?, _ error: CStringOut?
) -> Int32 {
  callC(error) {
    result?.pointee = nil
    let mi = try estimator(try string(specification, "estimator"))
    let a = try matrix(x, rows: xRows, columns: xColumns, type: xType, name: "x")
    let b = try matrix(y, rows: yRows, columns: yColumns, type: yType, name: "y")
    guard a.rows == b.rows else {
      throw CArgumentError("x has \(a.rows) rows but y has \(b.rows): x and y must be paired row by row")
    }
    let estimate = try mi.estimate(a, b)
    nats?.pointee = estimate.nats
    guard result != nil else { return }
    let object: [String: Any] = [
      "estimator": mi.name, "quantity": mi.name == "kl-entropy" ? "H(X)" : "I(X;Y)",
      "params": EstimatorRegistry.values(of: mi, name: mi.name, form: .mutualInformation)?.1.canonical ?? "",
      "nats": estimate.nats, "bits": estimate.value(in: .bits),
      "lower_nats": estimate.lowerNats ?? Double.nan, "upper_nats": estimate.upperNats ?? Double.nan,
      "n": a.rows, "x_dim": a.columns, "y_dim": b.columns,
      "parameters": estimate.parameters, "diagnostics": estimate.diagnostics,
    ]
    try deliver(try json(object), to: result)
  }
}

@_cdecl("ibplane_estimators")
public func ibplane_estimators(_ result: CStringOut?, _ error: CStringOut?) -> Int32 {
  callC(error) {
    let plane: [[String: Any]] = EstimatorRegistry.families.filter(\.hasPlaneForm).map { f in
      [
        "name": f.name, "summary": f.summary,
        "parameters": Dictionary(uniqueKeysWithValues: f.parameters(for: .plane).map {
          ($0.key, "\($0.doc); \($0.valueSummary); default \($0.defaultSummary)")
        }),
      ]
    }
    let estimate = EstimatorRegistry.mutualInformationNames
    let keys = estimateParameters
    try deliver(
      try json([
        "estimate": estimate, "estimate_parameters": keys,
        "option_keys": Array(Set(keys.values.joined())).sorted(), "plane": plane,
        "default_plane": EstimatorRegistry.defaultPlaneSpecifications, "families": EstimatorRegistry.tableDescription,
      ]), to: result)
  }
}
