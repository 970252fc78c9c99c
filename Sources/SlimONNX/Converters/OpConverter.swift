import SlimGraph

/// Translates one slim op type (or a family) into ONNX nodes.
protocol OpConverter {
    /// The slim op types handled (Paddle names).
    static var opTypes: [String] { get }
    /// Appends the nodes for `op`, reading its inputs from and recording its outputs in `context`.
    static func convert(_ op: OpDesc, in context: inout ExportContext) throws
}

/// Every converter, by slim op type.
enum OpConverters {
    static let all: [any OpConverter.Type] = [
        ConvConverter.self, MulConverter.self, ElementwiseAddConverter.self, BatchNormConverter.self,
        ActivationConverter.self, PoolConverter.self, ReshapeConverter.self, SoftmaxConverter.self,
        ConcatConverter.self, DropoutConverter.self, ActivationQuantizerConverter.self, DequantizerConverter.self, QuantizeDequantizeConverter.self,
        NearestInterpConverter.self, SmoothActivationConverter.self, ConvTransposeConverter.self, LayoutOpConverter.self,
        PReluConverter.self,
    ]

    static let byType: [String: any OpConverter.Type] = {
        var table: [String: any OpConverter.Type] = [:]
        for converter in all { for type in converter.opTypes { table[type] = converter } }
        return table
    }()

    /// The exportable slim op types, sorted.
    static var supportedTypes: [String] { byType.keys.sorted() }

    /// Converts `op`, or throws naming it when no converter handles its type.
    static func convert(_ op: OpDesc, in context: inout ExportContext) throws {
        guard let converter = byType[op.type] else { throw ONNXExportError.unsupported(op, supported: supportedTypes) }
        try converter.convert(op, in: &context)
    }
}
