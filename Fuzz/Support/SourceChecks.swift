import Foundation
import IBPlane

/// What every harness does with a source the library accepted: read it the way `ibplane analyze`
/// and `ibplane convert` do. The only acceptable outcomes are values or thrown errors; a trap, a
/// sanitizer report, an allocation over libFuzzer's `-malloc_limit_mb` or a hang is a finding.
public enum SourceChecks {
  /// At most this many layer reads per input: a header may declare thousands of snapshots, and
  /// one input must stay well under libFuzzer's `-timeout`.
  public static let maxLayerReads = 64

  /// Reads every layer of every snapshot (up to `maxLayerReads`), one index past each end, and
  /// the plane context with its class partition (the estimators' first use of the labels).
  public static func exercise(_ source: SnapshotSource) {
    var reads = 0
    outer: for s in source.snapshots.indices {
      for l in source.layers.indices {
        if reads == maxLayerReads { break outer }
        reads += 1
        _ = try? source.layer(l, snapshot: s)
      }
    }
    if let context = try? source.makePlaneContext() { _ = context.classPartition }
  }

  /// The conversion property: an imported NumPy source that `ibplane convert` manages to write
  /// must read back as the same recording — same layers, labels, inputs, epochs and steps, and
  /// bit-identical float32 activations. A write that throws is fine (the writer refused the
  /// data); a written file the reader refuses, or a value that changed, is a silent wrong answer.
  public static func checkConversion(_ source: NumPyRecordingSource) {
    guard source.snapshotCount * source.layers.count <= maxLayerReads else { return }
    let url = FuzzScratch.file("converted.bin")
    do {
      try source.write(to: url, storage: .float32, overwrite: true)
    } catch {
      return
    }
    let recording: Recording
    do {
      recording = try Recording(contentsOf: url)
    } catch {
      fuzzFailure("ibplane convert wrote a recording its own reader refuses: \(error)")
    }
    guard recording.layers == source.layers else {
      fuzzFailure("layers changed in conversion: \(source.layers) became \(recording.layers)")
    }
    guard recording.labels == source.labels else { fuzzFailure("labels changed in conversion") }
    let inputs: Matrix<Float>?
    do { inputs = try recording.inputs } catch { fuzzFailure("converted inputs do not read back: \(error)") }
    guard inputs == source.inputs else { fuzzFailure("inputs changed in conversion") }
    guard recording.snapshots.map({ [$0.epoch, $0.step] }) == source.snapshots.map({ [$0.epoch, $0.step] }) else {
      fuzzFailure("epochs/steps changed in conversion")
    }
    for s in 0..<source.snapshotCount {
      for l in source.layers.indices {
        let original: Matrix<Float>
        do { original = try source.layer(l, snapshot: s) } catch { fuzzFailure("layer \(l) read once, not twice: \(error)") }
        let converted: Matrix<Float>
        do {
          converted = try recording.layer(l, snapshot: s, allowNonFinite: true)
        } catch {
          fuzzFailure("converted layer \(l) of snapshot \(s) does not read back: \(error)")
        }
        guard original.rows == converted.rows, original.columns == converted.columns,
          original.elements.map(\.bitPattern) == converted.elements.map(\.bitPattern)
        else { fuzzFailure("layer \(l) of snapshot \(s) changed in conversion") }
      }
    }
  }
}
