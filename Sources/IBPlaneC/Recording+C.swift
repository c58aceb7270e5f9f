import Foundation
import IBPlane

@_cdecl("ibplane_recording_open")
public func ibplane_recording_open(
  _ path: UnsafePointer<CChar>?, _ recording: UnsafeMutablePointer<OpaquePointer?>?, _ error: CStringOut?
) -> Int32 {
  callC(error) {
    guard let recording else { throw CArgumentError("recording is NULL: expected an ibplane_recording ** to receive the handle") }
    recording.pointee = nil
    let (source, warnings) = try openSource(try string(path, "path"))
    recording.pointee = HandleTable.shared.insert(OpenRecording(source: source, warnings: warnings))
  }
}

@_cdecl("ibplane_recording_close")
public func ibplane_recording_close(_ recording: OpaquePointer?) {
  HandleTable.shared.remove(recording)
}

@_cdecl("ibplane_recording_info")
public func ibplane_recording_info(_ recording: OpaquePointer?, _ result: CStringOut?, _ error: CStringOut?) -> Int32 {
  callC(error) {
    let r = try HandleTable.shared.lookup(recording)
    let s = r.source
    let context = try r.context()
    try deliver(
      try json([
        "name": s.name, "sample_count": s.sampleCount, "input_width": context.inputs?.columns ?? 0,
        "layers": s.layers.map { ["name": $0.name, "width": $0.width] as [String: Any] },
        "labels": labelObject(context.labels), "run": s.run,
        "snapshots": s.snapshots.map { ["epoch": $0.epoch, "step": $0.step, "metrics": $0.metrics] as [String: Any] },
        "warnings": r.warnings,
      ]), to: result)
  }
}

/// The `labels` object of `ibplane inspect --json`.
func labelObject(_ labels: Labels) -> [String: Any] {
  switch labels {
  case .classes(_, let c): return ["kind": "classes", "class_count": c]
  case .targets(let t): return ["kind": "targets", "width": t.columns]
  }
}

/// Checks that the caller's buffer holds exactly `expected` elements.
private func checkBuffer(_ out: UnsafeMutableRawPointer?, count: Int64, expected: Int, _ what: String) throws -> UnsafeMutableRawPointer {
  guard count == Int64(expected) else {
    throw CArgumentError("count is \(count) but \(what) has \(expected) elements")
  }
  guard let out else { throw CArgumentError("out is NULL: expected room for the \(expected) elements of \(what)") }
  return out
}

/// Copies `values` into a buffer already checked to hold them.
private func copy<T>(_ values: [T], to buffer: UnsafeMutableRawPointer) {
  values.withUnsafeBytes { bytes in
    if let base = bytes.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) }
  }
}

@_cdecl("ibplane_recording_layer")
public func ibplane_recording_layer(
  _ recording: OpaquePointer?, _ snapshot: Int64, _ layer: Int64, _ out: UnsafeMutablePointer<Float>?, _ count: Int64,
  _ error: CStringOut?
) -> Int32 {
  callC(error) {
    let s = try HandleTable.shared.lookup(recording).source
    guard snapshot >= 0, snapshot < Int64(s.snapshots.count) else {
      throw CArgumentError("snapshot \(snapshot) does not exist: the recording has \(s.snapshots.count) (0-based)")
    }
    guard layer >= 0, layer < Int64(s.layers.count) else {
      throw CArgumentError("layer \(layer) does not exist: the recording has \(s.layers.count) (0-based)")
    }
    let l = s.layers[Int(layer)]
    let expected = try product(Int64(s.sampleCount), Int64(l.width), limit: maximumElements, "layer '\(l.name)'")
    let buffer = try checkBuffer(out, count: count, expected: expected, "layer '\(l.name)' (\(s.sampleCount) × \(l.width))")
    let m = try s.layer(Int(layer), snapshot: Int(snapshot))
    guard m.elements.count == expected else {
      throw CArgumentError("layer '\(l.name)' of snapshot \(snapshot) has \(m.rows) × \(m.columns) values, expected \(s.sampleCount) × \(l.width)")
    }
    copy(m.elements, to: buffer)
  }
}

@_cdecl("ibplane_recording_inputs")
public func ibplane_recording_inputs(
  _ recording: OpaquePointer?, _ out: UnsafeMutablePointer<Float>?, _ count: Int64, _ error: CStringOut?
) -> Int32 {
  callC(error) {
    guard let x = try HandleTable.shared.lookup(recording).context().inputs else {
      throw CArgumentError("the recording has no inputs (input_width is 0)")
    }
    let buffer = try checkBuffer(out, count: count, expected: x.elements.count, "the inputs (\(x.rows) × \(x.columns))")
    copy(x.elements, to: buffer)
  }
}

@_cdecl("ibplane_recording_labels")
public func ibplane_recording_labels(
  _ recording: OpaquePointer?, _ out: UnsafeMutableRawPointer?, _ count: Int64, _ error: CStringOut?
) -> Int32 {
  callC(error) {
    switch try HandleTable.shared.lookup(recording).context().labels {
    case .classes(let c, _):
      let buffer = try checkBuffer(out, count: count, expected: c.count, "the class labels")
      copy(c.map(Int64.init), to: buffer)
    case .targets(let t):
      let buffer = try checkBuffer(out, count: count, expected: t.elements.count, "the targets (\(t.rows) × \(t.columns))")
      copy(t.elements, to: buffer)
    }
  }
}
