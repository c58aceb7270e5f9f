import Foundation
import IBPlane
import Testing

/// Every estimator of the catalog through `ibplane estimate`, with its flags, on a task with a
/// closed-form answer; and every flag's bad value answered by exit 2 naming the flag.
@Suite struct EstimatorFlagsCLITests {
  /// Gaussian pair, ρ = 0.75: I = −½ log(1 − ρ²) = 0.41264 nats; H(X) = ½ log(2πe) = 1.41894 nats.
  static let truth = -0.5 * log(1 - 0.75 * 0.75)
  static let entropyX = 0.5 * log(2 * Double.pi * M_E)

  @Test func everyEstimatorAnswersInJSON() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "gaussian-1x1-rho0.75", "--n", "3000", "--seed", "4", "--out", dir.path]).status == 0)
    let x = dir.appendingPathComponent("x.npy").path
    let y = dir.appendingPathComponent("y.npy").path
    let classes = try CLI.writeClasses(of: y, in: dir)
    // (arguments, expected nats or nil, tolerance): kNN estimators at N = 3,000 have a bias and
    // standard deviation of a few hundredths of a nat here (Kraskov et al. 2004, fig. 4).
    let cases: [([String], Double?, Double)] = [
      (["--estimator", "gaussian"], Self.truth, 0.04),
      (["--estimator", "ksg"], Self.truth, 0.06),
      (["--estimator", "ksg2", "--k", "5"], Self.truth, 0.06),
      (["--estimator", "ksg", "--metric", "euclidean"], Self.truth, 0.06),
      (["--estimator", "lossy", "--latent", "1"], Self.truth, 0.06),
      (["--estimator", "wkl"], Self.truth, 0.08),
      (["--estimator", "kl-entropy"], Self.entropyX, 0.06),
      (["--estimator", "binning", "--convention", "floor", "--binsize", "0.5"], nil, 0),
      (["--estimator", "adaptive-binning", "--bins", "10", "--mode", "per-unit"], nil, 0),
      (["--estimator", "kde", "--sigma2", "0.2", "--bound", "lower"], nil, 0),
      (["--estimator", "cs", "--sigma-x", "1", "--sigma-y", "1"], nil, 0),
      (["--estimator", "renyi", "--alpha", "2", "--width-rule", "silverman"], nil, 0),
    ]
    for (arguments, expected, tolerance) in cases {
      let r = try CLI.run(["estimate"] + arguments + [x, CLI.needsClasses(arguments) ? classes : y, "--unit", "nats", "--json"])
      #expect(r.status == 0, "\(arguments): \(r.stderr)")
      guard r.status == 0 else { continue }
      let j = try CLI.json(r.stdout)
      #expect(j["estimator"] as? String == arguments[1])
      #expect(j["unit"] as? String == "nats")
      #expect(j["n"] as? Int == 3000)
      let mi = try #require(j["mi"] as? Double, "\(arguments): \(r.stdout)")
      #expect(mi.isFinite)
      if let expected { #expect(abs(mi - expected) < tolerance, "\(arguments): \(mi) vs \(expected)") }
    }
  }

  @Test func badFlagValuesExitTwoNamingTheFlag() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "bsc-0.1", "--n", "200", "--seed", "1", "--out", dir.path]).status == 0)
    let x = dir.appendingPathComponent("x.npy").path
    let y = dir.appendingPathComponent("y.npy").path
    let cases: [([String], String)] = [
      (["--estimator", "binning", "--convention", "log"], "convention"),
      (["--estimator", "binning", "--bins", "1"], "bins"),
      (["--estimator", "binning", "--convention", "floor", "--binsize", "-1"], "binsize"),
      (["--estimator", "adaptive-binning", "--mode", "diagonal"], "mode"),
      (["--estimator", "binning", "--correction", "jackknife"], "correction"),
      (["--estimator", "kde", "--sigma2", "0"], "sigma2"),
      (["--estimator", "kde", "--bound", "middle"], "bound"),
      (["--estimator", "cs", "--sigma-x", "-2"], "sigma-x"),
      (["--estimator", "renyi", "--width-rule", "guess"], "width-rule"),
      (["--estimator", "renyi", "--approx", "nystrom:x"], "approx"),
      (["--estimator", "ksg", "--k", "0"], "k"),
      (["--estimator", "ksg", "--metric", "manhattan"], "metric"),
      (["--estimator", "lossy", "--latent", "0"], "latent"),
      (["--estimator", "lossy", "--compress", "zip"], "zip"),
      // The hardening issue's sweep: NaN, ±∞, 0, negative and huge values, each refused naming
      // the flag and its documented range (EstimatorParameterRange).
      (["--estimator", "renyi", "--alpha", "1e10"], "alpha: expected an order α (1: von Neumann) in 0.001…"),
      (["--estimator", "renyi", "--alpha", "nan"], "alpha"),
      (["--estimator", "renyi", "--alpha", "0"], "alpha"),
      (["--estimator", "renyi", "--approx", "subsample:2:1000000000"], "r in 1…100 repeats"),
      (["--estimator", "renyi", "--approx", "nystrom:100000"], "m in 2…5000 landmarks"),
      (["--estimator", "cs", "--sigma-x", "1e-300"], "sigma-x: expected a kernel width in 1e-100…"),
      (["--estimator", "cs", "--sigma-y", "inf"], "sigma-y"),
      (["--estimator", "renyi", "--width-rule", "median:1000000000"], "median:M with M in 2…5000"),
      (["--estimator", "kde", "--sigma2", "nan"], "sigma2: expected a noise variance in 1e-100…"),
      (["--estimator", "kde", "--sigma2", "1e300"], "sigma2"),
      (["--estimator", "adaptive-kde", "--sigma2", "1e-300"], "sigma2"),
      (["--estimator", "adaptive-binning", "--bins", "0"], "bins: expected an integer in 2…1048576"),
      (["--estimator", "binning", "--bins", "1000000000000"], "bins"),
      (["--estimator", "binning", "--convention", "floor", "--binsize", "1e-300"], "binsize: expected a bin width in 1e-30…"),
      (["--estimator", "ksg", "--k", "1000000000"], "k: expected an integer in 1…1000"),
      (["--estimator", "lossy", "--latent", "1000000000"], "latent: expected a latent size in 1…1000"),
      (["--estimator", "lossy", "--noise", "nan"], "noise"),
      (["--estimator", "lossy", "--noise", "1e300"], "noise"),
    ]
    for (arguments, mention) in cases {
      let r = try CLI.run(["estimate"] + arguments + [x, y])
      #expect(r.status == 2, "\(arguments): exit \(r.status) \(r.stderr)")
      #expect(r.stderr.contains(mention), "\(arguments): \(r.stderr)")
      #expect(r.stdout.isEmpty)
    }
  }

  /// The JSON's "params" (every parameter as used) turned back into flags rebuilds the same
  /// estimator: same value, same params. Unknown flags and flags of another family are refused
  /// with exit 2 naming them; --help lists every parameter of every family from the table.
  @Test func paramsRoundTripThroughTheFlags() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "gaussian-1x1-rho0.75", "--n", "300", "--seed", "2", "--out", dir.path]).status == 0)
    let continuous = [dir.appendingPathComponent("x.npy").path, dir.appendingPathComponent("y.npy").path]
    let withClasses = [continuous[0], try CLI.writeClasses(of: continuous[1], in: dir)]
    let cases: [[String]] = [
      ["gaussian", "--bias-correction"], ["binning", "--convention", "floor", "--binsize", "0.5"],
      ["adaptive-binning", "--bins", "10", "--lower=-1"], ["kde", "--sigma2", "0.2"], ["adaptive-kde"],
      ["cs", "--width-rule", "silverman", "--normalised"], ["renyi", "--alpha", "2", "--sigma-y", "0.5"],
      ["ksg", "--k", "5"], ["ksg2", "--metric", "euclidean"], ["kl-entropy"], ["wkl", "--k", "4"],
      ["lossy", "--latent", "1", "--noise", "0.01", "--seed", "4"], ["cs", "--y-classes"], ["lossy", "--y-classes", "--k", "4"],
    ]
    #expect(Set(cases.map { $0[0] }) == Set(EstimatorRegistry.mutualInformationNames))
    for c in cases {
      let files = CLI.needsClasses(["--estimator"] + c) ? withClasses : continuous
      let first = try CLI.run(["estimate", "--estimator", c[0]] + Array(c.dropFirst()) + files + ["--json"])
      #expect(first.status == 0, "\(c): \(first.stderr)")
      let j = try CLI.json(first.stdout)
      let params = try #require(j["params"] as? String, "\(c)")
      let flags = params.split(separator: ",").flatMap { item -> [String] in
        let kv = item.split(separator: "=", maxSplits: 1)
        return ["--\(kv[0])", String(kv[1])]
      }
      let again = try CLI.json(try CLI.run(["estimate", "--estimator", c[0]] + files + flags + ["--json"]).stdout)
      #expect(again["params"] as? String == params, "\(c)")
      #expect(again["mi"] as? Double == j["mi"] as? Double, "\(c): \(params)")
    }
    for (arguments, mention) in [
      (["--estimator", "ksg", "--kk", "3"], "--kk is not an option of ibplane estimate with --estimator ksg"),
      (["--estimator", "ksg", "--kk", "3"], "(did you mean --k?)"),
      (["--estimator", "ksg", "--sigma2", "0.1"], "--sigma2 is not a parameter of --estimator ksg"),
      (["--estimator", "kgs"], "(did you mean ksg?)"),
      (["--estimator", "binning", "--binsize", "0.5"], "binsize only with convention floor"),
      (["--estimator", "kde", "--sigma2"], "for sigma2: expected a noise variance"),
    ] {
      let r = try CLI.run(["estimate"] + arguments + continuous)
      #expect(r.status == 2, "\(arguments): exit \(r.status)")
      #expect(r.stderr.contains(mention), "\(arguments): \(r.stderr)")
    }
    let help = try CLI.run(["estimate", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
    let analyzeHelp = try CLI.run(["analyze", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
    for f in EstimatorRegistry.families {
      for p in f.parameters(for: .mutualInformation) where f.hasMutualInformationForm {
        #expect(help.contains("--\(p.key) "), "estimate --help lacks \(f.name) --\(p.key)")
      }
      for p in f.parameters(for: .plane) where f.hasPlaneForm {
        #expect(analyzeHelp.contains("\(p.key)="), "analyze --help lacks \(f.name) \(p.key)=")
      }
    }
  }

  /// X × 1e300 and × 1e−300 through the command (findings 11 and 12): every estimator exits 0
  /// with a finite number — scale-invariant ones the unscaled number, fixed-width kernels their
  /// limit (separated or coinciding points) — and never prints NaN or a JSON null.
  @Test func extremeScalesGiveNumbersNotNaN() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "gaussian-1x1-rho0.75", "--n", "400", "--seed", "5", "--out", dir.path]).status == 0)
    let x = try NumPyFile.read(dir.appendingPathComponent("x.npy")).matrix(Double.self, file: "x.npy")
    let continuous = dir.appendingPathComponent("y.npy").path
    let classes = try CLI.writeClasses(of: continuous, in: dir)
    for (name, s) in [("big", 1e300), ("small", 1e-300)] {
      var m = x
      for k in m.elements.indices { m.elements[k] *= s }
      try NumPyFile.write(NumPyArray(m), to: dir.appendingPathComponent("x-\(name).npy"))
    }
    // (arguments, scale-invariant: the unscaled value is expected)
    let cases: [([String], Bool)] = [
      (["--estimator", "ksg"], true), (["--estimator", "ksg2"], true), (["--estimator", "lossy"], true),
      (["--estimator", "gaussian"], true), (["--estimator", "wkl"], true), (["--estimator", "cs"], true),
      (["--estimator", "renyi", "--alpha", "2"], true), (["--estimator", "kde"], false),
      (["--estimator", "adaptive-kde"], false), (["--estimator", "cs", "--sigma-x", "1", "--sigma-y", "1"], false),
    ]
    for (arguments, invariant) in cases {
      let y = CLI.needsClasses(arguments) ? classes : continuous
      let reference = try CLI.run(["estimate"] + arguments + [dir.appendingPathComponent("x.npy").path, y, "--json"])
      let r0 = try #require(try CLI.json(reference.stdout)["mi"] as? Double, "\(arguments): \(reference.stderr)")
      for name in ["big", "small"] {
        let r = try CLI.run(["estimate"] + arguments + [dir.appendingPathComponent("x-\(name).npy").path, y, "--json"])
        #expect(r.status == 0, "\(arguments) \(name): \(r.stderr)")
        let mi = try #require(try CLI.json(r.stdout)["mi"] as? Double, "\(arguments) \(name): \(r.stdout)")
        #expect(mi.isFinite)
        if invariant { #expect(abs(mi - r0) < 1e-9, "\(arguments) \(name): \(mi) vs \(r0)") }
      }
    }
  }

  /// `--compress autoencoder`: registered by the command at start-up, seeded by `--seed`
  /// (same seed, same number), recorded in the JSON; listed in `--help`. Blob images with
  /// 1 nat of latent MI at N = 2,000 (a smoke check; the accuracy is tested in IBTrainTests).
  @Test func lossyWithTheAutoencoderCompressor() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "blob-16x16-mi1", "--n", "2000", "--seed", "7", "--out", dir.path]).status == 0)
    let x = dir.appendingPathComponent("x.npy").path
    let y = dir.appendingPathComponent("y.npy").path
    let arguments = ["estimate", "--estimator", "lossy", "--compress", "autoencoder", "--latent", "4", "--seed", "3", x, y, "--unit", "nats", "--json"]
    let r = try CLI.run(arguments)
    #expect(r.status == 0, "\(r.stderr)")
    guard r.status == 0 else { return }
    let j = try CLI.json(r.stdout)
    let mi = try #require(j["mi"] as? Double, "\(r.stdout)")
    #expect(abs(mi - 1) < 0.2, "\(mi)")
    let parameters = try #require(j["parameters"] as? [String: Any], "\(r.stdout)")
    #expect(parameters["compressor"] as? String == "autoencoder" && parameters["latent"] as? Int == 4)
    #expect(parameters["seed"] as? Int == 3)
    let diagnostics = try #require(j["diagnostics"] as? [String: Any], "\(r.stdout)")
    #expect(diagnostics["reconstruction_error_x"] is Double && diagnostics["reconstruction_error_y"] is Double, "\(diagnostics)")
    let again = try CLI.json(try CLI.run(arguments).stdout)
    #expect(again["mi"] as? Double == mi)
    let help = try CLI.run(["estimate", "--help"])
    #expect(help.stdout.contains("autoencoder"))
  }

  /// Discrete data (binary symmetric channel, p = 0.1, I = log 2 − h(0.1) = 0.3681 nats): `ksg`
  /// applies the exact-tie rule (every sample tied; plug-in sd ≈ 0.01 nats at N = 2,000, so
  /// tolerance 0.04) and `ksg2` refuses with exit 2 and the reason.
  @Test func exactTiesThroughTheCLI() throws {
    let dir = try CLI.scratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(try CLI.run(["synth", "--task", "bsc-0.1", "--n", "2000", "--seed", "3", "--out", dir.path]).status == 0)
    let x = dir.appendingPathComponent("x.npy").path
    let y = dir.appendingPathComponent("y.npy").path
    let r = try CLI.run(["estimate", "--estimator", "ksg", x, y, "--unit", "nats", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let j = try CLI.json(r.stdout)
    let mi = try #require(j["mi"] as? Double, "\(r.stdout)")
    #expect(abs(mi - (log(2) + 0.1 * log(0.1) + 0.9 * log(0.9))) < 0.04, "\(mi)")
    let diagnostics = try #require(j["diagnostics"] as? [String: Any], "\(r.stdout)")
    #expect(diagnostics["tied_samples"] as? Double == 2000, "\(diagnostics)")
    let r2 = try CLI.run(["estimate", "--estimator", "ksg2", x, y])
    #expect(r2.status == 2, "exit \(r2.status): \(r2.stderr)")
    #expect(r2.stderr.contains("KSG 2 is undefined with exact ties"), "\(r2.stderr)")
  }
}
