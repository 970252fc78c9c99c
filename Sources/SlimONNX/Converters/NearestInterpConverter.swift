import SlimGraph

/// `nearest_interp` -> `Resize(mode nearest, scales [1, 1, f_h, f_w])` for integer factors
/// `f = out / in` of a static input size (the output size from attr `scale` or `out_h`/`out_w`).
///
/// Paddle reads input row `Int(ratio * k + 0.5)` with `ratio = (in - 1) / (out - 1)` when
/// `align_corners` (ONNX `coordinate_transformation_mode` `align_corners`, `nearest_mode`
/// `round_prefer_ceil`), else `Int(k * in / out)` (`asymmetric`, `floor`). An `OutSize` input
/// (a size computed at run time) or a non-integer factor cannot be exported.
enum NearestInterpConverter: OpConverter {
    static let opTypes = ["nearest_interp"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        guard op.inputs["OutSize"]?.isEmpty ?? true else {
            throw ONNXExportError.op(op, "an OutSize input (a size known at run time) cannot be exported", hints: ["use attr scale or out_h/out_w"])
        }
        let xName = try context.inputName(op, "X")
        guard let x = context.shape(of: xName), x.count == 4, x[2] > 0, x[3] > 0 else {
            throw ONNXExportError.op(op, "input '\(xName)' needs a static [N, C, H, W] shape, is \(context.shape(of: xName) ?? [])")
        }
        let (h, w) = try outSize(op, inH: x[2], inW: x[3])
        guard h % x[2] == 0, w % x[3] == 0 else {
            throw ONNXExportError.op(op, "resizing \(x[2])x\(x[3]) to \(h)x\(w) is not by integer factors", hints: ["only integer upsampling factors export"])
        }
        let input = try context.floatInput(op, "X")
        let out = try context.outputName(op, "Out")
        let roi = context.graph.initializer(.floats([], dims: [0]), name: "\(out).roi")
        let scales = context.graph.initializer(.floats([1, 1, Float(h / x[2]), Float(w / x[3])], dims: [4]), name: "\(out).scales")
        let align = op.bool("align_corners", default: true)
        context.graph.add("Resize", [input, roi, scales], [try context.output(op, "Out")], [
            .string("mode", "nearest"),
            .string("coordinate_transformation_mode", align ? "align_corners" : "asymmetric"),
            .string("nearest_mode", align ? "round_prefer_ceil" : "floor"),
        ])
    }

    /// The output size from attr `scale` (`Int(in * scale)`) or else `out_h`, `out_w`.
    private static func outSize(_ op: OpDesc, inH: Int, inW: Int) throws -> (Int, Int) {
        let scale = Float(op.float("scale", default: 0))
        if scale > 0 { return (Int(Float(inH) * scale), Int(Float(inW) * scale)) }
        let h = op.int("out_h", default: -1), w = op.int("out_w", default: -1)
        guard h > 0, w > 0 else { throw ONNXExportError.op(op, "has no output size (attr scale or out_h/out_w)") }
        return (h, w)
    }
}
