import SlimTensor

/// `reshape2`: `Out` holds `X`'s elements with the dims of attr `shape`, where `0` copies X's dim
/// at that position and one `-1` is inferred from the element count. The optional `XShape`
/// output is Paddle's marker `[0] + X.dims` (no elements). Backward: `dX = dOut` reshaped to X.
public enum Reshape2Op: Operator {
    public static let type = "reshape2"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        return ["Out": [try resolve(op, input: x)], "XShape": [[0] + x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        context.setOutput("Out", 0, x.reshaped(try resolve(context.op, input: x.shape)))
        context.setOutput("XShape", 0, Tensor(shape: [0] + x.shape))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        context.addInputGrad("X", 0, dOut.reshaped(try context.input("X").shape))
    }

    /// The output dims for input dims `x` (`-1` where the batch size is needed and unknown).
    static func resolve(_ op: OpDesc, input x: [Int]) throws -> [Int] {
        let target = op.ints("shape", default: [])
        guard !target.isEmpty, target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else {
            throw GraphError("op 'reshape2': attr 'shape' \(target) needs at least one dim, at most one -1 and no other negative value")
        }
        var out = try target.enumerated().map { i, d -> Int in
            guard d == 0 else { return d }
            guard i < x.count else { throw GraphError("op 'reshape2': shape \(target) copies dim \(i) (0) but X is \(x)") }
            return x[i]
        }
        // Dims copied from unknown input dims cancel on both sides of prod(X) == prod(Out).
        let copied = Set(target.indices.filter { target[$0] == 0 && x[$0] == -1 })
        let inputKnown = ShapeInference.product(x.indices.filter { !copied.contains($0) }.map { x[$0] })
        let inferAt = target.firstIndex(of: -1)
        let outputKnown = ShapeInference.product(out.indices.filter { !copied.contains($0) && $0 != inferAt }.map { out[$0] })
        if let i = inferAt {
            guard inputKnown >= 0 else { return out }   // out[i] stays -1
            guard outputKnown > 0, inputKnown % outputKnown == 0 else { throw mismatch(x, target) }
            out[i] = inputKnown / outputKnown
        } else if inputKnown >= 0, inputKnown != outputKnown {
            throw mismatch(x, target)
        }
        return out
    }

    private static func mismatch(_ x: [Int], _ target: [Int]) -> GraphError {
        GraphError("op 'reshape2': X \(x) cannot be reshaped to \(target) (element counts differ)")
    }
}
