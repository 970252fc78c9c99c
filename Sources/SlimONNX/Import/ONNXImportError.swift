/// An ONNX file slim cannot import: missing or unreadable (`io`), not an ONNX model or
/// inconsistent (`malformed`), or holding something slim has no translation for (`unsupported`,
/// naming the op type, node and opset).
public struct ONNXImportError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: Sendable { case io, malformed, unsupported }

    public var kind: Kind
    public var message: String
    public var hints: [String]

    public init(_ kind: Kind, _ message: String, hints: [String] = []) {
        self.kind = kind
        self.message = message
        self.hints = hints
    }

    public var description: String {
        (["cannot import ONNX: \(message)"] + hints.map { "note: \($0)" }).joined(separator: "\n")
    }

    /// `node`'s op type has no translation at `opset`.
    static func unsupportedOp(_ node: Onnx_NodeProto, opset: Int) -> ONNXImportError {
        let domain = node.domain.isEmpty || node.domain == "ai.onnx" ? "" : " of domain '\(node.domain)'"
        return ONNXImportError(.unsupported, "unsupported ONNX op '\(node.opType)'\(domain) (node '\(node.name)', opset \(opset))",
                               hints: ["ops slim imports: \(ImportConverters.supportedOpTypes.joined(separator: ", "))"])
    }

    /// `node` uses an attribute or input form slim cannot translate.
    static func unsupported(_ node: Onnx_NodeProto, opset: Int, _ what: String) -> ONNXImportError {
        ONNXImportError(.unsupported, "unsupported ONNX op '\(node.opType)' (node '\(node.name)', opset \(opset)): \(what)")
    }

    /// `node` is inconsistent (missing inputs, bad attribute values).
    static func malformed(_ node: Onnx_NodeProto, opset: Int, _ what: String) -> ONNXImportError {
        ONNXImportError(.malformed, "ONNX op '\(node.opType)' (node '\(node.name)', opset \(opset)): \(what)")
    }
}
