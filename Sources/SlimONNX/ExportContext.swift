import SlimGraph
import SlimTensor

/// The state of one export: the slim program and parameters being read, the ONNX graph being
/// built, and what each slim var is in that graph (`ExportedValue`).
struct ExportContext {
    let program: Program
    let params: [String: Tensor]
    var graph: GraphBuilder
    /// Slim var -> its value in the exported graph.
    private(set) var values: [String: ExportedValue] = [:]
    /// Quantized-op output var -> the dequantizers that read it (the freeze pass puts exactly one).
    let dequantizers: [String: [OpDesc]]
    /// Cache of emitted QDQ pieces, keyed by what they were made from.
    var emitted: [String: String] = [:]
    /// Number of ops exported in QDQ form.
    var quantizedOps = 0

    static let dequantizerTypes: Set<String> = ["fake_dequantize_max_abs", "fake_channel_wise_dequantize_max_abs"]

    init(program: Program, params: [String: Tensor]) {
        self.program = program
        self.params = params
        graph = GraphBuilder(reserved: Set(program.vars.map(\.name)))
        var readers: [String: [OpDesc]] = [:]
        for op in program.ops where Self.dequantizerTypes.contains(op.type) {
            if let x = op.input("X") { readers[x, default: []].append(op) }
        }
        dequantizers = readers
    }

    /// Declares feed `name` as a graph input (the same name in ONNX).
    mutating func feed(_ name: String) -> String {
        let onnx = graph.claim(name)
        values[name] = .float(onnx)
        return onnx
    }

    /// The declared shape of slim var `name` (`-1` for the batch), if declared.
    func shape(of name: String) -> [Int]? { program.variable(name)?.shape }

    /// What `name` is in the graph; persistable f32 vars become initializers on first use.
    /// - Throws: `ONNXExportError` naming `op` when nothing before it computes `name`.
    mutating func value(_ name: String, for op: OpDesc) throws -> ExportedValue {
        if let v = values[name] { return v }
        guard let v = program.variable(name), v.persistable else {
            throw ONNXExportError.op(op, "reads '\(name)', which no exported op before it computes",
                                     hints: ["is the program topologically ordered, and '\(name)' a feed or an output of an exportable op?"])
        }
        let t = try param(name, for: op)
        guard t.dtype == .f32 else {
            throw ONNXExportError.op(op, "reads the \(t.dtype) parameter '\(name)' as a float input",
                                     hints: ["only the weights of quantized conv2d/depthwise_conv2d/mul ops (a dequantizer after the op) may be integer"])
        }
        let onnx = graph.initializer(.floats(t.floats, dims: t.shape), name: name, claimed: true)
        values[name] = .float(onnx)
        return .float(onnx)
    }

    /// The ONNX float value of `name`, read by `op`.
    /// - Throws: when `name` holds integers (a quantizer's output or a quantized op's accumulator).
    mutating func float(_ name: String, for op: OpDesc) throws -> String {
        switch try value(name, for: op) {
        case let .float(onnx):
            return onnx
        case let .quantizedActivation(q):
            throw ONNXExportError.op(op, "reads '\(name)', the integer output of '\(q.opType)'",
                                     hints: ["in an exported model only conv2d, depthwise_conv2d and mul followed by a dequantizer may read quantized activations"])
        case let .quantizedOpOutput(_, type):
            throw ONNXExportError.op(op, "reads '\(name)', the integer accumulator of the quantized '\(type)', before its dequantizer")
        }
    }

    /// The ONNX float value of input `slot` (index `index`) of `op`.
    mutating func floatInput(_ op: OpDesc, _ slot: String, _ index: Int = 0) throws -> String {
        try float(try inputName(op, slot, index), for: op)
    }

    /// The slim var name of input `slot` of `op`.
    func inputName(_ op: OpDesc, _ slot: String, _ index: Int = 0) throws -> String {
        guard let names = op.inputs[slot], index < names.count else {
            throw ONNXExportError.op(op, "has no input '\(slot)'")
        }
        return names[index]
    }

    /// The value of parameter `name`, which `op` reads.
    func param(_ name: String, for op: OpDesc) throws -> Tensor {
        guard let t = params[name] else {
            throw ONNXExportError.op(op, "reads the parameter '\(name)', which has no stored value")
        }
        return t
    }

    /// The stored `InScale` of an activation quantizer: its var name and its one f32 value.
    /// - Throws: `ONNXExportError` when it has no stored value or is not one f32 value.
    func storedScale(of op: OpDesc) throws -> (name: String, value: Float) {
        let name = try inputName(op, "InScale")
        let t = try param(name, for: op)
        guard t.dtype == .f32, t.count == 1 else { throw ONNXExportError.op(op, "scale '\(name)' must be one f32 value, is \(t.dtype)\(t.shape)") }
        return (name, t.floats[0])
    }

    /// The slim var name of output `slot` of `op`.
    func outputName(_ op: OpDesc, _ slot: String, _ index: Int = 0) throws -> String {
        guard let names = op.outputs[slot], index < names.count else {
            throw ONNXExportError.op(op, "has no output '\(slot)'")
        }
        return names[index]
    }

    /// Names output `slot` of `op` in the graph (the slim name when free) and records it as a float.
    mutating func output(_ op: OpDesc, _ slot: String, _ index: Int = 0) throws -> String {
        let name = try outputName(op, slot, index)
        let onnx = graph.claim(name)
        values[name] = .float(onnx)
        return onnx
    }

    /// Records that slim var `name` is `value` in the graph (no node).
    mutating func set(_ name: String, _ value: ExportedValue) {
        values[name] = value
    }
}
