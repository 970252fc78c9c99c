import SlimTensor

/// Plain stochastic gradient descent (Fluid `sgd`): `w -= lr * g`.
public struct SGD: Optimizer {
    public let regularization: L2Decay?

    public init(regularization: L2Decay? = nil) {
        self.regularization = regularization
    }

    public func step(params: inout [String: Tensor], grads: [String: Tensor], state: inout [String: Tensor], lr: Float) {
        OptimizerSupport.forEachUpdate(params: &params, grads: grads, regularization: regularization) { _, param, grad in
            param.withUnsafeMutableFloats { w in
                grad.withUnsafeFloats { g in
                    for i in w.indices { w[i] -= lr * g[i] }
                }
            }
        }
    }
}
