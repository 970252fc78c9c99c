import SlimGraph

/// Appends the ops of distillation losses to a program, naming their outputs `distill_<k>`.
struct LossBuilder {
    var program: Program
    private var counter = 0

    init(program: Program) { self.program = program }

    /// The declared shape of `name`.
    func shape(_ name: String) -> [Int] { program.variable(name)?.shape ?? [] }

    /// Appends `type` reading `inputs` (slot -> var) into a new var of `shape` in slot `out`.
    mutating func op(_ type: String, _ inputs: [String: String], out: String = "Out", shape: [Int], attrs: [String: Attribute] = [:]) -> String {
        let name = "distill_\(counter)"
        counter += 1
        program.declare(VarDesc(name: name, shape: shape))
        program.ops.append(OpDesc(type: type, inputs: inputs.mapValues { [$0] }, outputs: [out: [name]], attrs: attrs))
        return name
    }

    /// `scale * x`.
    mutating func scale(_ x: String, _ factor: Double) -> String {
        op("scale", ["X": x], shape: shape(x), attrs: ["scale": .float(factor), "bias": .float(0), "bias_after_scale": .bool(true)])
    }

    /// The mean of every element of `x`, [1].
    mutating func meanAll(_ x: String) -> String {
        op("reduce_mean", ["X": x], shape: [1], attrs: ["reduce_all": .bool(true), "keep_dim": .bool(false), "dim": .ints([0])])
    }

    /// `x + y` of two [1] losses, into `out` when given.
    mutating func add(_ x: String, _ y: String, out: String? = nil) -> String {
        guard let out else { return op("elementwise_add", ["X": x, "Y": y], shape: shape(x), attrs: ["axis": .int(-1)]) }
        program.ops.append(OpDesc(type: "elementwise_add", inputs: ["X": [x], "Y": [y]], outputs: ["Out": [out]], attrs: ["axis": .int(-1)]))
        return out
    }

    /// The FSP matrix of `a` [N, C1, H, W] and `b` [N, C2, H, W]: [N, C1, C2].
    mutating func fsp(_ a: String, _ b: String, distiller: String) throws -> String {
        let sa = shape(a), sb = shape(b)
        guard sa.count == 4, sb.count == 4, sa[2] == sb[2], sa[3] == sb[3] else {
            throw GraphError("distiller '\(distiller)': FSP pair '\(a)' \(sa) and '\(b)' \(sb) are not two feature maps [N, C, H, W] of the same H and W")
        }
        return op("fsp", ["X": a, "Y": b], shape: [-1, sa[1], sb[1]])
    }

    /// Throws unless `a` and `b` have the same shape (the batch dim aside).
    func requireSameShape(_ a: String, _ b: String, distiller: String, what: String? = nil) throws {
        let sa = Array(shape(a).dropFirst()), sb = Array(shape(b).dropFirst())
        guard sa == sb else {
            throw GraphError("distiller '\(distiller)': \(what ?? "'\(a)' and '\(b)'") differ in shape: \(shape(a)) and \(shape(b))",
                             hints: ["a distiller compares a student and a teacher feature map of the same shape"])
        }
    }
}
