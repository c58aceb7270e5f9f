import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import IBPlane
import IBPlaneTestSupport
import Testing

/// End-to-end tests of `ibplane analyze` and `ibplane merge` on a small recording
/// (a directory of .npy files: 300 samples, 2 layers, 6 snapshots).
@Suite struct AnalyzeCLITests {
  func ibplane(_ arguments: [String], in currentDirectory: URL? = nil) throws -> CLI.Result {
    var environment = ProcessInfo.processInfo.environment
    environment["IBPLANE_THREADS"] = "2"
    return try runProcess(try CLI.binary, arguments, environment: environment, currentDirectory: currentDirectory)
  }

  func temporary() -> URL { Scratch.directoryOrIssue("ibplane-cli") }

  /// Writes the recording and returns its directory.
  func recording(seed: UInt64 = 3, name: String = "cli-fixture") throws -> URL {
    let n = 300
    let random = RandomSource(seed: seed)
    let x = random.normalMatrix(rows: n, columns: 4).converted(to: Float.self)
    let y = (0..<n).map { x[$0, 0] - x[$0, 2] > 0 ? 1 : 0 }
    var source = try InMemorySnapshotSource(
      name: name, inputs: x, labels: .classes(y, classCount: 2),
      layers: [LayerSpec(name: "dense1", width: 3), LayerSpec(name: "dense2", width: 2)], run: ["activation": "tanh"])
    let w1 = random.normalMatrix(rows: 4, columns: 3).converted(to: Float.self)
    let w2 = random.normalMatrix(rows: 3, columns: 2).converted(to: Float.self)
    for (s, epoch) in [0, 1, 3, 10, 30, 100].enumerated() {
      let g = Float(0.5 + 0.3 * Double(s))
      var h1 = try x.multiplied(by: w1)
      h1.elements = h1.elements.map { tanhf(g * $0) }
      var h2 = try h1.multiplied(by: w2)
      h2.elements = h2.elements.map { tanhf(g * $0) }
      try source.append(SnapshotInfo(epoch: epoch, step: epoch * 5, metrics: ["accuracy": 0.5 + 0.07 * Double(s)]), layers: [h1, h2])
    }
    let dir = temporary().appendingPathComponent("rec")
    try NumPyDirectorySource.write(source, inputs: x, labels: source.labels, to: dir)
    return dir
  }

  /// The CSV without the `seconds` column (wall times differ between runs).
  func timelessCSV(_ url: URL) throws -> [String] {
    // Parsed as CSV: params holds quoted commas (`"sigma2=0.1,bound=upper"`).
    let records = try CSVTable.records(String(decoding: try Data(contentsOf: url), as: UTF8.self), file: url.path).records
      .filter { $0 != [""] }
    let secondsColumn = records[0].firstIndex(of: "seconds")!
    return records.map { record in
      var f = record
      f.remove(at: secondsColumn)
      return f.joined(separator: ",")
    }
  }

  let estimatorArguments = ["--estimator", "gaussian", "--estimator", "gaussian:noise_variance=1"]

