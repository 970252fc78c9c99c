import SlimTensor

/// `square`: `Out = X * X` elementwise (any shape); backward `dX = 2 * X * dOut`.
public enum SquareOp: Operator {
    public static let type = "square"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        var out = Tensor(shape: x.shape)
        out.withUnsafeMutableFloats { o in
            x.withUnsafeFloats { v in for i in 0..<v.count { o[i] = v[i] * v[i] } }
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        var dx = Tensor(shape: x.shape)
        dx.withUnsafeMutableFloats { d in
            x.withUnsafeFloats { v in
                dOut.withUnsafeFloats { g in for i in 0..<v.count { d[i] = 2 * v[i] * g[i] } }
            }
        }
        context.addInputGrad("X", 0, dx)
    }
}
