import CNative

/// A seeded pseudo-random source: GSL's Mersenne Twister (`gsl_rng_mt19937`) and GSL's samplers.
///
/// Same seed → the same stream on every run and machine (GSL's generators and samplers are
/// portable C). Not thread-safe: give each parallel worker its own source, seeded from
/// `derivedSeed(_:)`.
public final class RandomSource {
  private let rng: OpaquePointer
  /// The seed this source started from.
  public let seed: UInt64

  /// The corresponding C functions are `gsl_rng_alloc` and `gsl_rng_set`.
  public init(seed: UInt64) {
    NativeRuntime.ensureInitialised()
    guard let r = gsl_rng_alloc(ibp_rng_mt19937()) else {
      preconditionFailure("gsl_rng_alloc failed: out of memory")
    }
    self.rng = OpaquePointer(r)
    self.seed = seed
    // mt19937 takes an unsigned long; fold 64 bits into it so every seed is distinct in practice.
    gsl_rng_set(UnsafeMutablePointer(rng), UInt(truncatingIfNeeded: seed ^ (seed >> 32) &* 0x9E37_79B9))
  }

  deinit { gsl_rng_free(UnsafeMutablePointer(rng)) }

  private var ptr: UnsafeMutablePointer<gsl_rng> { UnsafeMutablePointer(rng) }

  /// A seed for a child stream, a deterministic function of this source's seed and `index`
  /// (SplitMix64 finaliser), so parallel workers get independent, reproducible streams.
  public func derivedSeed(_ index: Int) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: index &+ 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform on [0, 1). The corresponding C function is `gsl_rng_uniform`.
  public func uniform() -> Double { gsl_rng_uniform(ptr) }

  /// Uniform on [a, b).
  public func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * gsl_rng_uniform(ptr) }

  /// Uniform integer in 0..<n. The corresponding C function is `gsl_rng_uniform_int`.
  public func integer(below n: Int) -> Int {
    precondition(n > 0 && n <= Int(UInt32.max), "integer(below:) needs 0 < n ≤ 2³²−1")
    return Int(gsl_rng_uniform_int(ptr, UInt(n)))
  }

  /// Standard normal N(0, 1). The corresponding C function is `gsl_ran_gaussian_ziggurat`.
  public func normal() -> Double { gsl_ran_gaussian_ziggurat(ptr, 1) }

  /// N(mean, sd²).
  public func normal(mean: Double, standardDeviation: Double) -> Double {
    mean + gsl_ran_gaussian_ziggurat(ptr, standardDeviation)
  }

  /// Chi-square with ν degrees of freedom. The corresponding C function is `gsl_ran_chisq`.
  public func chiSquare(degreesOfFreedom nu: Double) -> Double { gsl_ran_chisq(ptr, nu) }

  /// Student-t with ν degrees of freedom. The corresponding C function is `gsl_ran_tdist`.
  public func studentT(degreesOfFreedom nu: Double) -> Double { gsl_ran_tdist(ptr, nu) }

  /// Bernoulli(p) as 0/1. The corresponding C function is `gsl_ran_bernoulli`.
  public func bernoulli(_ p: Double) -> Int { Int(gsl_ran_bernoulli(ptr, p)) }

  /// A uniformly random permutation of 0..<n (Fisher–Yates on `integer(below:)`).
  public func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      p.swapAt(i, integer(below: i + 1))
    }
    return p
  }

  /// A matrix of i.i.d. standard normals.
  public func normalMatrix(rows: Int, columns: Int) -> Matrix<Double> {
    var m = Matrix<Double>(rows: rows, columns: columns)
    for i in 0..<m.elements.count { m.elements[i] = normal() }
    return m
  }
}
