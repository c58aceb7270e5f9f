/// ibplane: information-plane analysis of neural networks.
///
/// Estimates mutual information between a layer's activations T, the network's input X
/// and the label Y. Values are computed in nats; `Unit` converts them for people, who read
/// bits by default.
public enum IBPlaneVersion {
  public static let string = "0.1.0"
}

/// The unit of an information quantity.
public enum InformationUnit: String, Sendable, Codable, CaseIterable {
  case bits
  case nats

  /// Converts a value in nats to this unit.
  public func fromNats(_ nats: Double) -> Double {
    switch self {
    case .nats: return nats
    case .bits: return nats / 0.6931471805599453
    }
  }
}
