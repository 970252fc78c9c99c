import SlimGraph

/// A program that cannot be exported to ONNX: the message names the op (and var) that cannot be
/// expressed, with hints on what would work.
public struct ONNXExportError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    /// The slim op type that could not be exported, when one op is to blame.
    public var opType: String?
    public var hints: [String]

    public init(_ message: String, opType: String? = nil, hints: [String] = []) {
        self.message = message
        self.opType = opType
        self.hints = hints
    }

    public var description: String {
        (["cannot export to ONNX: \(message)"] + hints.map { "note: \($0)" }).joined(separator: "\n")
    }

    /// An op of `op`'s type has no ONNX translation.
    static func unsupported(_ op: OpDesc, supported: [String]) -> ONNXExportError {
        let out = op.outputNames.first.map { " (writing '\($0)')" } ?? ""
        var hints = ["ops that can be exported: \(supported.joined(separator: ", "))"]
        if op.type.hasPrefix("fake_") {
            hints.append("export takes trained float models and frozen ones: freeze a QAT model first "
                         + "(slim freeze --model_path ckpt/N/eval_model ... or the strategy's float/int8 outputs)")
        }
        return ONNXExportError("op '\(op.type)'\(out) has no ONNX translation", opType: op.type, hints: hints)
    }

    /// `op` cannot be exported for the reason in `message`.
    static func op(_ op: OpDesc, _ message: String, hints: [String] = []) -> ONNXExportError {
        ONNXExportError("op '\(op.type)': \(message)", opType: op.type, hints: hints)
    }
}
