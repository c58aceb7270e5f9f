import Foundation

// Each benchmark is a subcommand: `ibplane-bench <name> [options]`.
let benchArguments = Array(CommandLine.arguments.dropFirst())
do {
  switch benchArguments.first {
  case "binning-kde": try BinningKDEBench.run(benchArguments)
  default: print("usage: ibplane-bench binning-kde --data DIR [--snapshots S] [--kde-snapshots K]")
  }
} catch {
  FileHandle.standardError.write(Data("error: \(error)\n".utf8))
  exit(1)
}
