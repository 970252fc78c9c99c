import Foundation
import SlimGraph
import SlimTensor
import SwiftProtobuf

/// Exports a slim inference program (image -> probabilities) to an ONNX model.
///
/// Float programs become plain ONNX (Conv, MatMul + Add, BatchNormalization, Relu, Clip, pools,
/// Reshape/Flatten, Softmax, Concat; dropout vanishes). Frozen programs (QuantizationFreezePass,
/// float or int8 weights) become ONNX Runtime's QDQ format: each quantized conv/mul reads
/// `QuantizeLinear -> DequantizeLinear` of its activation (int8, zero point 0, scale `s_a / bin_a`)
/// and `DequantizeLinear` of its int8 weight (scale `s_w / bin_w`, per output channel for
/// channel-wise weights), so
///
///     conv(DQ(Q(x)), DQ(W)) = conv(q, W) * s_a * s_w / (bin_a * bin_w)
///
/// which is what the frozen program's dequantizer computes. The batch dimension is symbolic (`N`).
public struct ONNXExporter: Sendable {
    /// Opsets the export is written for: 13 (per-axis QuantizeLinear, Softmax on one axis) up to
    /// 17, the newest of the committed onnx.proto (ONNX 1.12, IR version 8).
    public static let supportedOpsets = 13...17

    public var opset: Int
    public var producerVersion: String

    public init(opset: Int = 13, producerVersion: String = "unreleased") {
        self.opset = opset
        self.producerVersion = producerVersion
    }

    /// The ONNX model of `program` (pruned to its feeds -> fetches, or to `fetches` when given:
    /// the graph outputs, e.g. a detector's raw head outputs before its post-process) with
    /// weights from `params`. Feeds the pruned program does not read are not graph inputs.
    /// - Throws: `ONNXExportError` naming the op that cannot be exported, or a bad opset;
    ///   `GraphError` when the program cannot be pruned to its fetches (naming an unknown one).
    public func export(_ program: Program, params: [String: Tensor], fetches: [String]? = nil) throws -> ONNXModel {
        guard Self.supportedOpsets.contains(opset) else {
            throw ONNXExportError("opset \(opset) is not supported", hints: ["choose one of \(Self.supportedOpsets.lowerBound)...\(Self.supportedOpsets.upperBound)"])
        }
        let wanted = fetches ?? program.fetches
        guard !program.feeds.isEmpty, !wanted.isEmpty else {
            throw ONNXExportError("the program has no \(program.feeds.isEmpty ? "feeds" : "fetches")",
                                  hints: ["export an inference model: slim train's best/last, or freeze's float/int8"])
        }
        let pruned = try program.pruned(feeds: program.feeds, fetches: wanted)
        if let op = pruned.ops.first(where: { OpConverters.byType[$0.type] == nil }) {
            throw ONNXExportError.unsupported(op, supported: OpConverters.supportedTypes)
        }
        var context = ExportContext(program: pruned, params: params)
        let inputs = try declareInputs(pruned, in: &context)
        for op in pruned.ops { try OpConverters.convert(op, in: &context) }
        let outputs = try declareOutputs(pruned, in: &context)
        return ONNXModel(proto: model(graph: context.graph, inputs: inputs, outputs: outputs), quantizedOps: context.quantizedOps)
    }

    /// Graph inputs: the feeds some op reads, f32, shapes with a symbolic batch.
    private func declareInputs(_ program: Program, in context: inout ExportContext) throws -> [Onnx_ValueInfoProto] {
        let read = Set(program.ops.flatMap(\.inputNames)).union(program.fetches)
        return try program.feeds.filter(read.contains).map { name in
            guard let v = program.variable(name), v.dtype == .f32 else {
                throw ONNXExportError("feed '\(name)' is \(program.variable(name)?.dtype.rawValue ?? "undeclared"); only f32 feeds can be exported")
            }
            return .tensor(context.feed(name), .float, shape: v.shape)
        }
    }

    /// Graph outputs: the fetches under their slim names (an Identity where the value was renamed).
    private func declareOutputs(_ program: Program, in context: inout ExportContext) throws -> [Onnx_ValueInfoProto] {
        try program.fetches.map { name in
            let fetch = OpDesc(type: "fetch", inputs: ["X": [name]])
            var onnx = try context.float(name, for: fetch)
            if onnx != name, context.graph.isFree(name) {
                onnx = context.graph.claim(name)
                context.graph.add("Identity", [try context.float(name, for: fetch)], [onnx])
            }
            return .tensor(onnx, .float, shape: program.variable(name)?.shape ?? [-1])
        }
    }

    private func model(graph: GraphBuilder, inputs: [Onnx_ValueInfoProto], outputs: [Onnx_ValueInfoProto]) -> Onnx_ModelProto {
        var g = Onnx_GraphProto()
        g.name = "slim"
        g.node = graph.nodes
        g.initializer = graph.initializers
        g.input = inputs
        g.output = outputs
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.domain = ""
        opsetID.version = Int64(opset)
        var m = Onnx_ModelProto()
        m.irVersion = opset <= 14 ? 7 : 8
        m.producerName = "slim"
        m.producerVersion = producerVersion
        m.opsetImport = [opsetID]
        m.graph = g
        return m
    }
}
