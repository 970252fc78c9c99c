import SlimTensor

/// Adam with decoupled weight decay (Loshchilov & Hutter; Paddle `AdamW`): first
/// `w -= lr * weightDecay * w` for the parameters `decayApplies` accepts, then the `Adam`
/// update with the same state names.
public struct AdamW: Optimizer {
    public let adam: Adam
    public let weightDecay: Float
    public let decayApplies: (String) -> Bool

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01,
                decayApplies: @escaping (String) -> Bool = { _ in true }) {
        adam = Adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
        self.weightDecay = weightDecay
        self.decayApplies = decayApplies
    }

    public func step(params: inout [String: Tensor], grads: [String: Tensor], state: inout [String: Tensor], lr: Float) {
        let decay = lr * weightDecay
        OptimizerSupport.forEachUpdate(params: &params, grads: grads, regularization: nil) { name, param, grad in
            if decay != 0 && decayApplies(name) {
                param.withUnsafeMutableFloats { w in
                    for i in w.indices { w[i] -= decay * w[i] }
                }
            }
            adam.update(name: name, param: &param, grad: grad, state: &state, lr: lr)
        }
    }
}
