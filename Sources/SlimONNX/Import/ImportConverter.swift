/// Translates ONNX nodes of `opTypes` into slim ops: reads `context.node` and its inputs,
/// appends slim ops with `context.emit` and binds every node output it produces.
protocol ImportConverter {
    static var opTypes: [String] { get }
    /// - Throws: `ONNXImportError` for attribute values or input forms without a translation.
    static func convert(_ context: inout ImportContext) throws
}

/// Every ONNX op slim imports, by op type.
enum ImportConverters {
    static let all: [any ImportConverter.Type] = [
        ConvImporter.self, BatchNormImporter.self, ActivationImporter.self, ClipImporter.self, ElementwiseImporter.self,
        GemmImporter.self, MatMulImporter.self, FlattenImporter.self, ReshapeImporter.self, PoolImporter.self,
        SoftmaxImporter.self, ConcatImporter.self, PassThroughImporter.self, TransposeImporter.self, ReduceMeanImporter.self,
        ResizeImporter.self, ConvTransposeImporter.self, PadImporter.self, PReluImporter.self, SqueezeImporter.self, SliceImporter.self,
    ]

    static let table: [String: any ImportConverter.Type] = {
        var table: [String: any ImportConverter.Type] = [:]
        for converter in all { for type in converter.opTypes { table[type] = converter } }
        return table
    }()

    /// Op types with a translation, and those folded at import when their inputs are constant.
    static var supportedOpTypes: [String] {
        Set(table.keys).union(ConstantFolder.opTypes).sorted()
    }
}
