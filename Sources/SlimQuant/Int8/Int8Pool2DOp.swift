import SlimGraph
import SlimTensor

/// `int8_pool2d` (slim's INT8 engine): max pooling of integer activations `X` (u8 or s8) with the
/// attrs of `pool2d` (`pooling_type` must be "max"). Max pooling commutes with quantization
/// (`round(max(x) * k) == max(round(x * k))`), so `Int8LoweringPass` moves a requantization in
/// front of it and pools the integers: exact, and 4x less data than f32. Inference only.
public enum Int8Pool2DOp: Operator {
    public static let type = "int8_pool2d"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        guard op.string("pooling_type", default: "max") == "max" else {
            throw GraphError("op '\(type)' pools integers by max only, got pooling_type '\(op.string("pooling_type", default: ""))'")
        }
        return try Pool2DOp.inferShapes(op, inputs: inputs)
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.input("X")
        guard x.dtype == .u8 || x.dtype == .s8 else { throw GraphError("op '\(type)': X must be u8 or s8, got \(x.dtype)") }
        _ = try inferShapes(context.op, inputs: ["X": [x.shape]])
        let g = try context.op.int8PoolGeometry(input: x.shape)
        context.setOutput("Out", 0, Kernels.pool2dForward(x, geometry: g, training: false).output)
    }
}
