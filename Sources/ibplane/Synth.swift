import ArgumentParser

struct Synth: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Sample a synthetic task whose mutual information is known in closed form.")
  func run() throws { throw BadInput("synth is not implemented yet") }
}