  @Test func analyzeWritesTheCSVAndWellFormedSVGs() throws {
    let rec = try recording()
    let out = temporary()
    let r = try ibplane(["analyze", rec.path, "--out", out.path, "--json", "--quiet"] + estimatorArguments)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.isEmpty)
    #expect(r.stdout.contains("\"rows\" : 24"))
    let lines = try timelessCSV(out.appendingPathComponent("plane.csv"))
    #expect(lines[0] == "recording,recording_fingerprint,epoch,step,layer,layer_index,width,estimator,params,unit,i_xt,i_ty,i_xt_lower,i_xt_upper,i_ty_lower,i_ty_upper,i_xt_ci_lo,i_xt_ci_hi,i_ty_ci_lo,i_ty_ci_hi,ci_method,ci_level,ci_resamples,ci_seed,clipped_fraction,n,i_xt_given_y,i_xt_given_y_ci_lo,i_xt_given_y_ci_hi,ci_excludes_estimate,accuracy")
    #expect(lines.count - 1 == 6 * 2 * 2)
    for name in ["plane-gaussian.svg", "plane-gaussian-sigma2-1.svg", "planes-compared.svg", "curves-gaussian.svg"] {
      let data = try Data(contentsOf: out.appendingPathComponent(name))
      let parser = XMLParser(data: data)
      #expect(parser.parse(), "\(name) is not well-formed XML: \(String(describing: parser.parserError))")
      let paths = String(decoding: data, as: UTF8.self).components(separatedBy: "class=\"trajectory\"").count - 1
      #expect(paths == (name.hasPrefix("curves") ? 0 : name.hasPrefix("planes") ? 4 : 2), "\(name)")
    }
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("index.html").path))
  }

  @Test func resumeAfterAKillMatchesAnUninterruptedRun() throws {
    let rec = try recording()
    let full = temporary(), killed = temporary()
    #expect(try ibplane(["analyze", rec.path, "--out", full.path, "--quiet", "--bootstrap", "5", "--seed", "2"] + estimatorArguments).status == 0)
    // A kill leaves finished rows and half a row, and no manifest.
    let text = String(decoding: try Data(contentsOf: full.appendingPathComponent("plane.csv")), as: UTF8.self)
    let lines = text.split(separator: "\n")
    let cut = lines[0...9].joined(separator: "\n") + "\n" + lines[10].prefix(25)
    try Data(cut.utf8).write(to: killed.appendingPathComponent("plane.csv"))
    let r = try ibplane(["analyze", rec.path, "--out", killed.path, "--resume", "--bootstrap", "5", "--seed", "2"] + estimatorArguments)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("15 computed, 9 resumed"))
    #expect(try timelessCSV(killed.appendingPathComponent("plane.csv")) == timelessCSV(full.appendingPathComponent("plane.csv")))
  }

  @Test func mergedShardsEqualTheUnshardedRun() throws {
    let rec = try recording()
    let whole = temporary(), shards = temporary(), merged = temporary()
    #expect(try ibplane(["analyze", rec.path, "--out", whole.path, "--quiet"] + estimatorArguments).status == 0)
    for i in 1...3 {
      let r = try ibplane(["analyze", rec.path, "--out", shards.path, "--quiet", "--shard", "\(i)/3"] + estimatorArguments)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let m = try ibplane(["merge", shards.path, "--out", merged.path])
    #expect(m.status == 0, "\(m.stderr)")
    #expect(try timelessCSV(merged.appendingPathComponent("plane.csv")) == timelessCSV(whole.appendingPathComponent("plane.csv")))
    #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("planes-compared.svg").path))
    // A missing shard is refused with exit code 2 and a message naming it.
    try FileManager.default.removeItem(at: shards.appendingPathComponent("plane-shard-2-of-3.csv"))
    let missing = try ibplane(["merge", shards.path, "--out", merged.path])
    #expect(missing.status == 2)
    #expect(missing.stderr.contains("missing shard(s) 2/3"))
  }

  @Test func badInputExitsWithTwo() throws {
    let rec = try recording()
    let out = temporary()
    for arguments in [
      ["analyze", "/nonexistent/recording"],
      ["analyze", rec.path, "--out", out.path, "--estimator", "nosuch"],
      ["analyze", rec.path, "--out", out.path, "--shard", "4/3"],
      ["analyze", rec.path, "--out", out.path, "--layers", "dense9"],
      ["analyze", rec.path, "--out", out.path, "--epochs", "10-1"],
      ["merge", out.path],
    ] {
      let r = try ibplane(arguments)
      #expect(r.status == 2, "\(arguments): \(r.status) \(r.stderr)")
      #expect(r.stderr.hasPrefix("error:"), "\(arguments): \(r.stderr)")
    }
    // A corrupt layer file names the file.
    try Data("not numpy".utf8).write(to: rec.appendingPathComponent("snapshot-2-layer-1.npy"))
    let r = try ibplane(["analyze", rec.path, "--out", out.path, "--quiet"])
    #expect(r.status == 2 && r.stderr.contains("snapshot-2-layer-1.npy"), "\(r.stderr)")
  }
}

