import SlimTensor

/// Eval-mode convolution: oneDNN's forward_inference primitive with the weights kept packed
/// across runs (`InferenceWeights`, in the op's memo), and the forms the executor's inference
/// fusion gives it (`OpFusion`, eval runs only):
///
/// - a following `batch_norm` folded in, from the inputs `BatchNormScale`, `BatchNormBias`,
///   `BatchNormMean`, `BatchNormVariance` [O] and attr `batch_norm_epsilon`:
///   `s = Scale / sqrt(Variance + epsilon)`, `Filter'[o] = Filter[o] * s[o]`,
///   `Bias'[o] = (Bias[o] - Mean[o]) * s[o] + BatchNormBias[o]` (`Bias` 0 when absent), which is
///   the batch norm of the convolution with running statistics, up to float rounding;
/// - a following residual `elementwise_add` of a same-shaped value, from the input `ResidualData`:
///   added to the result in the same primitive (a sum post-op), before the activation;
/// - attr `fuse_activation` (`relu`, `leaky_relu` with `fuse_alpha`, `relu6`, `hard_swish`): applied to the result in
///   the same primitive (an eltwise post-op).
///
/// The folded and packed weights are made again whenever one of the tensors they come from is not
/// the same storage as in the run that made them (see `InferenceWeights`).
extension ConvolutionOperator {
    static func inferenceForward(_ context: OpContext, memo: ConvolutionMemo, x: Tensor, w: Tensor, b: Tensor?, geometry g: ConvGeometry) throws {
        let weights = memo.weights
        var held = weights.holds(sourceCount: 1 + (b == nil ? 0 : 1) + (memo.batchNorm == nil ? 0 : 4)) && weights.isSource(0, w)
        if held, let b { held = weights.isSource(1, b) }
        if let norm = memo.batchNorm {
            let channels = w.shape[0], first = b == nil ? 1 : 2
            for i in norm.indices {
                let t = try context.floatInput(at: norm[i], slot: ConvolutionSlots.batchNorm[i])
                guard t.shape.count == 1, t.shape[0] == channels else {
                    throw GraphError("op '\(context.op.type)': \(ConvolutionSlots.batchNorm[i]) has shape \(t.shape), expected [\(channels)]")
                }
                if held { held = weights.isSource(first + i, t) }
            }
        }
        if !held {
            let sources = [w] + (b.map { [$0] } ?? [])
            if let norm = memo.batchNorm {
                let n = try zip(norm, ConvolutionSlots.batchNorm).map { try context.floatInput(at: $0, slot: $1) }
                let epsilon = Float(context.op.float("batch_norm_epsilon", default: 1e-5))
                let folded = foldBatchNorm(w, bias: b, scale: n[0], shift: n[1], mean: n[2], variance: n[3], epsilon: epsilon)
                weights.hold(filter: folded.filter, bias: folded.bias, madeFrom: sources + n)
            } else {
                weights.hold(filter: w, bias: b, madeFrom: sources)
            }
        }
        var residual: Tensor?
        if let position = memo.residual {
            let shape = try context.floatInput(at: position, slot: ConvolutionSlots.residual).shape
            let expected = [x.shape[0], w.shape[0], try g.outputSize(x.shape[2], kernel: w.shape[2], dim: 0, op: context.op),
                            try g.outputSize(x.shape[3], kernel: w.shape[3], dim: 1, op: context.op)]
            guard shape == expected else {
                throw GraphError("op '\(context.op.type)': \(ConvolutionSlots.residual) has shape \(shape), expected the output's \(expected)")
            }
            // Handed over: when this op is the shortcut's last reader the sum is written over it.
            residual = position.flatMap { context.takeInput(at: $0) }
        }
        let y = Kernels.conv2dInference(x, weights: weights, geometry: g, activation: try memo.activation.get(), residual: consume residual)
        memo.setOutput(context, y)
    }


    /// Filter and bias of the convolution followed by a batch norm with running statistics.
    static func foldBatchNorm(_ w: Tensor, bias b: Tensor?, scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor,
                              epsilon: Float) -> (filter: Tensor, bias: Tensor) {
        let o = w.shape[0], per = w.count / max(o, 1)
        let (sc, sh, mu, va) = (scale.floats, shift.floats, mean.floats, variance.floats)
        let bias = b?.floats ?? [Float](repeating: 0, count: o)
        var filter = w.reshaped(w.shape)
        var folded = [Float](repeating: 0, count: o)
        filter.withUnsafeMutableFloats { f in
            for c in 0..<o {
                let s = sc[c] / (va[c] + epsilon).squareRoot()
                for i in c * per..<(c + 1) * per { f[i] *= s }
                folded[c] = (bias[c] - mu[c]) * s + sh[c]
            }
        }
        return (filter, Tensor(shape: [o], floats: folded))
    }
}

extension OpDesc {
    /// The activation of attr `fuse_activation` (an eval run's fused convolution or fully
    /// connected layer), nil when absent.
    func fusedActivation() throws -> EltwiseKind? {
        switch string("fuse_activation", default: "") {
        case "": return nil
        case "relu": return .relu
        case "leaky_relu": return .leakyRelu(alpha: Float(float("fuse_alpha", default: 0.02)))
        case "relu6": return .relu6
        case "hard_swish": return .hardSwish
        case let other:
            throw GraphError("op '\(type)': fuse_activation '\(other)' is not supported", hints: ["relu, leaky_relu, relu6 or hard_swish"])
        }
    }
}
