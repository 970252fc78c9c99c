import SlimTensor

/// SGD with momentum (Fluid `momentum`), velocity in state `<param>_velocity_0`:
///
///     v = mu * v + g
///     w -= lr * v                  (plain)
///     w -= lr * (g + mu * v)       (Nesterov)
public struct Momentum: Optimizer {
    public let momentum: Float
    public let useNesterov: Bool
    public let regularization: L2Decay?

    public init(momentum: Float = 0.9, useNesterov: Bool = false, regularization: L2Decay? = nil) {
        self.momentum = momentum
        self.useNesterov = useNesterov
        self.regularization = regularization
    }

    /// The state name of a parameter's velocity.
    public static func velocityName(_ param: String) -> String { "\(param)_velocity_0" }

    public func step(params: inout [String: Tensor], grads: [String: Tensor], state: inout [String: Tensor], lr: Float) {
        let mu = momentum, nesterov = useNesterov
        OptimizerSupport.forEachUpdate(params: &params, grads: grads, regularization: regularization) { name, param, grad in
            let key = Self.velocityName(name)
            var velocity = OptimizerSupport.stateTensor(&state, key, shape: param.shape)
            state[key] = nil
            velocity.withUnsafeMutableFloats { v in
                param.withUnsafeMutableFloats { w in
                    grad.withUnsafeFloats { g in
                        for i in w.indices {
                            v[i] = mu * v[i] + g[i]
                            w[i] -= nesterov ? lr * (g[i] + mu * v[i]) : lr * v[i]
                        }
                    }
                }
            }
            state[key] = velocity
        }
    }
}
