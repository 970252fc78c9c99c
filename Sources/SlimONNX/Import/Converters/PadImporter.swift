import SlimGraph

/// `Pad` of an NCHW tensor on H and W only (pads and value as attributes before opset 11, as
/// constant inputs from 11; `axes` from 18) -> `pad2d` with mode constant, reflect or edge.
enum PadImporter: ImportConverter {
    static let opTypes = ["Pad"]

    static func convert(_ context: inout ImportContext) throws {
        let node = context.node, x = try context.variable(0), rank = context.shape(x).count
        guard rank == 4 else { throw context.unsupported("input of rank \(rank); slim pads NCHW tensors") }
        var pads: [Int], value = 0.0
        if context.opset < 11 {
            pads = node.ints("pads") ?? []
            value = Double(node.float("value", default: 0))
        } else {
            let c = try context.requireConstant(1, "pads")
            guard let p = c.integers else { throw context.malformed("pads \(c.values) are not integers") }
            pads = p
            if let v = context.constant(2) {
                guard v.count == 1 else { throw context.malformed("constant_value has \(v.count) values") }
                value = v.values[0]
            }
            if context.hasInput(3) {
                let axesConstant = try context.requireConstant(3, "axes")
                guard let axes = axesConstant.integers, axes.count * 2 == pads.count else { throw context.malformed("axes \(axesConstant.values) do not fit pads \(pads)") }
                var full = [Int](repeating: 0, count: 2 * rank)
                for (k, a) in axes.enumerated() {
                    let d = a < 0 ? a + rank : a
                    full[d] = pads[k]
                    full[d + rank] = pads[k + axes.count]
                }
                pads = full
            }
        }
        guard pads.count == 8 else { throw context.malformed("pads \(pads) for rank 4") }
        guard pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, pads.allSatisfy({ $0 >= 0 }) else {
            throw context.unsupported("pads \(pads): only non-negative padding of H and W")
        }
        let mode = node.string("mode", default: "constant")
        guard ["constant", "reflect", "edge"].contains(mode) else { throw context.unsupported("mode '\(mode)'") }
        try context.emitUnary("pad2d", x, ["paddings": .ints([pads[2], pads[6], pads[3], pads[7]]), "mode": .string(mode),
                                           "pad_value": .float(value)])
    }
}
