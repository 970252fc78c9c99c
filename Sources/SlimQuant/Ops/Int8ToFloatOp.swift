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
        // In memory order: an int8 convolution's NHWC output gives an NHWC f32 copy, no reorder.
        switch x.dtype {
        case .u8: context.setOutput("Out", 0, x.mapElements(UInt8.self, to: .f32, as: Float.self) { s, d in for i in s.indices { d[i] = Float(s[i]) } })
        case .s8: context.setOutput("Out", 0, x.mapElements(Int8.self, to: .f32, as: Float.self) { s, d in for i in s.indices { d[i] = Float(s[i]) } })
        default: context.setOutput("Out", 0, Tensor(shape: x.shape, floats: x.asFloats))
        }
    }
}
