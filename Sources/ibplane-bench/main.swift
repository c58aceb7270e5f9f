import Foundation

print("bench")
let benchArguments = Array(CommandLine.arguments.dropFirst())
if benchArguments.first == "recording-read" || benchArguments.isEmpty {
  do { try RecordingReadBenchmark.run(Array(benchArguments.dropFirst())) } catch {
    FileHandle.standardError.write(Data("recording-read failed: \(error)\n".utf8))
    exit(1)
  }
}
