import Foundation
import SwiftProtobuf

/// An exported ONNX model: its serialized bytes and a summary of what it holds.
public struct ONNXModel: Sendable {
    let proto: Onnx_ModelProto
    /// Number of conv/mul ops exported in QDQ form (0 for a float model).
    public let quantizedOps: Int

    init(proto: Onnx_ModelProto, quantizedOps: Int) {
        self.proto = proto
        self.quantizedOps = quantizedOps
    }

    /// The ONNX node op types in graph order.
    public var nodeTypes: [String] { proto.graph.node.map(\.opType) }
    /// Number of initializers (weights, scales, shapes).
    public var initializerCount: Int { proto.graph.initializer.count }
    public var opset: Int { Int(proto.opsetImport.first?.version ?? 0) }

    /// The model as protobuf bytes (what an `.onnx` file holds).
    public func serializedData() throws -> Data {
        try proto.serializedData()
    }

    /// Writes the model to `path` atomically.
    public func write(to path: String) throws {
        try serializedData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
