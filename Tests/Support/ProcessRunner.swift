import Foundation

/// What a finished child process left: its exit status (or the signal that ended it) and its
/// whole stdout and stderr.
package struct ProcessResult: Sendable {
  package var status: Int32
  /// True when a signal ended the process; `status` is then the signal number.
  package var signalled: Bool
  package var stdout: String
  package var stderr: String
}

/// The child did not finish within its time limit (it has been killed).
package struct ProcessTimeout: Error, CustomStringConvertible {
  package var command: [String]
  package var seconds: Double
  package var stderr: String
  package var description: String {
    "\(command.joined(separator: " ")) did not finish within \(seconds) s and was killed; stderr: \(stderr.suffix(2000))"
  }
}

/// A started child process whose stdout and stderr are drained on background threads from the
/// start, so that neither pipe can fill up and block it however much it prints; the tests that
/// kill a process at a chosen moment use `pid`/`isRunning`/`signal`, the others `runProcess`.
package final class ChildProcess: @unchecked Sendable {
  // @unchecked: `process` is only started here and then read (isRunning, pid, status) from any
  // thread, which Foundation's Process allows; the captured bytes sit behind `lock`.
  private let process = Process()
  private let command: [String]
  private let lock = NSLock()
  private var output = Data(), errors = Data()
  private let drained = DispatchGroup()
  private let exited = DispatchSemaphore(value: 0)

  /// How long `wait()` lets a child run by default: far above any test's run time on a busy
  /// debug build, so only a hang reaches it.
  package static let defaultTimeout: Double = 900

  /// Starts `executable` with `arguments`; `environment` replaces the test process's own when
  /// given; `stdin` is written to the child's standard input, which is then closed (without it the
  /// child reads end-of-file at once).
  package init(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
    stdin: Data? = nil
  ) throws {
    command = [executable.path] + arguments
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let exited = self.exited
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    drain(out.fileHandleForReading) { me, data in me.output = data }
    drain(err.fileHandleForReading) { me, data in me.errors = data }
    let writer = input.fileHandleForWriting
    DispatchQueue.global().async {
      if let stdin { try? writer.write(contentsOf: stdin) }  // EPIPE when the child does not read: ignored
      try? writer.close()
    }
  }

  private func drain(_ handle: FileHandle, _ store: @escaping @Sendable (ChildProcess, Data) -> Void) {
    drained.enter()
    DispatchQueue.global().async { [self] in
      let data = handle.readDataToEndOfFile()
      lock.lock()
      store(self, data)
      lock.unlock()
      drained.leave()
    }
  }

  package var pid: Int32 { process.processIdentifier }
  package var isRunning: Bool { process.isRunning }

  /// Sends `signal` (e.g. SIGKILL, SIGSTOP, SIGCONT); false when the process is already gone.
  @discardableResult
  package func signal(_ signal: Int32) -> Bool { kill(pid, signal) == 0 }

  /// Waits for the child to exit and for both pipes to reach end-of-file; after `timeout` seconds
  /// the child is killed and `ProcessTimeout` thrown.
  package func wait(timeout: Double = ChildProcess.defaultTimeout) throws -> ProcessResult {
    if exited.wait(timeout: .now() + timeout) == .timedOut {
      signal(SIGKILL)
      exited.wait()
      _ = drained.wait(timeout: .now() + 5)  // a grandchild may still hold the pipes open
      lock.lock()
      defer { lock.unlock() }
      throw ProcessTimeout(command: command, seconds: timeout, stderr: String(decoding: errors, as: UTF8.self))
    }
    exited.signal()  // so that a second wait() returns at once
    drained.wait()
    process.waitUntilExit()
    lock.lock()
    defer { lock.unlock() }
    return ProcessResult(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
      stdout: String(decoding: output, as: UTF8.self), stderr: String(decoding: errors, as: UTF8.self))
  }
}

/// Runs `executable` with `arguments` to completion (see `ChildProcess`) and returns its status
/// and output.
package func runProcess(
  _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: URL? = nil,
  stdin: Data? = nil, timeout: Double = ChildProcess.defaultTimeout
) throws -> ProcessResult {
  try ChildProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory, stdin: stdin)
    .wait(timeout: timeout)
}
