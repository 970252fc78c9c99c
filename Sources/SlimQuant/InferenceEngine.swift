import SlimGraph
import SlimTensor

/// Which engine runs a saved model for inference (`slim eval --engine`, `slim bench`).
///
/// - `int8`: slim's INT8 engine, `Int8LoweringPass` on the model (needs an INT8 model: s8 weights,
///   from `ConvertToInt8Pass`): real u8/s8 integer kernels.
/// - `float`: the float kernels; an INT8 model runs as its float emulation
///   (`ConvertToInt8Pass.floatEmulationProgram`, weights cast to f32), which computes what the
///   frozen float model computes.
public enum InferenceEngine: String, CaseIterable, Sendable {
    case int8, float

    /// Whether `program` is an INT8 model (it stores persistable integer weights).
    public static func isInt8Model(_ program: Program) -> Bool {
        program.persistables.contains { $0.dtype == .s8 || $0.dtype == .u8 }
    }

    /// The engine a model runs on unless told otherwise: int8 for an INT8 model, else float.
    public static func defaultEngine(for program: Program) -> InferenceEngine {
        isInt8Model(program) ? .int8 : .float
    }

    /// The program and params to execute the saved model (`program`, `params`) with this engine;
    /// registers the ops they need.
    /// - Throws: `GraphError` for `int8` on a model that is not INT8, or when lowering fails.
    public func executionModel(program: Program, params: [String: Tensor]) throws -> (program: Program, params: [String: Tensor]) {
        Int8Ops.register()
        switch self {
        case .float:
            return (InferenceEngine.isInt8Model(program) ? ConvertToInt8Pass.floatEmulationProgram(program) : program, params)
        case .int8:
            guard InferenceEngine.isInt8Model(program) else {
                throw GraphError("the int8 engine needs an INT8 model (s8 weights), this one stores f32 weights",
                                 hints: ["evaluate the int8/ directory `slim freeze` writes, or use --engine float"])
            }
            var (lowered, loweredParams) = (program, params)
            try Int8LoweringPass().apply(to: &lowered, params: &loweredParams)
            return (lowered, loweredParams)
        }
    }

    /// How many int8 convolutions and matmuls of this process read signed (s8) activations on a
    /// CPU without AVX-512 VNNI, and how many ran in all. Each of the first ran exactly as one u8
    /// product over the input's positive and negative parts (`Int8SignedInput`): twice the
    /// multiply-adds.
    public static var signedInputOps: (signed: Int, all: Int) {
        (Int8Execution.signedInputOps.count, Int8Execution.productOps.count)
    }

    /// Whether the int8 convolution or matmul writing `output` ran on the two-part split of its
    /// signed input (`Int8SignedInput`); nil when no such op has run in this process.
    public static func ranOnSignedSplit(_ output: String) -> Bool? {
        Int8Execution.productOps.contains(output) ? Int8Execution.signedInputOps.contains(output) : nil
    }

    /// A note for users after a run, when some int8 op read signed activations without VNNI (nil otherwise).
    public static var signedInputNote: String? {
        let (signed, all) = signedInputOps
        guard signed > 0 else { return nil }
        let isa = Kernels.isaName.hasPrefix("cpu_isa_") ? String(Kernels.isaName.dropFirst(8)) : Kernels.isaName
        return "note: this CPU has no AVX-512 VNNI (oneDNN ISA \(isa)): \(signed) of \(all) int8 convolutions and matmuls "
            + "read signed 8-bit activations and ran exactly as two unsigned halves, twice their multiply-adds; "
            + "convolutions with 7-bit weights (weight_bits: 7, --weight_bits 7) run them as one (docs/ARCHITECTURE.md, INT8 engine)"
    }

    /// One line saying what runs, e.g. `int8 (oneDNN u8/s8 kernels: 5 int8 ops, 1 fp32 op)`.
    public func summary(of executionProgram: Program) -> String {
        switch self {
        case .float:
            let emulated = executionProgram.ops.contains { $0.type == Int8ToFloatOp.type }
            return emulated ? "float (float emulation of the int8 model: s8 weights cast to f32)" : "float"
        case .int8:
            let integer = executionProgram.ops.filter { $0.type.hasPrefix("int8_") && $0.type != Int8ToFloatOp.type }.count
            let other = executionProgram.ops.count - integer
            return "int8 (oneDNN u8/s8 kernels: \(integer) int8 op\(integer == 1 ? "" : "s"), \(other) fp32 op\(other == 1 ? "" : "s"))"
        }
    }
}
