import Foundation
import SlimTensor

/// Adam (Fluid `adam`), state `<p>_moment1_0`, `<p>_moment2_0`, `<p>_beta1_pow_acc_0`,
/// `<p>_beta2_pow_acc_0` (the power accumulators start at `beta1`, `beta2`, i.e. `beta^t` at step t):
///
///     lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     w -= lr_t * m / (sqrt(v) + epsilon)
///     beta1^t *= beta1, beta2^t *= beta2
public struct Adam: Optimizer {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let regularization: L2Decay?

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, regularization: L2Decay? = nil) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.regularization = regularization
    }

    /// State names of parameter `p`: first and second moments, beta1 and beta2 power accumulators.
    public static func stateNames(_ p: String) -> (moment1: String, moment2: String, beta1Pow: String, beta2Pow: String) {
        ("\(p)_moment1_0", "\(p)_moment2_0", "\(p)_beta1_pow_acc_0", "\(p)_beta2_pow_acc_0")
    }

    public func step(params: inout [String: Tensor], grads: [String: Tensor], state: inout [String: Tensor], lr: Float) {
        OptimizerSupport.forEachUpdate(params: &params, grads: grads, regularization: regularization) { name, param, grad in
            update(name: name, param: &param, grad: grad, state: &state, lr: lr)
        }
    }

    /// One Adam update of one parameter (shared with `AdamW`).
    func update(name: String, param: inout Tensor, grad: Tensor, state: inout [String: Tensor], lr: Float) {
        let keys = Self.stateNames(name)
        var m1 = OptimizerSupport.stateTensor(&state, keys.moment1, shape: param.shape)
        var m2 = OptimizerSupport.stateTensor(&state, keys.moment2, shape: param.shape)
        let b1p = OptimizerSupport.stateTensor(&state, keys.beta1Pow, shape: [1], initial: beta1).floats[0]
        let b2p = OptimizerSupport.stateTensor(&state, keys.beta2Pow, shape: [1], initial: beta2).floats[0]
        state[keys.moment1] = nil
        state[keys.moment2] = nil
        let lrT = lr * (1 - b2p).squareRoot() / (1 - b1p)
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        m1.withUnsafeMutableFloats { m in
            m2.withUnsafeMutableFloats { v in
                param.withUnsafeMutableFloats { w in
                    grad.withUnsafeFloats { g in
                        for i in w.indices {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            w[i] -= lrT * m[i] / (v[i].squareRoot() + eps)
                        }
                    }
                }
            }
        }
        state[keys.moment1] = m1
        state[keys.moment2] = m2
        state[keys.beta1Pow] = Tensor(shape: [1], floats: [b1p * beta1])
        state[keys.beta2Pow] = Tensor(shape: [1], floats: [b2p * beta2])
    }
}
