import ArgumentParser

struct Estimate: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Estimate I(X;Y) between two .npy arrays.")
  func run() throws { throw BadInput("estimate is not implemented yet") }
}
