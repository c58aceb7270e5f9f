import Foundation
import IBPlaneNumerics

/// A compressor C for lossy-compressed MI (`LossyCompressedMI`): maps the N × d rows of a
/// variable to N × m codes. Conform to plug in a compressor from outside IBPlane (IBTrain's
/// `AutoencoderCompressor`), and register it by name with
/// `LossyCompressedMI.registerCompressor(name:factory:)` so that `Compressor.named(_:)`, the
/// estimator catalog and `ibplane analyze` specifications (`lossy:compress=NAME`) find it.
public protocol LossyCompressor: Sendable {
  /// The name recorded as the estimate's `parameters["compressor"]` and accepted by
  /// `LossyCompressedMI.Compressor.named(_:)`.
  var name: String { get }
  /// Hyper-parameters recorded in every estimate's `parameters` (e.g. `epochs`), and part of
  /// the identity of the compressor (`Compressor.==`, cache keys). Default: none.
  var parameters: [String: String] { get }
  /// Whether `compress` makes random choices (then the estimate records the seed). Default true.
  var usesSeed: Bool { get }
  /// Quality figures recorded when a variable has at most `latent` columns and is used as is
  /// (no compression). Default: none.
  var identityQuality: [String: Double] { get }

  /// Compresses the rows of `data` (N × d, d > `latent`, finite) to N × `latent` codes.
  /// Generic over the storage type so that Float activations need no Double copy (and PCA
  /// computes exactly as before the protocol existed).
  /// Every random choice takes `seed`: the same data and seed give the same codes.
  /// `quality` holds figures of merit (e.g. `explained_variance`, `reconstruction_error`);
  /// the estimator records each as `diagnostics["<key>_<side>"]`, side x, y, t.
  func compress<S: BLASScalar>(_ data: Matrix<S>, latent: Int, seed: UInt64) throws -> LossyCompression
}

extension LossyCompressor {
  public var parameters: [String: String] { [:] }
  public var usesSeed: Bool { true }
  public var identityQuality: [String: Double] { [:] }
}

/// The codes of one variable and the compressor's quality figures.
public struct LossyCompression: Sendable, Equatable {
  public var code: Matrix<Double>
  public var quality: [String: Double]

  public init(code: Matrix<Double>, quality: [String: Double] = [:]) {
    self.code = code
    self.quality = quality
  }
}

/// PCA to m components (LAPACK, `PrincipalComponents`): the built-in compressor `pca`.
/// Deterministic (no seed); quality `explained_variance` (the kept variance ratio).
public struct PCACompressor: LossyCompressor {
  public init() {}
  public var name: String { "pca" }
  public var usesSeed: Bool { false }
  public var identityQuality: [String: Double] { ["explained_variance": 1] }

  public func compress<S: BLASScalar>(_ data: Matrix<S>, latent: Int, seed: UInt64) throws -> LossyCompression {
    let pca = try PrincipalComponents(fitting: data, components: latent)
    return LossyCompression(code: try pca.project(data), quality: ["explained_variance": pca.explainedVarianceRatio])
  }
}

/// A name → factory table of compressors. `shared` is the process-wide one behind
/// `LossyCompressedMI.registerCompressor(name:factory:)` and `Compressor.named(_:)`; separate
/// instances let tests check lookups without touching it. Thread-safe (one lock).
// @unchecked Sendable: its one mutable field is read and written only under `lock`.
public final class LossyCompressorRegistry: @unchecked Sendable {
  /// The process-wide registry.
  public static let shared = LossyCompressorRegistry()
  private let lock = NSLock()
  private var factories: [String: @Sendable () -> any LossyCompressor] = [:]

  /// An empty registry (only the built-in `pca` resolves).
  public init() {}

  /// Registers `factory` under `name`, replacing an earlier registration of that name.
  public func register(name: String, factory: @escaping @Sendable () -> any LossyCompressor) {
    lock.lock()
    defer { lock.unlock() }
    factories[name] = factory
  }

  /// Removes a registration; unknown names are ignored.
  public func unregister(name: String) {
    lock.lock()
    defer { lock.unlock() }
    factories[name] = nil
  }

  func factory(_ name: String) -> (@Sendable () -> any LossyCompressor)? {
    lock.lock()
    defer { lock.unlock() }
    return factories[name]
  }

  /// The accepted names: `pca`, then the registered ones, sorted.
  public var names: [String] {
    lock.lock()
    defer { lock.unlock() }
    return ["pca"] + factories.keys.filter { $0 != "pca" }.sorted()
  }
}

extension LossyCompressedMI {
  /// Makes `Compressor.named(name)` (and so `--compress NAME`, `lossy:compress=NAME`) build the
  /// compressor `factory` returns, process-wide (`LossyCompressorRegistry.shared`). Registering
  /// a name again replaces its factory. The built-in `pca` is looked up first and cannot be replaced.
  public static func registerCompressor(name: String, factory: @escaping @Sendable () -> any LossyCompressor) {
    LossyCompressorRegistry.shared.register(name: name, factory: factory)
  }

  /// The compressor names the process accepts: `pca`, then the registered ones, sorted.
  public static var compressorNames: [String] { LossyCompressorRegistry.shared.names }
}
