// The spectrum methods of `MatrixRenyiMutualInformation` as the command line names them.

extension MatrixRenyiMutualInformation {
  /// How the spectrum is obtained when α ≠ 2.
  public enum Approximation: Sendable, Equatable, CustomStringConvertible {
    /// Exact when N ≤ `exactLimit`, exact in single precision when N ≤ `exactFloat32Limit`,
    /// otherwise `slq` with its default probes and steps (Nyström with 1,000 landmarks before;
    /// it missed a third of the trace on 10-d data at N = 8,192, see the type notes).
    case automatic
    case exact
    /// Exact spectrum of the single-precision Gram matrix (`ssyevd_2stage`): half the memory,
    /// faster than `exact` (docs/performance.md), I_α within ~1e-4 nats of it (see the type notes).
    case exactFloat32
    case nystrom(landmarks: Int)
    case subsample(size: Int, repeats: Int)
    /// Deflated stochastic Lanczos quadrature with p Rademacher probes and m Lanczos steps
    /// each (see the type notes): O(N²·(p·m + deflation)) time, no eigen-decomposition of A.
    case slq(probes: Int, steps: Int)

    /// Parses `auto`, `exact`, `nystrom:M`, `subsample:M`, `subsample:M:R` (R defaults to 5)
    /// or `slq`, `slq:P`, `slq:P:M` (defaults `slqDefaultProbes`, `slqDefaultSteps`).
    /// Only the syntax is checked here; `MatrixRenyiMutualInformation` refuses M and R outside
    /// `EstimatorParameterRange.landmarks`, `.subsampleSize` and `.subsampleRepeats`.
    public init?(parsing text: String) {
      let parts = text.lowercased().split(separator: ":").map(String.init)
      switch parts.first {
      case "auto" where parts.count == 1: self = .automatic
      case "exact" where parts.count == 1: self = .exact
      case "exact-float32" where parts.count == 1: self = .exactFloat32
      case "nystrom" where parts.count == 2:
        guard let m = Int(parts[1]), m >= 2 else { return nil }
        self = .nystrom(landmarks: m)
      case "subsample" where parts.count == 2 || parts.count == 3:
        guard let m = Int(parts[1]), m >= 2 else { return nil }
        let r = parts.count == 3 ? Int(parts[2]) : 5
        guard let repeats = r, repeats >= 1 else { return nil }
        self = .subsample(size: m, repeats: repeats)
      case "slq" where parts.count <= 3:
        let numbers = parts.dropFirst().compactMap { Int($0) }.filter { $0 >= 1 }
        guard numbers.count == parts.count - 1 else { return nil }
        let probes = numbers.first ?? MatrixRenyiMutualInformation.slqDefaultProbes
        let steps = numbers.count > 1 ? numbers[1] : MatrixRenyiMutualInformation.slqDefaultSteps
        self = .slq(probes: probes, steps: steps)
      default: return nil
      }
    }

    public var description: String {
      switch self {
      case .automatic: return "auto"
      case .exact: return "exact"
      case .exactFloat32: return "exact-float32"
      case .nystrom(let m): return "nystrom:\(m)"
      case .subsample(let m, let r): return "subsample:\(m):\(r)"
      case .slq(let p, let m): return "slq:\(p):\(m)"
      }
    }
  }
}
