import IBPlane

/// What the network is trained to produce for each sample.
public enum TrainingTargets<S: TrainScalar>: Sendable {
  /// One class index per sample, in 0..<classCount.
  case classes([Int], classCount: Int)
  /// A target vector per sample (regression, autoencoders), N × outputWidth.
  case values(Matrix<S>)

  public var count: Int {
    switch self {
    case .classes(let c, _): return c.count
    case .values(let m): return m.rows
    }
  }

  /// The targets of the samples at `indices`, in that order.
  public func selecting(_ indices: [Int]) -> TrainingTargets {
    switch self {
    case .classes(let c, let k): return .classes(indices.map { c[$0] }, classCount: k)
    case .values(let m): return .values(m.selectingRows(indices))
    }
  }
}

/// A training loss over a batch of B samples, with its gradient with respect to the output layer.
///
/// - `softmaxCrossEntropy`: L = −(1/B) Σ_i log softmax(z_i)_{y_i} over the output layer's logits z
///   (the output layer must be linear); ∂L/∂z = (softmax(z) − onehot(y)) / B. Softmax is computed
///   with the row maximum subtracted, so large logits do not overflow.
/// - `meanSquaredError`: L = (1/(B·k)) Σ_i ‖a_i − t_i‖² over the k outputs a (Keras' `mse`);
///   ∂L/∂a = 2(a − t)/(B·k). Class targets are one-hot encoded.
///
/// Complexity: O(B·k).
public enum Loss: String, Sendable, CaseIterable, Codable {
  case softmaxCrossEntropy = "cross-entropy"
  case meanSquaredError = "mse"

  /// The batch loss (Double) and ∂L/∂output, where `output` is the output layer's activation.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public func evaluate<S: TrainScalar>(output: Matrix<S>, targets: TrainingTargets<S>) throws -> (
    value: Double, gradient: Matrix<S>
  ) {
    guard targets.count == output.rows else {
      throw NumericsError.shapeMismatch("\(output.rows) outputs but \(targets.count) targets")
    }
    let b = output.rows
    let k = output.columns
    var gradient = Matrix<S>(rows: b, columns: k)
    if b == 0 { return (0, gradient) }
    var total = 0.0
    switch self {
    case .softmaxCrossEntropy:
      guard case .classes(let labels, let classCount) = targets, classCount == k else {
        throw NumericsError.shapeMismatch("cross-entropy needs class labels for \(k) output units")
      }
      // One pass per row: m = max z, s = Σ exp(z − m); −log p_y = m + log s − z_y, and
      // p_j = exp(z_j − m)/s — no log of an underflowed probability.
      let scale = 1 / S(b)
      output.elements.withUnsafeBufferPointer { z in
        gradient.elements.withUnsafeMutableBufferPointer { g in
          for i in 0..<b {
            let y = labels[i]
            var m = -S.infinity
            for j in 0..<k { m = Swift.max(m, z[i * k + j]) }
            var sum: S = 0
            for j in 0..<k {
              let e = S._exp(z[i * k + j] - m)
              g[i * k + j] = e
              sum += e
            }
            total += Double(m + S._log(sum) - z[i * k + y])
            let r = scale / sum
            for j in 0..<k { g[i * k + j] *= r }
            g[i * k + y] -= scale
          }
        }
      }
      return (total / Double(b), gradient)
    case .meanSquaredError:
      let t: Matrix<S>
      switch targets {
      case .values(let m):
        guard m.columns == k else {
          throw NumericsError.shapeMismatch("targets have \(m.columns) columns but the output layer has \(k)")
        }
        t = m
      case .classes(let labels, let classCount):
        guard classCount == k else {
          throw NumericsError.shapeMismatch("\(classCount) classes but the output layer has \(k) units")
        }
        t = Loss.oneHot(labels, classCount: k, as: S.self)
      }
      let scale = 2 / S(b * k)
      output.elements.withUnsafeBufferPointer { a in
        t.elements.withUnsafeBufferPointer { t in
          gradient.elements.withUnsafeMutableBufferPointer { g in
            for i in 0..<(b * k) {
              let d = a[i] - t[i]
              total += Double(d) * Double(d)
              g[i] = scale * d
            }
          }
        }
      }
      return (total / Double(b * k), gradient)
    }
  }

  /// Row-wise softmax of logits, with the row maximum subtracted before exponentiating.
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  public static func softmax<S: TrainScalar>(_ z: Matrix<S>) -> Matrix<S> {
    var out = z
    let k = z.columns
    out.elements.withUnsafeMutableBufferPointer { p in
      for i in 0..<z.rows {
        var m = -S.infinity
        for j in 0..<k { m = Swift.max(m, p[i * k + j]) }
        var s: S = 0
        for j in 0..<k {
          let e = S._exp(p[i * k + j] - m)
          p[i * k + j] = e
          s += e
        }
        for j in 0..<k { p[i * k + j] /= s }
      }
    }
    return out
  }

  static func oneHot<S: TrainScalar>(_ labels: [Int], classCount k: Int, as: S.Type) -> Matrix<S> {
    var m = Matrix<S>(rows: labels.count, columns: k)
    for (i, y) in labels.enumerated() { m.elements[i * k + y] = 1 }
    return m
  }
}
