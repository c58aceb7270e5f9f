import IBPlane

/// One pass of mini-batch gradient descent, shared by the classifier trainer and the autoencoder.
enum _MiniBatchLoop {
  /// Trains `network` for one epoch on `inputs`/`targets`, visiting samples in `order`, in
  /// batches of `batchSize` (the last batch may be smaller). Returns the mean batch loss and
  /// the number of correctly classified samples (class targets only).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  static func epoch<S: TrainScalar>(
    network: inout Network<S>, state: inout OptimizerState<S>, inputs: Matrix<S>, targets: TrainingTargets<S>,
    loss: Loss, batchSize: Int, learningRate: Double, l2: Double, order: [Int]
  ) throws -> (loss: Double, correct: Int) {
    var lossSum = 0.0
    var batches = 0
    var correct = 0
    var start = 0
    let fullBatch = batchSize >= order.count && order == Array(0..<order.count)
    while start < order.count {
      let end = Swift.min(start + batchSize, order.count)
      let x: Matrix<S>
      let t: TrainingTargets<S>
      if fullBatch {
        (x, t) = (inputs, targets)
      } else {
        let idx = Array(order[start..<end])
        (x, t) = (inputs.selectingRows(idx), targets.selecting(idx))
      }
      let pass = try network.forward(x)
      let (value, gradient) = try loss.evaluate(output: pass.output, targets: t)
      if case .classes(let labels, _) = t { correct += countCorrect(pass.output, labels) }
      let gradients = try network.backward(input: x, pass: pass, outputGradient: gradient, l2: S(l2))
      state.apply(gradients, to: &network, learningRate: learningRate)
      lossSum += value
      batches += 1
      start = end
    }
    return (batches > 0 ? lossSum / Double(batches) : 0, correct)
  }

  /// Samples whose arg-max output equals the label (ties go to the lower index).
  @_specialize(exported: true, where S == Float)
  @_specialize(exported: true, where S == Double)
  static func countCorrect<S: TrainScalar>(_ output: Matrix<S>, _ labels: [Int]) -> Int {
    var correct = 0
    let k = output.columns
    output.elements.withUnsafeBufferPointer { p in
      for i in 0..<output.rows {
        var best = 0
        for j in 1..<Swift.max(k, 1) where p[i * k + j] > p[i * k + best] { best = j }
        if best == labels[i] { correct += 1 }
      }
    }
    return correct
  }
}
