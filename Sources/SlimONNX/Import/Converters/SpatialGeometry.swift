/// Padding and window attributes shared by `Conv`, `ConvTranspose` and the pools.
enum SpatialGeometry {
    /// 2-D `strides`, `dilations` (default 1s).
    static func pair(_ context: ImportContext, _ name: String) throws -> [Int] {
        let v = context.node.ints(name) ?? [1, 1]
        guard v.count == 2, v.allSatisfy({ $0 > 0 }) else { throw context.unsupported("\(name) \(v): only 2-D windows with positive values") }
        return v
    }

    /// Slim's paddings [top, bottom, left, right] from ONNX `pads` [top, left, bottom, right] or
    /// `auto_pad` (SAME_UPPER puts the odd extra pixel at the end, SAME_LOWER at the start).
    /// `input` holds H, W (`-1` when unknown, which SAME cannot take).
    static func paddings(_ context: ImportContext, input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) throws -> [Int] {
        switch context.node.string("auto_pad", default: "NOTSET") {
        case "NOTSET", "":
            let p = context.node.ints("pads") ?? [0, 0, 0, 0]
            guard p.count == 4, p.allSatisfy({ $0 >= 0 }) else { throw context.unsupported("pads \(p): only 2-D non-negative pads") }
            return [p[0], p[2], p[1], p[3]]
        case "VALID": return [0, 0, 0, 0]
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            guard input.allSatisfy({ $0 > 0 }) else {
                throw context.unsupported("auto_pad \(mode) needs a known input size", )
            }
            var out: [Int] = [0, 0, 0, 0]
            for d in 0..<2 {
                let extent = (kernel[d] - 1) * dilations[d] + 1
                let outSize = (input[d] + strides[d] - 1) / strides[d]
                let total = max((outSize - 1) * strides[d] + extent - input[d], 0)
                let small = total / 2
                out[2 * d] = mode == "SAME_UPPER" ? small : total - small
                out[2 * d + 1] = total - out[2 * d]
            }
            return out
        case let mode: throw context.unsupported("auto_pad '\(mode)'")
        }
    }
}
