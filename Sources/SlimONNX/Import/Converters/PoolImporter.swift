import SlimGraph

/// `MaxPool`, `AveragePool` (`count_include_pad` -> not `exclusive`), `GlobalAveragePool`,
/// `GlobalMaxPool` -> `pool2d`. `ceil_mode` is taken when it gives the floor output size.
enum PoolImporter: ImportConverter {
    static let opTypes = ["MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"]

    static func convert(_ context: inout ImportContext) throws {
        let node = context.node, x = try context.variable(0)
        let xs = context.shape(x)
        guard xs.count == 4 else { throw context.unsupported("input of shape \(xs); slim pools NCHW tensors") }
        let kind = node.opType.contains("Max") ? "max" : "avg"
        if node.opType.hasPrefix("Global") {
            try context.emitUnary("pool2d", x, ["pooling_type": .string(kind), "ksize": .ints([1, 1]), "global_pooling": .bool(true)])
            return
        }
        guard node.output.count < 2 || node.output[1].isEmpty else { throw context.unsupported("the Indices output") }
        guard let kernel = node.ints("kernel_shape"), kernel.count == 2 else { throw context.unsupported("kernel_shape other than 2-D") }
        let strides = try SpatialGeometry.pair(context, "strides")
        guard try SpatialGeometry.pair(context, "dilations") == [1, 1] else { throw context.unsupported("dilated pooling") }
        let pads = try SpatialGeometry.paddings(context, input: Array(xs[2...]), kernel: kernel, strides: strides, dilations: [1, 1])
        if node.int("ceil_mode", default: 0) == 1 {
            for d in 0..<2 {
                let span = xs[2 + d] + pads[2 * d] + pads[2 * d + 1] - kernel[d]
                guard xs[2 + d] > 0, span % strides[d] == 0 else {
                    throw context.unsupported("ceil_mode = 1 where it changes the output size (input \(xs))")
                }
            }
        }
        try context.emitUnary("pool2d", x, ["pooling_type": .string(kind), "ksize": .ints(kernel), "strides": .ints(strides),
                                             "paddings": .ints(pads), "exclusive": .bool(node.int("count_include_pad", default: 0) == 0)])
    }
}