extension AnalyzeCLITests {
  /// A real SIGKILL in the middle of the run: every complete row survives, and --resume
  /// finishes with the same CSV as an uninterrupted run.
  @Test func resumeAfterARealKill() throws {
    let rec = try recording()
    let full = temporary(), killed = temporary()
    let slow = ["--bootstrap", "200", "--seed", "4", "--threads", "1", "--quiet"] + estimatorArguments
    #expect(try ibplane(["analyze", rec.path, "--out", full.path] + slow).status == 0)
    let p = try ChildProcess(try CLI.binary, ["analyze", rec.path, "--out", killed.path] + slow)
    let csv = killed.appendingPathComponent("plane.csv")
    let deadline = Date().addingTimeInterval(60)
    while p.isRunning, Date() < deadline {
      let data = (try? Data(contentsOf: csv)) ?? Data()
      if data.filter({ $0 == 10 }).count >= 4 { break }
      usleep(5_000)
    }
    p.signal(SIGKILL)
    _ = try p.wait()
    let kept = try PlaneTable.parse(String(decoding: try Data(contentsOf: csv), as: UTF8.self), file: csv.path)
    #expect(!kept.rows.isEmpty && kept.rows.count < 24, "killed after \(kept.rows.count) rows")
    let r = try ibplane(["analyze", rec.path, "--out", killed.path, "--resume"] + slow)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try timelessCSV(killed.appendingPathComponent("plane.csv")) == timelessCSV(full.appendingPathComponent("plane.csv")))
  }
}

extension AnalyzeCLITests {
  /// A bootstrapped KDE run writes the estimator's bounds and the interval into separate
  /// columns; `merge` carries both; a plane.csv in the old layout (`i_*_lo/_hi`, whose meaning
  /// depended on `params`) is refused by `--resume` with exit 2 and advice, and left untouched.
  @Test func boundsAndIntervalsAreSeparateColumnsAndOldCSVsAreRefused() throws {
    let rec = try recording()
    let out = temporary(), shards = temporary(), merged = temporary()
    let arguments = ["--quiet", "--estimator", "kde", "--bootstrap", "4", "--seed", "3", "--confidence", "0.8"]
    let r = try ibplane(["analyze", rec.path, "--out", out.path] + arguments)
    #expect(r.status == 0, "\(r.stderr)")
    let text = String(decoding: try Data(contentsOf: out.appendingPathComponent("plane.csv")), as: UTF8.self)
    let records = try CSVTable.records(text, file: "plane.csv").records
    let column = Dictionary(uniqueKeysWithValues: records[0].enumerated().map { ($1, $0) })
    #expect(records.count == 1 + 6 * 2)
    for f in records.dropFirst() {
      for c in ["i_xt_lower", "i_xt_upper", "i_xt_ci_lo", "i_xt_ci_hi", "i_ty_ci_lo", "i_ty_ci_hi"] {
        #expect(Double(f[column[c]!]) != nil, "\(c) = \(f[column[c]!])")
      }
      #expect(Double(f[column["i_xt_lower"]!])! < Double(f[column["i_xt_upper"]!])!)
      #expect(
        [f[column["ci_method"]!], f[column["ci_level"]!], f[column["ci_resamples"]!], f[column["ci_seed"]!]]
          == ["half-sample-jackknife", "0.8", "4", "3"])
    }
    for i in 1...2 {
      #expect(try ibplane(["analyze", rec.path, "--out", shards.path, "--shard", "\(i)/2"] + arguments).status == 0)
    }
    let m = try ibplane(["merge", shards.path, "--out", merged.path])
    #expect(m.status == 0, "\(m.stderr)")
    #expect(try timelessCSV(merged.appendingPathComponent("plane.csv")) == timelessCSV(out.appendingPathComponent("plane.csv")))

