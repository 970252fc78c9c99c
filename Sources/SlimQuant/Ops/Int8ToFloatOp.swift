import SlimGraph
import SlimTensor

/// `int8_to_float` (slim's own op): `Out = Float(X)` for an integer `X` (s8, u8 or s32), the
/// same values as f32. `ConvertToInt8Pass.floatEmulationProgram` inserts it so the float kernels
/// can run a program whose weights are stored as s8. No gradient (integer input).
public enum Int8ToFloatOp: Operator {
    public static let type = "int8_to_float"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard let x = inputs["X"]?.first else { throw GraphError("op '\(type)' needs input X") }
        return ["Out": [x]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        guard x.dtype != .f32 else { throw GraphError("op '\(type)': X is already f32") }
        context.setOutput("Out", 0, Tensor(shape: x.shape, floats: x.asFloats))
    }
}
