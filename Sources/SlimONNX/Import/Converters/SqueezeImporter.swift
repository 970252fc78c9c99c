import SlimGraph

/// `Squeeze` and `Unsqueeze` of run-time tensors (axes as an attribute before opset 13, as a
/// constant input from 13) -> `reshape2` to the statically known result, the batch dim kept as
/// 0 (copy). The batch dim itself must stay in place.
enum SqueezeImporter: ImportConverter {
    static let opTypes = ["Squeeze", "Unsqueeze"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), xs = context.shape(x)
        var axes = context.node.ints("axes")
        if axes == nil, context.hasInput(1) {
            let c = try context.requireConstant(1, "axes")
            guard let a = c.integers else { throw context.malformed("axes \(c.values) are not integers") }
            axes = a
        }
        let marker = xs.map { $0 < 0 ? 0 : $0 }   // ConstantShapes works on known sizes: the batch rides along as 0
        let input = ImportedConstant(shape: marker, values: .init(repeating: 0, count: marker.reduce(1, *)), isFloat: true)
        let result: [Int]
        if context.node.opType == "Squeeze" {
            guard let axes else { throw context.unsupported("Squeeze without axes of a run-time tensor") }
            result = try ConstantShapes.squeeze(input, axes: axes, context).shape
        } else {
            result = try ConstantShapes.unsqueeze(input, axes: axes ?? [], context).shape
        }
        guard xs.first == -1, result.first == 0, result.dropFirst().allSatisfy({ $0 > 0 }), !xs.dropFirst().contains(-1) else {
            throw context.unsupported("\(context.node.opType) of \(xs) to \(result): the batch must stay the first dim and the others be known")
        }
        try context.emitUnary("reshape2", x, ["shape": .ints(result)])
    }
}
