import ArgumentParser
import Foundation
import IBPlane
import IBTrain

/// The `ibplane` command: a thin layer over the IBPlane library — parsing, progress and exit codes.
///
/// Exit codes: 0 success; 1 runtime failure; 2 bad usage or bad input; 130 interrupted (SIGINT).
/// Every error goes to stderr as one sentence starting `error: `, the parser's own included.
@main
struct IBPlaneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ibplane",
    abstract: "Measure what a neural network's layers know: mutual information and the information plane.",
    discussion: """
      Information quantities are printed in bits unless --unit nats is given.

      Examples:
        ibplane synth --list
        ibplane synth --task gaussian-dense-5 --n 10000 --seed 1 --out /tmp/g5
        ibplane estimate --estimator gaussian /tmp/g5/x.npy /tmp/g5/y.npy --json
      """,
    version: IBPlaneVersion.string,
    subcommands: CLISubcommands.all + [Render.self]
  )

  static func main() {
    // `--compress autoencoder` / `lossy:compress=autoencoder`: IBTrain's compressor, plugged into IBPlane.
    AutoencoderCompressor.register()
    do {
      var command = try parseAsRoot()
      // The library reads IBPLANE_THREADS as the default thread bound; a value it cannot use
      // is refused here (exit 2) instead of silently becoming the number of cores.
      _ = try Parallel.environmentThreads()
      try command.run()
    } catch {
      Foundation.exit(CLIFailure.report(error, command: IBPlaneCommand.self))
    }
  }
}
