// swift-tools-version:6.0
// ibplane — information-plane analysis of neural networks.
// Licensed GPL-3.0-or-later (GSL is GPL-3.0); see LICENSE.
import PackageDescription

// The command links the Swift runtime and Foundation statically (issue 17.4): ld.so then resolves
// ~25,000 fewer symbols at every start (`ibplane --version` 14.9 → 8.0 ms on the CI machine kind)
// and the installed binary runs without the toolchain's lib directory. Linker flags only, so no
// module is compiled differently (SwiftPM's `--static-swift-stdlib` also changes every compile
// command, which would rebuild the package whenever `swift build` and `swift test` alternate).
// Foundation's static archives are named here because their autolink entries are those of the
// shared libraries unless the modules are compiled for static linking; lld resolves archives in
// any order. Verified with Swift 6.3; other toolchains keep the default (shared) runtime.
// The command is linked as a position-dependent executable (`-no-pie`, issue 18): a PIE binary of
// this size carries 77,633 relative relocations that ld.so applies at every start, writing (and
// so copying) every page that holds a pointer; without them `ibplane --version` takes 4.05
// instead of 4.56 ms (best of 60) and every command 0.4-0.8 ms less. What is given up: the
// executable's own code and data load at a fixed address (its libraries, heap and stack are
// still randomised). The C library (libIBPlaneC.so, what Python loads) is unaffected.
#if os(Linux) && compiler(>=6.3) && !compiler(>=6.4)
let commandLinkerSettings: [LinkerSetting] = [
  .unsafeFlags([
    "-static-stdlib", "-use-ld=lld", "-lFoundationInternationalization", "-l_FoundationICU", "-l_FoundationCShims",
    "-l_FoundationCollections", "-lCoreFoundation", "-lswiftSynchronization", "-Xclang-linker", "-no-pie",
  ])
]
#else
let commandLinkerSettings: [LinkerSetting] = []
#endif

let package = Package(
  name: "ibplane",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "IBPlane", targets: ["IBPlane"]),
    .library(name: "IBTrain", targets: ["IBTrain"]),
    .executable(name: "ibplane", targets: ["ibplane"]),
    // The C interface (include/ibplane.h) for Python's ctypes and C callers. SwiftPM names the
    // file libIBPlaneC.so (a product may not share the executable's name); `make install`
    // installs it as libibplane.so.
    .library(name: "IBPlaneC", type: .dynamic, targets: ["IBPlaneC"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - Public API
    // .npz archives are read by IBPlane's own bounded zip reader over zlib (NumPy/NumPyArchive.swift).
    // `IBPlane` is an umbrella that re-exports the layered modules below; dependencies run one
    // way: Analysis → Estimators / Recording / Synthetic → Core → Numerics (docs/architecture.md).
    .target(
      name: "IBPlane",
      dependencies: [
        "IBPlaneNumerics", "IBPlaneCore", "IBPlaneEstimators", "IBPlaneRecording", "IBPlaneSynthetic",
        "IBPlaneAnalysis", "IBPlaneReports",
      ]),
    .target(name: "IBTrain", dependencies: ["IBPlane", "CNative"]),
    .target(name: "IBPlaneC", dependencies: ["IBPlane", "IBTrain"], exclude: ["include"]),
    .executableTarget(
      name: "ibplane",
      dependencies: [
        "IBPlane", "IBTrain",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      linkerSettings: commandLinkerSettings
    ),

    // MARK: - Implementation details
    // The layers of the library (each a folder of Sources/).
    .target(name: "IBPlaneNumerics", dependencies: ["CNative"]),
    .target(name: "IBPlaneCore", dependencies: ["IBPlaneNumerics"]),
    .target(name: "IBPlaneEstimators", dependencies: ["IBPlaneCore", "IBPlaneNumerics", "CNative"]),
    .target(name: "IBPlaneRecording", dependencies: ["IBPlaneCore", "IBPlaneNumerics", "CNative"]),
    .target(name: "IBPlaneSynthetic", dependencies: ["IBPlaneCore", "IBPlaneNumerics", "CNative"]),
    .target(
      name: "IBPlaneAnalysis",
      dependencies: ["IBPlaneEstimators", "IBPlaneRecording", "IBPlaneCore", "IBPlaneNumerics", "CNative"]),
    .target(name: "IBPlaneReports", dependencies: ["IBPlaneAnalysis", "IBPlaneCore", "IBPlaneEstimators", "IBPlaneNumerics"]),
    // GSL, OpenBLAS (cblas_*), LAPACKE, zlib, ISA-L and libmvec behind one shim module.
    .systemLibrary(name: "CNative", path: "Sources/CNative"),
    // Release-mode benchmarks that print ratios against a reference run in the same process.
    .executableTarget(name: "ibplane-bench", dependencies: ["IBPlane", "IBTrain", "CNative"]),

    // MARK: - Tests
    // What every test target shares: repository paths, scratch directories, the process runner,
    // the built products, the Python oracles and their CI gate (IBPLANE_REQUIRE_ORACLES), data helpers.
    .target(name: "IBPlaneTestSupport", dependencies: ["IBPlane"], path: "Tests/Support"),
    .testTarget(name: "IBPlaneTests", dependencies: ["IBPlane", "IBPlaneTestSupport", "CNative"]),
    .testTarget(name: "IBTrainTests", dependencies: ["IBTrain", "IBPlane", "IBPlaneTestSupport"]),
    .testTarget(name: "ibplaneCLITests", dependencies: ["IBPlane", "IBPlaneTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)

// libFuzzer targets over every reader of user files (activations.bin, .npy, .npz, folders of .npy
// files) and their shared harness code. Only declared when IBPLANE_FUZZ is set, because they have
// no `main` of their own and link only with `--sanitize=fuzzer`; see scripts/fuzz.
if Context.environment["IBPLANE_FUZZ"] != nil {
  // ZIPFoundation is only the fuzz-npz harness's independent oracle (an archive ibplane accepts
  // must extract there with the same bytes); ibplane itself reads .npz with NumPy/NumPyArchive.swift.
  package.dependencies.append(.package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"))
  package.targets.append(.target(name: "IBPlaneFuzzSupport", dependencies: ["IBPlane", "CNative"], path: "Fuzz/Support"))
  let zip: Target.Dependency = .product(name: "ZIPFoundation", package: "ZIPFoundation")
  for (name, path, extra) in [
    ("fuzz-recording", "Fuzz/Recording", []), ("fuzz-npy", "Fuzz/NPY", []), ("fuzz-npz", "Fuzz/NPZ", [zip]),
    ("fuzz-npy-folder", "Fuzz/NPYFolder", []),
  ] as [(String, String, [Target.Dependency])] {
    package.targets.append(
      .executableTarget(
        name: name,
        dependencies: ["IBPlane", "IBPlaneFuzzSupport", "CNative"] + extra,
        path: path,
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
      ))
  }
}
