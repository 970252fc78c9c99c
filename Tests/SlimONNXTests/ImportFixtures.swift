import Foundation
@testable import SlimONNX

/// Small ONNX models built with the generated protobuf types, for import tests.
enum ImportFixtures {
    static func node(_ type: String, _ inputs: [String], _ outputs: [String], name: String? = nil,
                     _ attributes: [Onnx_AttributeProto] = []) -> Onnx_NodeProto {
        var n = Onnx_NodeProto()
        n.opType = type
        n.input = inputs
        n.output = outputs
        n.name = name ?? "\(type.lowercased())_\(outputs.first ?? "")"
        n.attribute = attributes
        return n
    }

    /// A model with input `x` of `shape` (first dim symbolic `N`, `-1` dims symbolic too) and
    /// output `y`.
    static func model(_ nodes: [Onnx_NodeProto], initializers: [String: Onnx_TensorProto] = [:], shape: [Int] = [1, 3, 4, 4],
                      opset: Int64 = 13) -> Onnx_ModelProto {
        var graph = Onnx_GraphProto()
        graph.name = "fixture"
        graph.node = nodes
        graph.initializer = initializers.sorted { $0.key < $1.key }.map { name, t in
            var t = t
            t.name = name
            return t
        }
        graph.input = [Onnx_ValueInfoProto.tensor("x", .float, shape: [-1] + shape.dropFirst())]
        graph.output = [Onnx_ValueInfoProto.tensor("y", .float, shape: [])]
        var opsetId = Onnx_OperatorSetIdProto()
        opsetId.version = opset
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.opsetImport = [opsetId]
        model.graph = graph
        return model
    }

    /// `model` written to a temporary file; returns its path.
    static func file(_ model: Onnx_ModelProto) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slim-import-\(UUID().uuidString).onnx").path
        try model.serializedData().write(to: URL(fileURLWithPath: path))
        return path
    }
}
