import IBPlane

/// `m` with every element multiplied by `s` (one rounding per element): the rescaled copies of
/// the scale-invariance and extreme-scale tests.
package func scaled(_ m: Matrix<Double>, _ s: Double) -> Matrix<Double> {
  var out = m
  for k in out.elements.indices { out.elements[k] *= s }
  return out
}