    let old = temporary()
    let oldText = "recording,recording_fingerprint,epoch,step,layer,layer_index,width,estimator,params,unit,i_xt,i_ty,i_xt_lo,i_xt_hi,i_ty_lo,i_ty_hi,n,seconds,accuracy\n"
    try Data(oldText.utf8).write(to: old.appendingPathComponent("plane.csv"))
    let refused = try ibplane(["analyze", rec.path, "--out", old.path, "--resume"] + arguments)
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("plane.csv:1: header: has the column i_xt_lo") && refused.stderr.contains("without --resume"), "\(refused.stderr)")
    #expect(try Data(contentsOf: old.appendingPathComponent("plane.csv")) == Data(oldText.utf8))
  }

  /// A ReLU-like layer (values up to ≈ 5): the default binning covers it silently; explicit
  /// `idnns` clips a share of it into the end bin and says so on stderr and in the report.
  @Test func clippedBinningIsWarnedOnStderrAndInTheReport() throws {
    let n = 200
    let random = RandomSource(seed: 5)
    let x = random.normalMatrix(rows: n, columns: 2).converted(to: Float.self)
    var source = try InMemorySnapshotSource(
      name: "relu-clip", inputs: x, labels: .classes((0..<n).map { x[$0, 0] > 0 ? 1 : 0 }, classCount: 2),
      layers: [LayerSpec(name: "relu", width: 2)], run: ["activation": "relu"])
    var h = x
    h.elements = h.elements.map { max(0, 2 * $0) }
    let clipped = Double(h.elements.filter { $0 > 1 }.count) / Double(h.elements.count)
    try source.append(SnapshotInfo(epoch: 0, step: 0), layers: [h])
    let rec = temporary().appendingPathComponent("rec")
    try NumPyDirectorySource.write(source, inputs: x, labels: source.labels, to: rec)
    let out = temporary()
    let r = try ibplane(["analyze", rec.path, "--out", out.path, "--quiet", "--estimator", "binning", "--estimator", "binning:convention=idnns"])
    #expect(r.status == 0, "\(r.stderr)")
    let percent = String(format: "%.1f %%", clipped * 100)
    #expect(r.stderr.contains("warning: binning:convention=idnns clipped \(percent) of layer relu's values"), "\(r.stderr)")
    #expect(r.stderr.components(separatedBy: "warning:").count == 2)  // the default binning does not warn
    let html = String(decoding: try Data(contentsOf: out.appendingPathComponent("index.html")), as: UTF8.self)
    #expect(html.contains("<p class=\"warning\">") && html.contains("clipped \(percent) of layer relu"))
    let rows = try PlaneTable.parse(
      String(decoding: try Data(contentsOf: out.appendingPathComponent("plane.csv")), as: UTF8.self), file: "plane.csv").rows
    #expect(rows.map(\.clippedFraction) == [0, clipped])

    // estimate: the same warning and the diagnostic.
    let dir = temporary()
    try NumPyFile.write(NumPyArray(h), to: dir.appendingPathComponent("t.npy"))
    try NumPyFile.write(NumPyArray(int64: (0..<n).map { x[$0, 0] > 0 ? 1 : 0 }), to: dir.appendingPathComponent("y.npy"))
    let paths = [dir.appendingPathComponent("t.npy").path, dir.appendingPathComponent("y.npy").path]
    let e = try ibplane(["estimate", "--estimator", "binning", "--convention", "idnns", "--json"] + paths)
    #expect(e.status == 0, "\(e.stderr)")
    #expect(e.stderr.contains("warning: binning clipped \(percent) of"), "\(e.stderr)")
    let diagnostics = try #require(try CLI.json(e.stdout)["diagnostics"] as? [String: Any])
    #expect((diagnostics["clipped_fraction"] as? Double) == clipped)
    let d = try ibplane(["estimate", "--estimator", "binning", "--json"] + paths)
    #expect(d.status == 0 && d.stderr.isEmpty, "\(d.stderr)")
    #expect((try CLI.json(d.stdout)["diagnostics"] as? [String: Any])?["clipped_fraction"] as? Double == 0)
  }
}
