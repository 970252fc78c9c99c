import SlimTensor

/// `pool2d` over `X` [N, C, H, W]: `pooling_type` "max" or "avg" over `ksize` windows moved by
/// `strides`, `paddings` `[ph, pw]` or `[top, bottom, left, right]`, floor output size
/// `OH = (H + pt + pb - kh) / sh + 1`. Max ignores padding; avg divides by the in-image count
/// (`exclusive`, default) or by `kh * kw`. `global_pooling` pools the whole map to [N, C, 1, 1].
///
/// Backward (oneDNN): max routes each `dOut` to its window's argmax (the training forward's
/// workspace), avg spreads `dOut / divisor` over the window.
public enum Pool2DOp: Operator {
    public static let type = "pool2d"
    public static let runsOnPrimitives = true

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        if op.bool("global_pooling", default: false) {
            _ = try kind(op)
            return ["Out": [[x[0], x[1], 1, 1]]]
        }
        let g = try geometry(op, input: x)
        var out = [x[0], x[1], 0, 0]
        for d in 0..<2 {
            guard x[d + 2] >= 0 else { out[d + 2] = -1; continue }
            let padded = x[d + 2] + g.paddings[d] + g.paddings[d + 2]
            guard padded >= g.kernel[d] else {
                throw GraphError("op 'pool2d': window \(g.kernel) is larger than the padded input \(x)")
            }
            out[d + 2] = (padded - g.kernel[d]) / g.strides[d] + 1
        }
        return ["Out": [out]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X")
        let memo = context.memo { Pool2DMemo() }
        let g: PoolGeometry
        if let checked = memo.checked, checked.x == x.shape {
            g = checked.geometry
        } else {
            memo.checked = nil
            _ = try inferShapes(context.op, inputs: ["X": [x.shape]])
            g = try geometry(context.op, input: x.shape)
            memo.checked = (x.shape, g)
        }
        let (out, workspace) = Kernels.pool2dForward(x, geometry: g, training: context.isTraining, memo: memo.kernels)
        if let workspace { context.saved["workspace"] = workspace }
        context.setOutput("Out", 0, out)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dOut = context.outputGrad("Out"), context.needsGrad("X") else { return }
        let x = try context.input("X")
        let g = try geometry(context.op, input: x.shape)
        let workspace = context.saved["workspace"] as? PoolWorkspace
        context.addInputGrad("X", 0, Kernels.pool2dBackward(dOut, inputShape: x.shape, geometry: g, workspace: workspace))
    }

    /// The pooling geometry for input dims `x` (the window is the whole map for global pooling).
    static func geometry(_ op: OpDesc, input x: [Int]) throws -> PoolGeometry {
        if op.bool("global_pooling", default: false) {
            return PoolGeometry(kind: try kind(op), kernel: [x[2], x[3]], strides: [1, 1], paddings: [0, 0, 0, 0])
        }
        let kernel = op.ints("ksize", default: []), strides = op.ints("strides", default: [1, 1])
        guard kernel.count == 2, kernel.allSatisfy({ $0 > 0 }) else { throw op.attrError("ksize", kernel, "two positive values") }
        guard strides.count == 2, strides.allSatisfy({ $0 > 0 }) else { throw op.attrError("strides", strides, "two positive values") }
        let paddings = try op.paddingsTLBR()
        guard paddings[0] < kernel[0], paddings[2] < kernel[0], paddings[1] < kernel[1], paddings[3] < kernel[1] else {
            throw GraphError("op 'pool2d': paddings \(op.ints("paddings", default: [])) must be smaller than the window \(kernel)")
        }
        return PoolGeometry(kind: try kind(op), kernel: kernel, strides: strides, paddings: paddings)
    }

    private static func kind(_ op: OpDesc) throws -> PoolKind {
        guard !op.bool("ceil_mode", default: false), !op.bool("adaptive", default: false) else {
            throw GraphError("op 'pool2d': ceil_mode and adaptive pooling are not supported")
        }
        switch op.string("pooling_type", default: "max") {
        case "max": return .max
        case "avg": return op.bool("exclusive", default: true) ? .avg : .avgInclusive
        case let other: throw GraphError("op 'pool2d': unknown pooling_type '\(other)'", hints: ["expected \"max\" or \"avg\""])
        }
    }
}

/// A pool2d's memo: the input shape that last passed shape inference and the geometry then read
/// from the attrs (both again whenever the shape differs), and the last pooling primitive.
final class Pool2DMemo {
    var checked: (x: [Int], geometry: PoolGeometry)?
    let kernels = KernelCallMemo()
}
