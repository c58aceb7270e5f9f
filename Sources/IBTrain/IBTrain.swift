import IBPlane

/// IBTrain: the bundled fully-connected network trainer, which records its activations through
/// `IBPlane`'s public API.
public enum IBTrainVersion {
  public static let string = IBPlaneVersion.string
}
