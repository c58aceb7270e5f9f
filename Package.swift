// swift-tools-version:6.0
// ibplane — information-plane analysis of neural networks.
// Licensed GPL-3.0-or-later (GSL is GPL-3.0); see LICENSE.
import PackageDescription

let package = Package(
  name: "ibplane",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "IBPlane", targets: ["IBPlane"]),
    .library(name: "IBTrain", targets: ["IBTrain"]),
    .executable(name: "ibplane", targets: ["ibplane"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
  ],
  targets: [
    // MARK: - Public API
    // .npz archives are read by IBPlane's own bounded zip reader over zlib (NumPy/NumPyArchive.swift).
    .target(name: "IBPlane", dependencies: ["CNative"]),
    .target(name: "IBTrain", dependencies: ["IBPlane", "CNative"]),
    .executableTarget(
      name: "ibplane",
      dependencies: [
        "IBPlane", "IBTrain",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Implementation details
    // GSL, OpenBLAS (cblas_*), LAPACKE, zlib, ISA-L and libmvec behind one shim module.
    .systemLibrary(name: "CNative", path: "Sources/CNative"),
    // Release-mode benchmarks that print ratios against a reference run in the same process.
    .executableTarget(name: "ibplane-bench", dependencies: ["IBPlane", "IBTrain", "CNative"]),

    // MARK: - Tests
    .testTarget(name: "IBPlaneTests", dependencies: ["IBPlane", "CNative"]),
    .testTarget(name: "IBTrainTests", dependencies: ["IBTrain", "IBPlane"]),
    .testTarget(name: "ibplaneCLITests", dependencies: ["IBPlane"]),
  ],
  swiftLanguageModes: [.v5]
)

// libFuzzer target over the recording reader. Only declared when IBPLANE_FUZZ is set, because it
// has no `main` of its own and links only with `--sanitize=fuzzer`; see scripts/fuzz-recording.
if Context.environment["IBPLANE_FUZZ"] != nil {
  package.targets.append(
    .executableTarget(
      name: "fuzz-recording",
      dependencies: ["IBPlane", "CNative"],
      path: "Fuzz/Recording",
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
}
