import Foundation
import SlimGraph
import SlimTensor

/// How the int8 ops call a SlimTensor int8 kernel so that the result is exact on every CPU:
/// u8 activations (values 0...bin <= 127, the non-negative case: after ReLU) go straight to the
/// kernel, which is exact for them everywhere; s8 activations (signed: the normalized image, an
/// fc input without ReLU) too when the CPU has AVX-512 VNNI (`Kernels.int8IsExact`), and else
/// through `Int8SignedInput` (one exact u8 product on the positive and negative parts).
enum Int8Execution {
    /// Whether `x` can go to the kernel as it is (else: `Int8SignedInput`).
    static func isDirect(_ x: Tensor) -> Bool { x.dtype == .u8 || Kernels.int8IsExact }

    /// `x` as the kernel takes it with `w`: itself, or (`isDirect` false) `split`'s doubled input
    /// and weights. The op's first call counts it in `productOps`, and in `signedInputOps` when split.
    /// `signedIsExact`: the caller made an s8 `x` exact with `w` another way (`Int8EvenWeights`).
    static func direct(_ x: Tensor, _ w: Tensor, op: OpDesc, plan: Int8OpPlan, signedIsExact: Bool = false,
                       split: (Tensor, Tensor) -> (Tensor, Tensor)) -> (Tensor, Tensor) {
        let isDirect = signedIsExact || isDirect(x)
        if !plan.counted {
            plan.counted = true
            let name = op.outputs.values.first?.first ?? op.type
            productOps.insert(name)
            if !isDirect { signedInputOps.insert(name) }
        }
        return isDirect ? (x, w) : split(x, w)
    }

    /// The int8 conv/matmul ops (by output name) that ran in this process, and those of them that
    /// ran on `Int8SignedInput`.
    static let productOps = LockedNames(), signedInputOps = LockedNames()

    final class LockedNames: @unchecked Sendable {
        private var names: Set<String> = []
        private let lock = NSLock()
        func insert(_ name: String) { lock.withLock { _ = names.insert(name) } }
        var count: Int { lock.withLock { names.count } }
        func contains(_ name: String) -> Bool { lock.withLock { names.contains(name) } }
    }

    /// The kernel's post-ops for `e`; with a residual a sum post-op (factor `residualScale`)
    /// first, so that it is added before the activation.
    static func postOps(_ e: Int8Epilogue, residual: Bool) -> [PostOp] {
        residual ? [.sum(scale: e.residualScale)] + e.postOps : e.postOps
    }

    /// The value of optional input `Bias` (at `position`, nil: none), checked to be f32 `[channels]`.
    static func bias(_ context: OpContext, _ position: InputPosition?, channels: Int) throws -> Tensor? {
        guard let position else { return nil }
        let b = try context.input(at: position)
        guard b.dtype == .f32, b.shape == [channels] else {
            throw GraphError("op '\(context.op.type)': Bias must be f32 [\(channels)], got \(b.dtype)\(b.shape)")
        }
        return b
    }

    /// The value of optional input `ResidualData` (at `position`, nil: none), checked to have the output's shape and a type
    /// the kernels can sum into the output: f32 into f32, u8 or s8 into u8 or s8 (bytes of the
    /// output's size). Handed over (`OpContext.takeInput`): when this op is its last reader in an
    /// eval run, the caller holds the only reference and the sum is written over its bytes.
    static func residual(_ context: OpContext, _ position: InputPosition?, shape: [Int], epilogue e: Int8Epilogue) throws -> Tensor? {
        guard let position else { return nil }
        // Read in a closure so that no reference outlives the check (the value is taken below).
        let (dtype, given) = try { let r = try context.input(at: position); return (r.dtype, r.shape) }()
        func integer(_ t: DType) -> Bool { t == .u8 || t == .s8 }
        guard given == shape, dtype == e.outputType || (integer(dtype) && integer(e.outputType)) else {
            throw GraphError("op '\(context.op.type)': ResidualData must be \(shape), f32 with out_dtype f32 or u8/s8 with out_dtype u8/s8, got \(dtype)\(given) and \(e.outputType)")
        }
        return context.takeInput(at: position)
    }

    /// Checks the epilogue's scale count against the output channels.
    static func check(_ e: Int8Epilogue, channels: Int, op: OpDesc) throws {
        guard e.outputScales.count == 1 || e.outputScales.count == channels else {
            throw GraphError("op '\(op.type)': \(e.outputScales.count) output_scales for \(channels) output channels")
        }
    }

    /// Checks the activation and weight dtypes.
    static func checkTypes(x: Tensor, w: Tensor, op: OpDesc, slots: (String, String)) throws {
        guard x.dtype == .u8 || x.dtype == .s8 else {
            throw GraphError("op '\(op.type)': \(slots.0) must be u8 or s8, got \(x.dtype)")
        }
        guard w.dtype == .s8 else { throw GraphError("op '\(op.type)': \(slots.1) must be s8, got \(w.dtype)") }
    }
}
