import SlimTensor

/// Updates trainable parameters from their gradients, Paddle Fluid style.
///
/// Parameters without a gradient are left alone. Optimizer state (velocities, moments, power
/// accumulators) lives in `state` under Paddle's names (`<param>_velocity_0`, ...) so it is
/// checkpointed with the model; missing entries are created on the first step.
public protocol Optimizer {
    func step(params: inout [String: Tensor], grads: [String: Tensor], state: inout [String: Tensor], lr: Float)
}

/// Helpers shared by the optimizers.
enum OptimizerSupport {
    /// Calls `body` for every parameter that has a gradient, in name order, with the gradient
    /// after regularisation (`g + factor * w` when `L2Decay` applies to the parameter).
    static func forEachUpdate(params: inout [String: Tensor], grads: [String: Tensor], regularization: L2Decay?,
                              _ body: (String, inout Tensor, Tensor) -> Void) {
        for name in grads.keys.sorted() {
            guard var param = params[name], let grad = grads[name] else { continue }
            precondition(param.shape == grad.shape && param.dtype == .f32 && grad.dtype == .f32,
                         "gradient of \(name) is \(grad.dtype)\(grad.shape), parameter is \(param.dtype)\(param.shape)")
            let effective = regularization.map { $0.regularized(grad: grad, param: param, name: name) } ?? grad
            params[name] = nil  // keep the storage uniquely referenced while updating in place
            body(name, &param, effective)
            params[name] = param
        }
    }

    /// The state tensor `name`, created as `Tensor.filled(initial, shape:)` when missing.
    static func stateTensor(_ state: inout [String: Tensor], _ name: String, shape: [Int], initial: Float = 0) -> Tensor {
        if let existing = state[name] {
            precondition(existing.shape == shape && existing.dtype == .f32, "optimizer state \(name) has shape \(existing.shape), expected \(shape)")
            return existing
        }
        return Tensor.filled(initial, shape: shape)
    }
}
