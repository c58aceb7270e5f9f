import ArgumentParser
import Foundation
import IBPlane

struct Convert: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Convert NumPy activations (.npz or a folder of .npy) or a recording into activations.bin.",
    discussion: """
      The NumPy convention (docs/activations-format.md): labels (N integers = classes, or N × k floats = targets), optional inputs (N × d), optional epochs and steps (E integers), and one array layer/<name> of shape E × N × width per layer. A folder holds the same names as .npy files (layer/<name>.npy). Integer labels may be any ids (negative, sparse): the distinct ids in increasing order become classes 0…K−1 (K ≤ 65,536), and the original ids are kept in the run metadata as class_ids. Every .npz member's CRC-32 and sizes are checked; deflated members are inflated in memory, at most half the physical memory in all (np.savez archives are memory-mapped). An activations.bin input is re-encoded (e.g. to float16) with its damaged records skipped.

      Example:
        python -c "import numpy as np; np.savez('run.npz', labels=y, epochs=e, **{'layer/h1': a1})"
        ibplane convert run.npz run.bin --storage float16
      """)

  @Argument(help: "A .npz file, a folder of .npy files, or an activations.bin recording.")
  var input: String

  @Argument(help: "The recording to write (.bin).")
  var output: String

  @Option(help: "Element type of the snapshots: float32 (default) or float16 (half the size, relative error ≤ 2^-11).")
  var storage: String = "float32"

  @Flag(help: "Replace OUTPUT if it exists (only once the new recording is complete; OUTPUT may be the input recording).")
  var overwrite = false

  @Flag(help: "Print a JSON summary instead of text: \"input\", \"output\", \"snapshots\", \"layers\" (name, width), \"n\", \"storage\", \"bytes\".")
  var json = false

  func run() throws {
    guard let type = StorageType(rawValue: storage) else { throw BadInput("--storage: expected float32 or float16, got '\(storage)'") }
    let inURL = URL(fileURLWithPath: input)
    let outURL = URL(fileURLWithPath: output)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
      throw BadInput("\(input): no such file or folder")
    }
    let fromRecording = !isDirectory.boolValue && !input.hasSuffix(".npz")
    // Re-encoding a recording onto itself is safe (the output is renamed into place at the end);
    // writing a recording over the NumPy data it is made from would destroy that data.
    if !fromRecording, Self.sameFile(input, output) {
      throw BadInput("\(output): is the input \(isDirectory.boolValue ? "folder" : ".npz archive"); write the recording to another path")
    }
    // The output is written beside OUTPUT and renamed onto it only when complete and readable,
    // so a failure (bad input, full disk) leaves OUTPUT — which may be INPUT — as it was.
    let written = try Recorder.writeReplacing(outURL, overwrite: overwrite) { temporary in
      if isDirectory.boolValue {
        try NumPyRecordingSource.folder(inURL).write(to: temporary, storage: type)
      } else if !fromRecording {
        try NumPyRecordingSource.npz(inURL).write(to: temporary, storage: type)
      } else {
        let r = try Recording(contentsOf: inURL, skipDamaged: true)
        for w in r.warnings { CLIFailure.printError("warning: \(w)") }
        var run = r.run
        run["converted_from"] = inURL.lastPathComponent
        let out = try Recorder(creating: temporary, layers: r.layers, inputs: try r.inputs, labels: r.labels, storage: type, run: run, split: r.split)
        for (index, s) in r.snapshots.enumerated() {
          let layers = try r.layers.indices.map { try r.layer($0, snapshot: index, allowNonFinite: true) }
          try out.record(epoch: s.epoch, step: s.step, layers: layers, metrics: s.metrics)
        }
      }
    }
    if json {
      print(try JSONOutput.render([
        "input": input, "output": output, "snapshots": written.snapshots.count,
        "layers": written.layers.map { ["name": $0.name, "width": $0.width] as [String: Any] }, "n": written.sampleCount,
        "storage": type.rawValue, "bytes": written.fileSize,
      ]))
      return
    }
    print("wrote \(output): \(written.snapshots.count) snapshots, \(written.layers.count) layers, N = \(written.sampleCount), \(type.rawValue), \(written.fileSize) bytes")
  }

  /// True when both paths exist and name the same file or folder (same device and inode, so
  /// links and `./` spellings count).
  static func sameFile(_ a: String, _ b: String) -> Bool {
    let fm = FileManager.default
    guard let x = try? fm.attributesOfItem(atPath: a), let y = try? fm.attributesOfItem(atPath: b),
      let dx = x[.systemNumber] as? NSNumber, let dy = y[.systemNumber] as? NSNumber,
      let ix = x[.systemFileNumber] as? NSNumber, let iy = y[.systemFileNumber] as? NSNumber
    else { return false }
    return dx == dy && ix == iy
  }
}
