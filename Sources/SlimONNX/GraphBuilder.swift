import Foundation

/// Accumulates the nodes and initializers of an ONNX graph and keeps every value name unique.
///
/// Value names come from the slim program where one exists (`conv2d_0.tmp_0`); names the export
/// invents (`x.quantized.dequantized`, `fc_0.w_0.scale`) get a numeric suffix if already taken.
struct GraphBuilder {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var taken: Set<String>
    private var nodeCounts: [String: Int] = [:]
    /// Scalar constants already emitted, by (dtype, bit pattern).
    private var scalars: [String: String] = [:]

    /// - Parameter reserved: names only `claim(_:)` may hand out (the program's var names).
    init(reserved: Set<String>) {
        taken = reserved
        reservedNames = reserved
    }

    private let reservedNames: Set<String>
    private var claimed: Set<String> = []

    /// `name` itself the first time a reserved name is claimed, else a fresh unique variant.
    mutating func claim(_ name: String) -> String {
        if reservedNames.contains(name), !claimed.contains(name) {
            claimed.insert(name)
            return name
        }
        return fresh(name)
    }

    /// Whether `claim(name)` would hand out `name` itself.
    func isFree(_ name: String) -> Bool {
        reservedNames.contains(name) ? !claimed.contains(name) : !taken.contains(name)
    }

    /// A name starting with `base` that is not used anywhere yet.
    mutating func fresh(_ base: String) -> String {
        var name = base, k = 1
        while taken.contains(name) {
            name = "\(base)_\(k)"
            k += 1
        }
        taken.insert(name)
        return name
    }

    /// Appends a node; its name is `<OpType>_<k>`.
    mutating func add(_ opType: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []) {
        let k = nodeCounts[opType, default: 0]
        nodeCounts[opType] = k + 1
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = "\(opType)_\(k)"
        node.input = inputs
        node.output = outputs
        node.attribute = attributes
        nodes.append(node)
    }

    /// Appends a node with one fresh output named from `base`; returns the output name.
    mutating func add(_ opType: String, _ inputs: [String], output base: String, _ attributes: [Onnx_AttributeProto] = []) -> String {
        let out = fresh(base)
        add(opType, inputs, [out], attributes)
        return out
    }

    /// Adds `tensor` as an initializer under a fresh name from `base` (or the claimed slim name
    /// when `claimed` is true); returns the name.
    mutating func initializer(_ tensor: Onnx_TensorProto, name base: String, claimed: Bool = false) -> String {
        var t = tensor
        t.name = claimed ? claim(base) : fresh(base)
        initializers.append(t)
        return t.name
    }

    /// A scalar f32 constant, shared by every user of the same value.
    mutating func scalar(_ value: Float, name base: String) -> String {
        let key = "f32:\(value.bitPattern)"
        if let name = scalars[key] { return name }
        let name = initializer(.floats([value], dims: []), name: base)
        scalars[key] = name
        return name
    }

    /// The uint8 zero point `z` (a scalar), shared.
    mutating func uint8Zero(_ z: UInt8) -> String {
        if let name = scalars["u8:\(z)"] { return name }
        let name = initializer(.uint8s([z], dims: []), name: "zero_point.uint8")
        scalars["u8:\(z)"] = name
        return name
    }

    /// The int8 zero point 0 (a scalar), shared.
    mutating func int8Zero() -> String {
        if let name = scalars["s8:0"] { return name }
        let name = initializer(.int8s([0], dims: []), name: "zero_point.int8")
        scalars["s8:0"] = name
        return name
    }
}
