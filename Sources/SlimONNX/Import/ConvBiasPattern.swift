import SlimGraph
import SlimTensor

/// A convolution's bias added by a separate `Add` of a `[1, O, 1, 1]` constant, as Paddle2ONNX
/// writes the bias of a convolution it could not give one: imported as Paddle writes a bias
/// (an `elementwise_add` with axis 1 of an `[O]` param), the form the executor computes inside
/// the convolution (or, quantized, into the INT8 engine's convolution after its dequantizer). Only
/// a constant no other op reads is reshaped.
enum ConvBiasPattern {
    static func rewrite(_ program: inout Program, params: inout [String: Tensor]) -> Int {
        var uses: [String: Int] = [:]
        for op in program.ops { for name in op.inputs.values.joined() { uses[name, default: 0] += 1 } }
        var filterOf: [String: [Int]] = [:]
        for op in program.ops where op.type == "conv2d" || op.type == "depthwise_conv2d" {
            guard let out = op.outputs["Output"], out.count == 1, let f = op.inputs["Filter"]?.first,
                  let shape = program.variable(f)?.shape else { continue }
            filterOf[out[0]] = shape
        }
        // A quantized convolution's bias follows its dequantizer (a QDQ model's frozen INT8 form).
        for op in program.ops where op.type.hasPrefix("fake_") && op.type.hasSuffix("dequantize_max_abs") {
            guard let x = op.inputs["X"]?.first, let shape = filterOf[x], let out = op.outputs["Out"], out.count == 1 else { continue }
            filterOf[out[0]] = shape
        }
        var rewritten = 0
        for i in program.ops.indices where program.ops[i].type == "elementwise_add" {
            let op = program.ops[i]
            guard op.int("axis", default: -1) == -1, let x = op.inputs["X"], x.count == 1, let w = filterOf[x[0]], w.count == 4,
                  let y = op.inputs["Y"], y.count == 1, uses[y[0]] == 1, program.variable(y[0])?.persistable == true,
                  let bias = params[y[0]], bias.shape == [1, w[0], 1, 1] || bias.shape == [w[0], 1, 1] else { continue }
            params[y[0]] = bias.reshaped([w[0]])
            program.update(y[0]) { $0.shape = [w[0]] }
            program.ops[i].attrs["axis"] = .int(1)
            rewritten += 1
        }
        return rewritten
    }
}
