import SlimGraph

/// Ops that move or select elements: `transpose2` -> `Transpose(perm)`, `slice` -> `Slice`
/// (int64 starts/ends/axes inputs), `pad2d` -> `Pad` (pads on H and W, mode, value),
/// `reduce_mean` -> `ReduceMean` (axes attribute, opsets <= 17).
enum LayoutOpConverter: OpConverter {
    static let opTypes = ["transpose2", "slice", "pad2d", "reduce_mean"]

    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        let inputSlot = op.type == "slice" ? "Input" : "X"
        let x = try context.floatInput(op, inputSlot), out = try context.outputName(op, "Out")
        switch op.type {
        case "transpose2":
            context.graph.add("Transpose", [x], [try context.output(op, "Out")], [.ints("perm", op.ints("axis", default: []))])
        case "slice":
            let inputs = ["starts", "ends", "axes"].map { name in
                let v = op.ints(name, default: [])
                return context.graph.initializer(.int64s(v.map { Int64($0) }, dims: [v.count]), name: "\(out).\(name)")
            }
            context.graph.add("Slice", [x] + inputs, [try context.output(op, "Out")])
        case "pad2d":
            let p = op.ints("paddings", default: [0, 0, 0, 0])
            guard p.count == 4 else { throw ONNXExportError.op(op, "paddings \(p): expected [top, bottom, left, right]") }
            let pads = context.graph.initializer(.int64s([0, 0, p[0], p[2], 0, 0, p[1], p[3]].map { Int64($0) }, dims: [8]), name: "\(out).pads")
            let value = context.graph.scalar(Float(op.float("pad_value", default: 0)), name: "\(out).value")
            context.graph.add("Pad", [x, pads, value], [try context.output(op, "Out")], [.string("mode", op.string("mode", default: "constant"))])
        default:
            guard let rank = context.shape(of: try context.inputName(op, "X"))?.count else { throw ONNXExportError.op(op, "needs the declared shape of X") }
            let axes = op.bool("reduce_all", default: false) ? Array(0..<rank) : op.ints("dim", default: [0])
            context.graph.add("ReduceMean", [x], [try context.output(op, "Out")],
                              [.ints("axes", axes), .int("keepdims", op.bool("keep_dim", default: false) ? 1 : 0)])
        }
    }
}
