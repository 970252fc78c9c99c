import SlimTensor

/// `prelu` (Paddle 1.6): `Out = X` where `X > 0`, `Alpha * X` elsewhere, `X` [N, ...]. Attr
/// `mode`: "all" (`Alpha` holds 1 value), "channel" (C values, one per dim-1 channel) or
/// "element" (one per element of a sample, `prod(X.dims[1...])` values). Backward:
/// `dX = dOut * (X > 0 ? 1 : Alpha)`, `dAlpha = sum of dOut * min(X, 0)` over what `Alpha`
/// is shared by. Runs as oneDNN eltwise and binary: `relu(X) + Alpha * min(X, 0)`.
public enum PReluOp: Operator {
    public static let type = "prelu"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), alpha = try ShapeInference.shape(inputs, "Alpha", of: op)
        _ = try alphaShape(op, x: x, alphaCount: ShapeInference.product(alpha))
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), alpha = try context.floatInput("Alpha")
        let shaped = alpha.reshaped(try alphaShape(context.op, x: x.shape, alphaCount: alpha.count))
        let negative = Kernels.eltwiseForward(x, .clip(lo: -.greatestFiniteMagnitude, hi: 0), training: context.isTraining)
        context.setOutput("Out", 0, Kernels.add(Kernels.eltwiseForward(x, .relu, training: context.isTraining), Kernels.multiply(negative, shaped)))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out") else { return }
        let x = try context.floatInput("X"), alpha = try context.floatInput("Alpha")
        let shape = try alphaShape(context.op, x: x.shape, alphaCount: alpha.count)
        let clip = EltwiseKind.clip(lo: -.greatestFiniteMagnitude, hi: 0)
        if context.needsGrad("X") {
            let positive = Kernels.eltwiseBackward(dOut, input: x, .relu)
            let negative = Kernels.multiply(Kernels.eltwiseBackward(dOut, input: x, clip), alpha.reshaped(shape))
            context.addInputGrad("X", 0, Kernels.add(positive, negative))
        }
        if context.needsGrad("Alpha") {
            let product = Kernels.multiply(dOut, Kernels.eltwiseForward(x, clip))
            context.addInputGrad("Alpha", 0, Kernels.reduceSum(product, to: shape).reshaped(alpha.shape))
        }
    }

    /// `Alpha` as a shape broadcasting onto `x` for the op's mode; throws when its count does not
    /// fit the mode.
    static func alphaShape(_ op: OpDesc, x: [Int], alphaCount: Int) throws -> [Int] {
        guard x.count >= 2 else { throw GraphError("op 'prelu': X \(x) needs a batch and a channel dim") }
        let mode = op.string("mode", default: "all")
        let (shape, expected): ([Int], Int) = switch mode {
        case "all": ([Int](repeating: 1, count: x.count), 1)
        case "channel": ([1, x[1]] + [Int](repeating: 1, count: x.count - 2), x[1])
        case "element": ([1] + x.dropFirst(), ShapeInference.product(x.dropFirst()))
        default: throw GraphError("op 'prelu': mode '\(mode)' is not all, channel or element")
        }
        guard expected < 0 || alphaCount < 0 || expected == alphaCount else {
            throw GraphError("op 'prelu': Alpha has \(alphaCount) values, mode '\(mode)' on X \(x) needs \(expected)")
        }
        return shape
    }
}
