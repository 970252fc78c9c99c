import SlimTensor

/// `dropout` with `dropout_prob` p. Training (not `is_test`): keep each element with probability
/// 1 - p, drawing `u ~ U[0, 1)` from the run's seeded generator (kept when `u >= p`), so runs are
/// deterministic. `upscale_in_train`: `Out = X * mask / (1 - p)` in training, `Out = X` in eval;
/// `downgrade_in_infer`: `Out = X * mask` in training, `Out = X * (1 - p)` in eval.
/// `Mask` (optional, f32 like every non-label var) is 1 where an element is kept, else 0. Backward `dX = dOut * mask * scale`.
public enum DropoutOp: Operator {
    public static let type = "dropout"

    private enum Implementation: String, CaseIterable {
        case upscaleInTrain = "upscale_in_train", downgradeInInfer = "downgrade_in_infer"
    }

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        _ = try attrs(op)
        return ["Out": [x], "Mask": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let (p, implementation) = try attrs(context.op)
        guard context.isTraining, !context.op.bool("is_test", default: false) else {
            let factor: Float = implementation == .downgradeInInfer ? 1 - p : 1
            context.saved["factor"] = factor
            context.setOutput("Out", 0, factor == 1 ? x : Kernels.eltwiseForward(x.reshaped([x.count]), .linear(alpha: factor, beta: 0)).reshaped(x.shape))
            return
        }
        let scale: Float = implementation == .downgradeInInfer ? 1 : (p < 1 ? 1 / (1 - p) : 0)
        var generator = context.generator
        let kept = (0..<x.count).map { _ in generator.nextUnitFloat() >= p }
        context.generator = generator
        let mask = Tensor(shape: x.shape, floats: kept.map { $0 ? scale : 0 })
        context.saved["mask"] = mask
        context.setOutput("Out", 0, Kernels.multiply(x.reshaped([x.count]), mask.reshaped([x.count])).reshaped(x.shape))
        if context.hasOutput("Mask") {
            context.setOutput("Mask", 0, Tensor(shape: x.shape, floats: kept.map { $0 ? 1 : 0 }))
        }
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        if let mask = context.saved["mask"] as? Tensor {
            context.addInputGrad("X", 0, Kernels.multiply(dOut.reshaped([dOut.count]), mask.reshaped([dOut.count])).reshaped(dOut.shape))
        } else {
            let factor = context.saved["factor"] as? Float ?? 1
            context.addInputGrad("X", 0, factor == 1 ? dOut : Kernels.eltwiseForward(dOut.reshaped([dOut.count]), .linear(alpha: factor, beta: 0)).reshaped(dOut.shape))
        }
    }

    private static func attrs(_ op: OpDesc) throws -> (Float, Implementation) {
        let p = Float(op.float("dropout_prob", default: 0.5))
        guard p >= 0 && p <= 1 else { throw GraphError("op 'dropout': dropout_prob \(p) is outside [0, 1]") }
        let name = op.string("dropout_implementation", default: Implementation.upscaleInTrain.rawValue)
        guard let implementation = Implementation(rawValue: name) else {
            throw GraphError("op 'dropout': unknown dropout_implementation '\(name)'",
                             hints: ["expected one of \(Implementation.allCases.map(\.rawValue))"])
        }
        return (p, implementation)
    }
}
