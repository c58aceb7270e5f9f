import IBPlaneNumerics
/// A variable as the kernel estimators compute with it: its rows times 2^exponent, so that
/// squared distances stay finite and normal in the tiles whatever the data's units.
///
/// A Gaussian kernel exp(−‖u − v‖²/2σ²) is unchanged when the data and σ are multiplied by the
/// same factor; with a power of two the products are exact (`_PowerOfTwo`), so the kernel
/// values, and every estimate built from them, are those of the data in its own units. The
/// exponent is 0 (no copy, nothing changes) unless the largest |value| is outside the type's
/// safe range, 2^±250 for Double and 2^±30 for Float — X × 1e300 would otherwise give
/// D = ∞ − ∞ = NaN in the tiles, and X × 1e−300 a width whose square underflows.
///
/// Widths enter in the data's units and are converted exactly (`framed(width:)`); a rule
/// (median, Silverman, Scott) computes its width on the framed data directly
/// (`KernelWidthRule.framedWidth`). γ = 1/(2σ′²) is clamped to [2^−1000, 2^996]
/// (`_KernelFrame.gamma`), so a width far below or above the data's spread gives the limiting
/// kernel (identity: every off-diagonal term exp(−γD) = 0; or all ones) instead of ∞·0 = NaN;
/// the clamp never acts on ordinary widths, and 2^996 leaves room for the powers up to 16 of
/// the KDE engine.
struct _KernelFrame<S: BLASScalar> {
  let data: Matrix<S>
  let exponent: Int

  /// `m` framed on its own, or with the exponent of another frame (variables that meet in one
  /// kernel — the two sets of a divergence — must share it).
  init(_ m: Matrix<S>, exponent: Int? = nil) {
    let e = exponent ?? _PowerOfTwo.exponent(of: m)
    self.data = _PowerOfTwo.scaled(m, by: e)
    self.exponent = e
  }

  /// A width (or any length) in the data's units, in the frame's.
  func framed(width sigma: Double) -> Double { _PowerOfTwo.scaled(sigma, exponent) }

  /// A framed width back in the data's units (±∞ or 0 only for data within a factor ~2^±52
  /// of the largest or smallest double).
  func unframed(width sigma: Double) -> Double { _PowerOfTwo.scaled(sigma, -exponent) }

  /// A variance (squared length) in the data's units, in the frame's.
  func framed(variance v: Double) -> Double { _PowerOfTwo.scaled(v, 2 * exponent) }

  /// γ = 1/(2σ′²) of a framed width σ′, clamped (see the type's notes).
  static func gamma(framedWidth sigma: Double) -> Double { clamped(1 / (2 * sigma * sigma)) }

  /// γ clamped to [2^−1000, 2^996]: finite and positive, so γ·D is never NaN.
  static func clamped(_ gamma: Double) -> Double {
    Swift.min(Swift.max(gamma, 0x1p-1000), 0x1p996)
  }

  /// γ of a width given in the data's units.
  func gamma(width sigma: Double) -> Double { Self.gamma(framedWidth: framed(width: sigma)) }
}
