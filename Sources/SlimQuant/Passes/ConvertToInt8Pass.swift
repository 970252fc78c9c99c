import SlimGraph
import SlimTensor

/// Stores the weights of a frozen program as INT8, as Paddle Fluid 1.6's `ConvertToInt8Pass`:
/// each weight `w` of a quantized op (an op of `quantizableOpTypes` whose output a dequantizer
/// reads, i.e. one the freeze pass handled) is replaced by the persistable s8 var `<w>.int8`
/// holding the same integers; the float `w` is dropped when nothing else reads it. The graph is
/// otherwise unchanged.
///
/// The float kernels cannot read s8 weights: run the result through
/// `ConvertToInt8Pass.floatEmulationProgram(_:)` to evaluate it on the float kernels, or through
/// `Int8LoweringPass` to run it on the INT8 engine.
public struct ConvertToInt8Pass: Sendable {
    public var quantizableOpTypes: [String]
    /// Marks every residual add (an `elementwise_add` of two run-time values) with attr
    /// `int8_residual` true: the INT8 engine then sums its shortcut as 8-bit integers where it
    /// can (`IntegerResidual`), which is faster and rounds the shortcut to its quantizer's grid,
    /// a difference from the frozen float model that QAT did not see (off by default).
    public var integerResiduals: Bool

    public init(quantizableOpTypes: [String] = QuantizableOp.defaultTypes, integerResiduals: Bool = false) {
        self.quantizableOpTypes = quantizableOpTypes
        self.integerResiduals = integerResiduals
    }

    /// The attr that marks a residual add for integer summation.
    public static let integerResidualAttr = "int8_residual"

    /// Converts the weights in `program` and `params`.
    /// - Throws: `GraphError` when a weight value is missing or is not integers in -128...127
    ///   (the program was not frozen, or with `weight_bits` > 8).
    public func apply(to program: inout Program, params: inout [String: Tensor]) throws {
        try QuantizableOp.validate(quantizableOpTypes)
        let before = program.referencedVars
        var dequantized = Set<String>()
        for op in program.ops where QuantOps.dequantizeTypes.contains(op.type) { dequantized.formUnion(op.inputs["X"] ?? []) }
        var converted: [String: String] = [:]
        for i in program.ops.indices {
            let op = program.ops[i]
            guard quantizableOpTypes.contains(op.type), op.outputNames.contains(where: dequantized.contains) else { continue }
            for slot in QuantizableOp.inputSlots(of: op.type) {
                for (k, name) in (op.inputs[slot] ?? []).enumerated() {
                    guard let v = program.variable(name), v.persistable, v.dtype == .f32 else { continue }
                    if converted[name] == nil { converted[name] = try convert(v, program: &program, params: &params) }
                    program.ops[i].inputs[slot]?[k] = converted[name] ?? name
                }
            }
        }
        if integerResiduals {
            for i in program.ops.indices where program.ops[i].type == "elementwise_add" {
                let inputs = program.ops[i].inputNames
                guard inputs.count == 2, inputs.allSatisfy({ program.variable($0)?.persistable == false }) else { continue }
                program.ops[i].attrs[Self.integerResidualAttr] = .bool(true)
            }
        }
        program.removeUnreferenced(before, params: &params)
    }

    /// `apply(to:params:)` on the tensors of `scope`.
    public func apply(to program: inout Program, scope: Scope) throws {
        try apply(to: &program, params: &scope.tensors)
    }

    /// Declares `<w>.int8` and stores the integers of `w` in it.
    private func convert(_ w: VarDesc, program: inout Program, params: inout [String: Tensor]) throws -> String {
        guard let value = params[w.name], value.dtype == .f32 else {
            throw GraphError("converting to INT8 needs the f32 value of weight '\(w.name)'")
        }
        var integers: [Int] = []
        integers.reserveCapacity(value.count)
        for x in value.floats {
            guard x.rounded() == x, (-128...127).contains(x) else {
                throw GraphError("weight '\(w.name)' holds \(x), not an integer in -128...127",
                                 hints: ["run QuantizationFreezePass (weight_bits <= 8) before ConvertToInt8Pass"])
            }
            integers.append(Int(x))
        }
        let name = QuantNames.int8(w.name)
        try program.declareNew(VarDesc(name: name, shape: w.shape, dtype: .s8, persistable: true))
        params[name] = Tensor(shape: value.shape, dtype: .s8, integers: integers)
        return name
    }
}
