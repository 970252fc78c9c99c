import SlimGraph

/// A residual add that the INT8 engine runs on integers: the chain that fuses it requantizes into
/// the quantizer after it (scale `s_y`, `f = bin_y / s_y` levels per unit) and its sum post-op reads
/// the shortcut as 8-bit integers instead of f32:
///
///     y_q = clip(round(f · (scales · acc + shift) + (f / f_r) · r_q))      (then the activation's clip)
///
/// where `r_q` is the shortcut in `f_r` levels per unit, either
/// - the `Out` of a static quantizer of the shortcut that int8 ops read anyway (an identity
///   shortcut: the block input, `f_r = bin_x / s_x`): the float add no longer reads the block input,
///   so the chain before it can requantize straight into that quantizer; or
/// - the output of another fused chain that the add alone reads (a projection shortcut: 1x1 conv and
///   batch norm), which then requantizes into the add's output units (`f_r = f`, s8, or u8 after a
///   ReLU): the frozen program has no scale of its own for it.
///
/// The result differs from the frozen float program by the shortcut's rounding (at most half a level
/// of its quantizer, and for a projection clipping beyond `±s_y`), besides ties.
struct IntegerResidual {
    /// The integer var the sum post-op reads.
    var input: String
    /// The sum post-op's factor: the shortcut's units over the output's (`f / f_r`).
    var scale: Float

    /// The name of a projection shortcut's integer output.
    static func projectionName(_ end: String) -> String { end + ".int8" }

    /// Whether the chain's activation can run after an integer sum and the requantization clip.
    static func allows(_ activation: Int8Chain.Activation?) -> Bool {
        switch activation {
        case nil, .relu?, .relu6?, .leakyRelu?: return true
        case .hardSwish?, .hardSigmoid?: return false
        }
    }
}
