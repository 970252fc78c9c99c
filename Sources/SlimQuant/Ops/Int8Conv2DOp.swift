import SlimGraph
import SlimTensor

/// `int8_conv2d` (slim's INT8 engine, made by `Int8LoweringPass` from a frozen
/// quantize -> conv2d / depthwise_conv2d -> dequantize chain): `Input` [N, C, H, W] u8 or s8
/// (integer activations), `Filter` [O, C/groups, KH, KW] s8, optional `Bias` [O] f32 (in
/// accumulator units: the graph's bias divided by the output scale), optional `ResidualData`
/// (the output's shape, added before the activation: f32 for an f32 output; u8 or s8 in units
/// `residual_scale` times the output's for a u8/s8 output) -> `Output` f32, u8 or s8.
/// Attrs: the conv geometry of `conv2d` (`strides`, `paddings`, `dilations`, `groups`) and the
/// `Int8Epilogue` attrs:
///
///     Output[n, o, y, x] = epilogue(Σ Input · Filter  (exact s32)  + Bias[o];  + residual_scale · ResidualData)
///
/// An asymmetric u8 input (attr `input_zero_point`, its `-z Σ w` already in `Bias`) is padded with
/// its zero point (`Int8ZeroPoint`). Attr `input_shift` z (depthwise convolutions, or any on VNNI
/// hosts: `Kernels.int8ShiftIsExact`): a u8 `Input` whose
/// levels are its values less z (an asymmetric quantizer's zero point, or 128 for s8 values
/// stored plus 128 by an epilogue's `out_zero_point`); oneDNN subtracts z in the s32
/// accumulator (its source zero point; a padded tap counts as z, i.e. level 0), so the result is
/// exactly the convolution of the levels.
/// One cached oneDNN primitive per layer and shape (`Kernels.conv2dInt8Call`, kept by the op from run to run); s8 inputs on CPUs
/// without VNNI run as one exact u8 convolution over their positive and negative parts
/// (`Int8SignedInput`), or, for a depthwise convolution, as u8 `v + 128` with source zero point
/// 128 (`Kernels.signBitFlipped`), or, with 7-bit weights, as they are on the doubled filter
/// (`Int8EvenWeights`). Inference only: no gradient.
public enum Int8Conv2DOp: Operator {
    public static let type = "int8_conv2d"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        try Conv2DOp.inferShapes(op, inputs: inputs)
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let plan = try context.memo { try Int8OpPlan(context, slots: ("Input", "Filter"), geometry: try op.int8ConvGeometry()) }
        var x = try context.input(at: plan.x, slot: "Input")
        let w = try context.input(at: plan.w, slot: "Filter")
        try Int8Execution.checkTypes(x: x, w: w, op: op, slots: ("Input", "Filter"))
        let epilogue = plan.epilogue
        var g = plan.geometry!
        try Int8Execution.check(epilogue, channels: w.shape[0], op: op)
        var bias = try Int8Execution.bias(context, plan.bias, channels: w.shape[0])
        let shape = try plan.outputShape(x.shape, w.shape) {
            try inferShapes(op, inputs: ["Input": [x.shape], "Filter": [w.shape]])["Output"]![0]
        }
        let residual = try Int8Execution.residual(context, plan.residual, shape: shape, epilogue: epilogue)
        let shift = plan.inputShift
        guard shift == 0 || ((1...255).contains(shift) && x.dtype == .u8 && plan.inputZeroPoint == nil
                             && Kernels.int8ShiftIsExact(inputChannels: x.shape[1], filterShape: w.shape, groups: g.groups)) else {
            throw GraphError("op '\(type)': input_shift must be 0, or 1...255 with a u8 Input, no input_zero_point and a depthwise convolution or a VNNI CPU; got \(shift) with \(x.dtype)")
        }
        let depthwise = Kernels.isDepthwise(inputChannels: x.shape[1], filterShape: w.shape, groups: g.groups)
        if let z = plan.inputZeroPoint {
            // Asymmetric u8 input (`Int8ZeroPoint`): padding is the zero point, then an unpadded convolution.
            guard x.dtype == .u8 else { throw GraphError("op '\(type)': an Input with input_zero_point must be u8, got \(x.dtype)") }
            if g.paddings.contains(where: { $0 != 0 }) {
                x = Int8ZeroPoint.padded(x, paddings: g.paddings, value: UInt8(z))
                g.paddings = [0, 0, 0, 0]
            }
            // A depthwise convolution is exact on u8 up to 255 on every CPU (`Kernels.int8ShiftIsExact`).
            if !Kernels.int8IsExact && !depthwise {
                x = Int8ZeroPoint.shiftedToSigned(x)
                bias = plan.corrected(bias: bias, weights: w, columns: false)
            }
        }
        var sourceZeroPoint = shift
        if x.dtype == .s8 && !Kernels.int8IsExact && depthwise {
            // Exact on u8 with a source zero point on every CPU (`Kernels.int8ShiftIsExact`): one
            // pass instead of the split, whose grouped convolution oneDNN runs on its reference kernel.
            x = Kernels.signBitFlipped(x)
            sourceZeroPoint = 128
        }
        // Without VNNI, an s8 input with 7-bit weights runs as it is on doubled weights (`Int8EvenWeights`).
        var filter = w, halvedScales = false
        if Int8EvenWeights.isEnabled && x.dtype == .s8 && !Kernels.int8IsExact && !depthwise,
           let doubled = plan.sevenBitWeights(w, doubled: true) {
            (filter, halvedScales) = (doubled, true)
            bias = bias.map { plan.doubled(bias: $0) }
        }
        let (xx, ww) = Int8Execution.direct(x, filter, op: op, plan: plan, signedIsExact: halvedScales) {
            Int8SignedInput.conv($0, filter: $1, groups: g.groups)
        }
        let call = plan.call(xx, ww, hasBias: bias != nil, residual: residual) {
            let outputScales = halvedScales ? epilogue.outputScales.map { $0 / 2 } : epilogue.outputScales
            return Kernels.conv2dInt8Call(xx, filterShape: ww.shape, hasBias: bias != nil, geometry: g,
                                          outputScales: outputScales, postOps: Int8Execution.postOps(epilogue, residual: residual != nil),
                                          hasResidual: residual != nil, residualType: residual?.dtype, outputType: epilogue.outputType,
                                          sourceZeroPoint: Int32(sourceZeroPoint))
        }
        let y = call.run(xx, weights: ww, bias: bias, residual: consume residual)
        context.setOutput("Output", 0, y)
    }
}
