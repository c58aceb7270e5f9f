import ArgumentParser
import Foundation
import IBPlane

/// `ibplane synth`: sample a synthetic task with known MI (the library's `SyntheticTasks`).
struct Synth: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "synth",  // named, not derived from the type by reflection at every start (issue 17)
    abstract: "Sample a synthetic task whose mutual information is known in closed form.",
    discussion: """
      Writes DIR/x.npy and DIR/y.npy (float64, N × d; row i of each is one draw) and DIR/truth.json with the true I(X;Y) in nats and bits ("task", "n", "seed", "mi_nats", "mi_bits", "x_dim", "y_dim", "summary"). The same seed gives bit-identical files.

      Task names are parameterised: \(SyntheticTasks.grammar).

      Limits (checked before anything is allocated; exit code 2 beyond them): N·(dx + dy) ≤ \(SyntheticLimits.maximumSampleValues) values (\((SyntheticLimits.maximumSampleValues * 8) >> 20) MiB per float64 copy; e.g. N ≤ \(SyntheticLimits.maximumSampleValues / 10) for gaussian-dense-5); dx + dy ≤ \(SyntheticLimits.maximumJointDimension) (gaussian-dense-D and gaussian-channel-D: D ≤ \(SyntheticLimits.maximumJointDimension / 2)); noiseless-K: K ≤ \(SyntheticLimits.maximumSymbols); names of at most \(SyntheticLimits.maximumNameLength) bytes.

      Examples:
        ibplane synth --list
        ibplane synth --task student-2x2-nu2 --n 20000 --seed 1 --out /tmp/t2
      """
  )

  @Flag(help: "List the catalogued tasks with their true MI (bits and nats) and exit.")
  var list = false

  @Option(help: "The task name, e.g. gaussian-dense-5 or bsc-0.1 (see --list).")
  var task: String?

  @Option(name: .customLong("n"), parsing: .unconditional, help: "The number of samples N (at least 2; N·(dx + dy) at most \(SyntheticLimits.maximumSampleValues), see above).")
  var n: Int?

  @Option(parsing: .unconditional, help: "The random seed (a non-negative integer; default 0).")
  var seed: UInt64 = 0

  @Option(help: "The output directory (created when missing).")
  var out: String?

  @Flag(help: "Print JSON instead of text: with --list, {\"tasks\": [...]}; else the truth.json fields plus \"out\" and \"files\".")
  var json = false

  func run() throws {
    if list {
      print(json ? try JSONOutput.render(["tasks": try Synth.catalogue()]) : try Synth.listing())
      return
    }
    // Checked here rather than in validate(): a bad value is one sentence on stderr and exit 2.
    guard let task else { throw BadInput("missing --task NAME (or use --list)") }
    guard let n else { throw BadInput("missing --n N, the number of samples") }
    guard n >= 2 else { throw BadInput("--n must be at least 2, got \(n)") }
    guard let out, !out.isEmpty else { throw BadInput("missing --out DIR, the output directory") }
    let synthetic: any SyntheticTask
    do {
      synthetic = try SyntheticTasks.task(named: task)
    } catch let e as SyntheticError {
      throw BadInput(e.description)
    }
    let directory = URL(fileURLWithPath: out)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw BadInput("--out \(out) exists and is not a directory")
    }
    let truth: SyntheticTruth
    do {
      truth = try synthetic.writeSample(count: n, seed: seed, to: directory)
    } catch let e as SyntheticError {
      throw BadInput(e.description)
    } catch let e as CocoaError {
      // A write that fails (no permission, disk full, a file in the way): a runtime failure, exit 1.
      throw OutputError(path: out, action: "write to", error: e)
    }
    if json {
      print(try JSONOutput.render([
        "task": truth.task, "n": n, "seed": NSNumber(value: seed), "mi_nats": truth.miNats, "mi_bits": truth.miBits,
        "x_dim": truth.xDim, "y_dim": truth.yDim, "out": directory.path,
        "files": ["x.npy", "y.npy", "truth.json"].map { directory.appendingPathComponent($0).path },
      ]))
      return
    }
    print(
      "wrote \(directory.path)/{x.npy (\(n)×\(truth.xDim)), y.npy (\(n)×\(truth.yDim)), truth.json}: "
        + "true I(X;Y) = \(format(truth.miBits)) bits (\(format(truth.miNats)) nats)")
  }

  /// The `--list --json` entries: name, dimensions, true MI in bits and nats, summary.
  static func catalogue() throws -> [[String: Any]] {
    try SyntheticTasks.all().map { t in
      [
        "task": t.name, "x_dim": t.xDimension, "y_dim": t.yDimension, "mi_bits": t.mutualInformation(in: .bits),
        "mi_nats": t.mutualInformationNats, "summary": t.summary,
      ]
    }
  }

  /// The `--list` table: name, dimensions, true MI in bits and nats, summary.
  static func listing() throws -> String {
    var lines = [
      pad("task", 34) + pad("dx×dy", 8) + pad("MI (bits)", 11) + pad("MI (nats)", 11) + "law",
    ]
    for t in try SyntheticTasks.all() {
      lines.append(
        pad(t.name, 34) + pad("\(t.xDimension)×\(t.yDimension)", 8) + pad(format(t.mutualInformation(in: .bits)), 11)
          + pad(format(t.mutualInformationNats), 11) + t.summary)
    }
    return lines.joined(separator: "\n")
  }

  private static func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
  }
}

private func format(_ v: Double) -> String { String(format: "%.5f", v) }
