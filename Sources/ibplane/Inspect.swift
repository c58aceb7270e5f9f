import ArgumentParser
import Foundation
import IBPlane

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Check a recording (activations.bin) and summarise what it holds.",
    discussion: """
      Prints the layers and widths, the number of samples N, the train/test split counts (when the file has a split), the input and label kinds, the storage type, the snapshot count and epoch range, the file size, the CRC-32 status of every snapshot record and the NaN/Inf counts of every layer. Reads the whole file once.

      Exit status: 0 the file is valid; 1 it is readable but damaged (a truncated last record, records with a bad checksum or a corrupt record header, which are skipped); 2 it is not a valid recording, or reads but is one that analyze refuses — two snapshots with the same (epoch, step), NaN/Inf inputs (the error names the byte offset or header field; the summary is still printed).

      Example:
        ibplane inspect run/activations.bin --json
      """)

  @Argument(help: "The recording to check.")
  var file: String

  @Flag(help: "Print a JSON object instead of text.")
  var json = false

  func run() throws {
    let url = URL(fileURLWithPath: file)
    let recording = try Recording.openForInspection(url)
    let report = recording.inspect()
    if json {
      print(try JSONOutput.render(report.jsonObject(recording, file: file)))
    } else {
      print(text(recording, report))
    }
    // What analyze refuses is invalid (exit 2), even when every byte reads.
    if let problem = report.problems.first { throw problem }
    if report.isDamaged { throw ExitCode(1) }
  }

  private func labelDescription(_ r: Recording) -> String {
    switch r.labels {
    case .classes(_, let c): return "classes (\(c) classes)"
    case .targets(let t): return "regression targets (width \(t.columns))"
    }
  }

  private func text(_ r: Recording, _ report: RecordingInspection) -> String {
    var lines = [
      "file: \(file) (\(r.fileSize) bytes)",
      "samples (N): \(r.sampleCount)",
      "split: " + (r.split.map { "\($0.count(of: .train)) train, \($0.count(of: .test)) test, \($0.count(of: .unused)) unused" } ?? "none (all samples, split unknown)"),
      "inputs: " + (r.inputWidth > 0 ? "\(r.inputWidth) float32 per sample, checksum \(report.inputsChecksumOK == true ? "ok" : "MISMATCH")" : "none (X taken as N distinct inputs)"),
      "labels: \(labelDescription(r))",
      "storage: \(r.storage.rawValue)",
      "layers: " + r.layers.map { "\($0.name) (\($0.width))" }.joined(separator: ", "),
    ]
    let epochs = r.snapshots.map(\.epoch)
    lines.append(
      "snapshots: \(r.snapshots.count)" + (epochs.isEmpty ? "" : ", epochs \(epochs.min()!)…\(epochs.max()!)")
        + ", checksums: \(r.snapshots.count - report.damagedSnapshotCount) ok, \(report.damagedSnapshotCount) damaged")
    lines.append("NaN/Inf values: \(report.nonFiniteTotal)")
    if !r.run.isEmpty { lines.append("run: " + r.run.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")) }
    for s in report.snapshots {
      if let e = s.checksumError { lines.append("damaged: \(e)") }
      for (l, c) in s.nonFiniteCounts.enumerated() where c > 0 {
        lines.append("non-finite: snapshot \(s.index) (epoch \(s.info.epoch)), layer '\(r.layers[l].name)': \(c) NaN/Inf")
      }
    }
    let problems = report.problems.map(\.description)
    for w in report.warnings where !problems.contains(w) { lines.append("warning: \(w)") }
    for p in problems { lines.append("invalid: \(p)") }
    lines.append("status: " + (report.isInvalid ? "invalid" : report.isDamaged ? "readable with damage" : "valid"))
    return lines.joined(separator: "\n")
  }
}
