/// The role of one sample in the run that produced a recording.
public enum SampleRole: Character, Sendable, CaseIterable {
  /// Trained on.
  case train = "T"
  /// Held out (test / evaluation).
  case test = "E"
  /// Neither (e.g. a validation set the recording does not distinguish).
  case unused = "U"

  public var name: String {
    switch self {
    case .train: "train"
    case .test: "test"
    case .unused: "unused"
    }
  }
}

/// A per-sample train/test split, stored in the header key `split` of `activations.bin` as one
/// character per sample (`T` train, `E` test, `U` unused; `docs/activations-format.md`). It lives
/// in the JSON header, not in a new block, so files with a split stay readable by older readers
/// (which ignore unknown keys and see "all samples") and the header CRC covers it.
public struct SampleSplit: Sendable, Equatable {
  public let roles: [SampleRole]

  public init(roles: [SampleRole]) { self.roles = roles }

  /// Sample i is `.train` when i is in `train`, `.test` when in `test`, else `.unused`; an index
  /// outside 0..<count or in both lists is refused.
  public init(count: Int, train: [Int], test: [Int]) throws {
    var roles = [SampleRole](repeating: .unused, count: count)
    for (list, role) in [(train, SampleRole.train), (test, .test)] {
      for i in list {
        guard i >= 0, i < count else {
          throw RecordingError.shapeMismatch(file: "(split)", field: "split", expected: "sample indices in 0..<\(count), got \(i)")
        }
        guard roles[i] == .unused else {
          throw RecordingError.shapeMismatch(file: "(split)", field: "split", expected: "each sample in at most one of train and test; \(i) is in both")
        }
        roles[i] = role
      }
    }
    self.roles = roles
  }

  public var count: Int { roles.count }

  /// The indices of the samples with `role`, in increasing order.
  public func indices(of role: SampleRole) -> [Int] {
    roles.indices.filter { roles[$0] == role }
  }

  /// How many samples have `role`.
  public func count(of role: SampleRole) -> Int { roles.reduce(0) { $0 + ($1 == role ? 1 : 0) } }

  /// The header text: one character per sample.
  var encoded: String { String(roles.map(\.rawValue)) }

  /// Decodes the header text; the error names the file, the field `split[i]` and what was expected.
  static func decode(_ text: String, sampleCount: Int, file: String) throws -> SampleSplit {
    func bad(_ f: String, _ e: String) -> RecordingError { .invalidHeader(file: file, field: f, expected: e) }
    var roles: [SampleRole] = []
    roles.reserveCapacity(sampleCount)
    for (i, c) in text.enumerated() {
      guard roles.count < sampleCount else { break }
      guard let r = SampleRole(rawValue: c) else {
        throw bad("split[\(i)]", "'T' (train), 'E' (test) or 'U' (unused), got '\(c)'")
      }
      roles.append(r)
    }
    let length = text.count
    guard length == sampleCount else {
      throw bad("split", "one character per sample (\(sampleCount)), got \(length)")
    }
    return SampleSplit(roles: roles)
  }
}
