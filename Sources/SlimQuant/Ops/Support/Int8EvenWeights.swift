import SlimTensor

/// Exact s8 activations on CPUs without AVX-512 VNNI when the weights have 7 bits (`weight_bits: 7`,
/// as ONNX Runtime's `reduce_range` and PyTorch's fbgemm recommend for such CPUs).
///
/// Without VNNI oneDNN multiplies u8 by s8 with `vpmaddubsw`, which adds each pair of products into
/// an int16 with saturation. For an s8 source it adds 128 to every value (u8 0...255, subtracting
/// `128 Σ w` afterwards) and, so that a pair cannot saturate, halves the weights when it packs them
/// (rounding: an odd weight loses half a level) and doubles the output scales; the bias is halved
/// with the weights. With every weight level within -64...63, slim hands oneDNN the filter doubled
/// (even levels within -128...126): the halving gives the levels back exactly, a pair of products
/// is at most `255 * 64 * 2 = 32640`, the output scales are halved (oneDNN doubles them back) and
/// the bias doubled (oneDNN halves it back). Powers of two only, so the epilogue sees the same
/// accumulator, bias and scales as on a VNNI CPU: the output is the same, at the cost of one
/// convolution instead of `Int8SignedInput`'s two-part one over twice the input channels.
///
/// oneDNN's int8 matmul on such CPUs keeps the weights as they are (a pair of products saturates
/// with 8-bit ones): with 7-bit ones no pair can, so `int8_mul` takes the s8 input and the weights
/// as they are.
public enum Int8EvenWeights {
    /// Whether int8 convolutions use the doubled filter (default); false keeps the two-part split
    /// for every s8 input without VNNI, for comparing the two (tests, measurements).
    public nonisolated(unsafe) static var isEnabled = true

    /// Whether every level of `w` (s8) is within -64...63.
    static func fits(_ w: Tensor) -> Bool {
        precondition(w.dtype == .s8, "Int8EvenWeights takes s8 weights, got \(w.dtype)")
        return w.withUnsafeElements(as: Int8.self) { levels in levels.allSatisfy { (-64...63).contains($0) } }
    }

    /// `2 w` when every level of `w` (s8) is within -64...63, else nil.
    static func doubled(_ w: Tensor) -> Tensor? {
        guard fits(w) else { return nil }
        var out = Tensor(shape: w.shape, dtype: .s8)
        w.withUnsafeElements(as: Int8.self) { src in
            out.withUnsafeMutableElements(as: Int8.self) { dst in
                for i in 0..<src.count { dst[i] = src[i] &* 2 }
            }
        }
        return out
    }
}
