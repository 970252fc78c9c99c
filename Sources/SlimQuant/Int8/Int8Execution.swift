import SlimGraph
import SlimTensor

/// How the int8 ops call a SlimTensor int8 kernel so that the result is exact on every CPU.
///
/// u8 activations (values 0...bin <= 127, the non-negative case: after ReLU) go straight to the
/// kernel, which is exact for them everywhere. s8 activations (signed: the normalized image, an
/// fc input without ReLU) are exact only with AVX-512 VNNI (`Kernels.int8IsExact`). Without it
/// they are split into two u8 tensors, `x = p - n` with `p = max(x, 0)`, `n = max(-x, 0)`, and
///
///     a = S * (conv(p) + b)                          first kernel call, f32
///     v = act(-S * conv(n) + a) = act(S * (conv(x) + b))   second call, sum post-op on a
///
/// so both products are exact u8 x s8 accumulations; u8/s8 outputs are then rounded (half away
/// from zero) from `v`, already clipped to the integer range by the epilogue's activation.
enum Int8Execution {
    /// One kernel call: (input u8/s8, bias, output scales, post-ops, residual for sum, output type).
    typealias Kernel = (Tensor, Tensor?, [Float], [PostOp], Tensor?, DType) -> Tensor

    /// Runs `kernel` on activation `x` (u8 or s8) with `epilogue`; a `residual` (f32, the output's
    /// shape, f32 output only) is added before the activation (a sum post-op).
    static func run(_ x: Tensor, bias: Tensor?, residual: Tensor? = nil, epilogue e: Int8Epilogue, kernel: Kernel) -> Tensor {
        let sum: [PostOp] = residual == nil ? [] : [.sum(scale: 1)]
        if x.dtype == .u8 || Kernels.int8IsExact {
            return kernel(x, bias, e.outputScales, sum + e.postOps, residual, e.outputType)
        }
        let (p, n) = split(x)
        let a = kernel(p, bias, e.outputScales, sum, residual, .f32)
        let v = kernel(n, nil, e.outputScales.map { -$0 }, [.sum(scale: 1)] + e.postOps, a, .f32)
        return e.outputType == .f32 ? v : Kernels.quantize(v, scale: 1, to: e.outputType)
    }

    /// `(max(x, 0), max(-x, 0))` of an s8 tensor, as u8 (|x| <= 127 in slim's symmetric range;
    /// -128 would not fit the negative part and is clamped to 127).
    static func split(_ x: Tensor) -> (Tensor, Tensor) {
        precondition(x.dtype == .s8, "split takes s8, got \(x.dtype)")
        var p = Tensor(shape: x.shape, dtype: .u8), n = Tensor(shape: x.shape, dtype: .u8)
        x.withUnsafeElements(as: Int8.self) { src in
            p.withUnsafeMutableElements(as: UInt8.self) { pos in
                n.withUnsafeMutableElements(as: UInt8.self) { neg in
                    for i in src.indices {
                        let v = Int(src[i])
                        pos[i] = UInt8(max(v, 0))
                        neg[i] = UInt8(min(max(-v, 0), 127))
                    }
                }
            }
        }
        return (p, n)
    }

    /// The value of optional input `Bias`, checked to be f32 `[channels]`.
    static func bias(_ context: OpContext, channels: Int) throws -> Tensor? {
        guard context.hasInput("Bias") else { return nil }
        let b = try context.input("Bias")
        guard b.dtype == .f32, b.shape == [channels] else {
            throw GraphError("op '\(context.op.type)': Bias must be f32 [\(channels)], got \(b.dtype)\(b.shape)")
        }
        return b
    }

    /// The value of optional input `ResidualData`, checked to be f32 of the output's shape (and the
    /// output to be f32: the kernels add a residual of the output's type).
    static func residual(_ context: OpContext, shape: [Int], epilogue e: Int8Epilogue) throws -> Tensor? {
        guard context.hasInput("ResidualData") else { return nil }
        let r = try context.input("ResidualData")
        guard r.dtype == .f32, r.shape == shape, e.outputType == .f32 else {
            throw GraphError("op '\(context.op.type)': ResidualData must be f32 \(shape) with out_dtype f32, got \(r.dtype)\(r.shape) and \(e.outputType)")
        }
        return r
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
