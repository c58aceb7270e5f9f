#!/usr/bin/env bash
# Builds a client package that depends on IBPlane the way a Swift user does — by URL and version
# — and runs the README's training-loop example in it:
#   clone HEAD into a temporary directory, tag it with the library's version, write a client
#   Package.swift with `.package(url: "file://…", from: VERSION)`, take main.swift verbatim from
#   the README (between the swiftpm-client-example markers), build, run, check the reports.
# A versioned dependency may not use unsafe flags, so this also guards Package.swift.
# usage: scripts/test-swiftpm-client.sh   (commits only: the clone is of HEAD)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
version="$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/IBPlaneCore/InformationUnit.swift)"
test -n "$version"
start=$SECONDS

git clone --quiet --no-local "$root" "$work/ibplane"
git -C "$work/ibplane" -c user.name=ci -c user.email=ci@localhost tag -f "$version" >/dev/null

mkdir -p "$work/client/Sources/TrainingLoop"
cat >"$work/client/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "ibplane-client",
  platforms: [.macOS(.v14)],
  dependencies: [
    .package(url: "file://$work/ibplane", from: "$version"),
  ],
  targets: [
    .executableTarget(name: "TrainingLoop", dependencies: [
      .product(name: "IBPlane", package: "ibplane"),
      .product(name: "IBTrain", package: "ibplane"),
    ]),
  ]
)
SWIFT
awk '/<!-- swiftpm-client-example: begin -->/ {on = 1; next} /<!-- swiftpm-client-example: end -->/ {on = 0} on' README.md |
  sed '1{/^```swift$/d}; ${/^```$/d}' >"$work/client/Sources/TrainingLoop/main.swift"
grep -q "PlaneReport.write" "$work/client/Sources/TrainingLoop/main.swift" || {
  echo "README.md: no example between the swiftpm-client-example markers" >&2
  exit 1
}

cd "$work/client"
if ! swift build >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "the client package did not build against IBPlane $version" >&2
  exit 1
fi
.build/debug/TrainingLoop >"$work/out.txt"
grep -q "epoch 100 logits: I(X;T)" "$work/out.txt"
test "$(tail -n +2 reports/run/plane.csv | wc -l)" -eq 36  # 6 snapshots × 3 layers × 2 estimators
test -s reports/run/index.html
echo "SwiftPM client built IBPlane $version by URL and version and ran the README example ($((SECONDS - start)) s)"
