import SlimTensor

/// `scale` (Paddle 1.6): `Out = scale * X + bias` when `bias_after_scale` (the default), else
/// `Out = scale * (X + bias)`; any shape. Backward `dX = scale * dOut`.
public enum ScaleOp: Operator {
    public static let type = "scale"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let op = context.op
        let scale = Float(op.float("scale", default: 1)), bias = Float(op.float("bias", default: 0))
        let after = op.bool("bias_after_scale", default: true)
        var out = Tensor(shape: x.shape)
        out.withUnsafeMutableFloats { o in
            x.withUnsafeFloats { v in
                for i in 0..<v.count { o[i] = after ? scale * v[i] + bias : scale * (v[i] + bias) }
            }
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let scale = Float(context.op.float("scale", default: 1))
        var dx = Tensor(shape: dOut.shape)
        dx.withUnsafeMutableFloats { d in
            dOut.withUnsafeFloats { g in for i in 0..<g.count { d[i] = scale * g[i] } }
        }
        context.addInputGrad("X", 0, dx)
    }
}
