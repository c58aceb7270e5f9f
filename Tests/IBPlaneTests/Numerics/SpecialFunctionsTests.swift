import Testing
import IBPlane

@Suite struct SpecialFunctionsTests {
  @Test func digammaKnownValues() throws {
    let eulerGamma = 0.57721566490153286
    #expect(abs(try SpecialFunctions.digamma(1) + eulerGamma) < 1e-14)
    #expect(abs(try SpecialFunctions.digamma(0.5) - (-eulerGamma - 2 * _math_log(2))) < 1e-13)
    // ψ(n) = H_{n-1} − γ
    var harmonic = 0.0
    for k in 1..<10 { harmonic += 1 / Double(k) }
    #expect(abs(try SpecialFunctions.digamma(10) - (harmonic - eulerGamma)) < 1e-13)
    #expect(abs(try SpecialFunctions.digamma(10.0) - (harmonic - eulerGamma)) < 1e-13)
  }

  @Test func digammaPoleThrowsInsteadOfAborting() {
    #expect(throws: NumericsError.self) { try SpecialFunctions.digamma(-1.0) }
    #expect(throws: NumericsError.self) { try SpecialFunctions.digamma(0) }
  }

  @Test func logGammaKnownValues() throws {
    #expect(abs(try SpecialFunctions.logGamma(5) - _math_log(24)) < 1e-13)
    #expect(abs(try SpecialFunctions.logGamma(0.5) - 0.5 * _math_log(Double.pi)) < 1e-14)
    #expect(throws: NumericsError.self) { try SpecialFunctions.logGamma(-2) }
  }

  @Test func normalCDFAndBallVolume() throws {
    #expect(abs(SpecialFunctions.normalCDF(0) - 0.5) < 1e-15)
    #expect(abs(SpecialFunctions.normalCDF(1.959963984540054) - 0.975) < 1e-12)
    // Unit disc area π, unit ball volume 4π/3.
    #expect(abs(try SpecialFunctions.logUnitBallVolume(dimension: 2, euclidean: true) - _math_log(Double.pi)) < 1e-13)
    #expect(abs(try SpecialFunctions.logUnitBallVolume(dimension: 3, euclidean: true) - _math_log(4 * Double.pi / 3)) < 1e-13)
    #expect(abs(try SpecialFunctions.logUnitBallVolume(dimension: 3, euclidean: false) - _math_log(8)) < 1e-13)
  }
}
