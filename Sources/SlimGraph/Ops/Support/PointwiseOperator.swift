import SlimTensor

/// An op computing `Out` from `X` one element at a time in a Swift loop (any shape): `scale`,
/// `square`. A conformer gives the function of one element and its gradient for the op's attrs;
/// forward maps `X`, backward computes `dX = gradient(X, dOut)` element by element.
protocol PointwiseOperator: Operator {
    /// `Out`'s element from `X`'s, for `op`'s attrs.
    static func function(_ op: OpDesc) -> (Float) -> Float
    /// `dX`'s element from `X`'s element and `dOut`'s, for `op`'s attrs.
    static func gradient(_ op: OpDesc) -> (_ x: Float, _ dOut: Float) -> Float
}

extension PointwiseOperator {
    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        ["Out": [try ShapeInference.shape(inputs, "X", of: op)]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let f = function(context.op)
        let out = x.withUnsafeFloats { v in
            Tensor(shape: x.shape, fillingFloats: { o in for i in 0..<v.count { o[i] = f(v[i]) } })
        }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let df = gradient(context.op)
        let dx = x.withUnsafeFloats { v in
            dOut.withUnsafeFloats { g in
                Tensor(shape: x.shape, fillingFloats: { d in for i in 0..<v.count { d[i] = df(v[i], g[i]) } })
            }
        }
        context.addInputGrad("X", 0, dx)
    }
}
