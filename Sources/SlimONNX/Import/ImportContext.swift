import SlimGraph
import SlimTensor

/// The state of one import: the slim program and params built so far, the values known at
/// import time, and which slim var holds each ONNX value. Converters read the current `node`
/// through it and append slim ops with `emit`.
struct ImportContext {
    var program = Program()
    var params: [String: Tensor] = [:]
    /// ONNX value name -> value known at import time.
    var constants: [String: ImportedConstant] = [:]
    /// ONNX value name -> slim var name.
    var vars: [String: String] = [:]
    /// Slim var names taken so far.
    private var taken: Set<String> = []
    /// ONNX element type of each initializer and `Constant` tensor (QDQ zero points: int8 or uint8).
    var elementTypes: [String: Int32] = [:]
    /// QDQ state (`QDQImporter`).
    var qdq = QDQState()
    let opset: Int
    /// The node being converted.
    var node = Onnx_NodeProto()

    init(opset: Int) { self.opset = opset }

    // MARK: errors about the current node

    func unsupported(_ what: String) -> ONNXImportError { .unsupported(node, opset: opset, what) }
    func malformed(_ what: String) -> ONNXImportError { .malformed(node, opset: opset, what) }

    // MARK: inputs

    /// Whether input `i` of the node is given.
    func hasInput(_ i: Int) -> Bool { node.hasInput(i) }

    /// Input `i`'s value when it is known at import time.
    func constant(_ i: Int) -> ImportedConstant? { hasInput(i) ? constants[node.input[i]] : nil }

    /// Input `i`'s value, which must be known at import time (weights, shapes).
    func requireConstant(_ i: Int, _ role: String) throws -> ImportedConstant {
        guard hasInput(i) else { throw malformed("input \(i) (\(role)) is missing") }
        guard let c = constants[node.input[i]] else {
            throw unsupported("input \(i) (\(role)) '\(node.input[i])' is computed at run time; slim needs it constant")
        }
        return c
    }

    /// The slim var holding input `i` (a constant becomes a persistable var on first use).
    mutating func variable(_ i: Int) throws -> String {
        guard hasInput(i) else { throw malformed("input \(i) is missing") }
        let name = node.input[i]
        if let v = vars[name] { return v }
        guard let c = constants[name] else { throw malformed("input '\(name)' is not defined before this node") }
        guard !c.values.contains(where: \.isNaN) else {
            throw unsupported("input '\(name)' holds the run-time batch size; slim takes shapes only as Reshape targets")
        }
        let v = parameter(c.tensor, name: name)
        vars[name] = v
        return v
    }

    /// The static shape of slim var `v` (`-1` for the batch and other unknown dims).
    func shape(_ v: String) -> [Int] { program.variable(v)?.shape ?? [] }

    /// The shape of input `i`, known or constant.
    mutating func inputShape(_ i: Int) throws -> [Int] {
        if let c = constant(i) { return c.shape }
        return shape(try variable(i))
    }

    // MARK: outputs and names

    /// The slim var name for output `k` of the node (its sanitized ONNX name), bound to it.
    mutating func output(_ k: Int = 0) throws -> String {
        guard k < node.output.count, !node.output[k].isEmpty else { throw malformed("output \(k) is missing") }
        let v = reserve(node.output[k])
        vars[node.output[k]] = v
        return v
    }

    /// A fresh slim var name derived from `base`.
    mutating func temporary(_ base: String) -> String { reserve(base) }

    /// `name` made a slim var name: characters other than letters, digits and `_.-/:` become
    /// `_`; a name already taken gets a `.N` suffix.
    mutating func reserve(_ name: String) -> String {
        let allowed = Set("_.-/:")
        var base = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) ? $0 : "_" })
        if base.isEmpty { base = "v" }
        var candidate = base, n = 1
        while taken.contains(candidate) {
            candidate = "\(base).\(n)"
            n += 1
        }
        taken.insert(candidate)
        return candidate
    }

    /// Declares a persistable f32 var holding `value`, named after `name`.
    mutating func parameter(_ value: Tensor, name: String) -> String {
        let v = reserve(name)
        program.declare(VarDesc(name: v, shape: value.shape, persistable: true))
        params[v] = value
        return v
    }

    /// Binds output `k` to `v` (an op that passes its input through: Identity, Dropout).
    mutating func alias(_ k: Int, to v: String) {
        if k < node.output.count, !node.output[k].isEmpty { vars[node.output[k]] = v }
    }
}
