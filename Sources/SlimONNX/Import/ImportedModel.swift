import SlimGraph
import SlimTensor

/// The result of importing an ONNX model: a slim inference program (feeds = the ONNX graph
/// inputs, fetches = its outputs, batch dimension -1) and its persistable values.
public struct ImportedModel: Sendable {
    public let program: Program
    public let params: [String: Tensor]
    /// The model's default-domain opset.
    public let opset: Int
    /// The ONNX op types of the graph's nodes, in graph order.
    public let nodeTypes: [String]
    /// Nodes evaluated at import time (constants and shape arithmetic).
    public let foldedNodes: Int
    /// Convolutions and products of a QDQ model imported in slim's frozen INT8 form.
    public var quantizedOps = 0
    /// Activations quantized asymmetrically (uint8 with a zero point), kept as the file has them.
    public var asymmetricActivations: [String] = []
}
