import SlimGraph
import SlimTensor

/// Asymmetric uint8 activations in the int8 ops (attr `input_zero_point` z, 0...255): the input
/// holds `q + z` for the quantizer's centred value `q`, 0...255. `Int8LoweringPass` folds
/// `-z * Σ w[o]` into the op's `Bias` (so the accumulator is `Σ (x - z) w`), which is exact where
/// every tap reads the input; a padded convolution pads with z instead of 0 (`padded`), as ONNX
/// `QLinearConv` does, so a padded tap contributes `(z - z) w = 0` too. The convolution then runs
/// unpadded on the usual u8 kernel (the zero point never reaches oneDNN). This is the form of
/// `int8_mul` and of every op on CPUs without VNNI; with VNNI a convolution gets `input_shift` z
/// instead (oneDNN's source zero point, `Int8Conv2DOp`).
///
/// Without AVX-512 VNNI oneDNN is exact only for u8 in 0...127: the input is shifted to s8
/// (`x - 128`, `shiftedToSigned`) and goes through `Int8SignedInput`, with `128 * Σ w[o]` added
/// to the bias (`biasCorrection`); a depthwise convolution, exact on u8 up to 255 there, takes the
/// padded u8 input as it is.
enum Int8ZeroPoint {
    /// The op's `input_zero_point` attr (nil: a symmetric input).
    static func of(_ op: OpDesc) throws -> Int? {
        guard op.attrs["input_zero_point"] != nil else { return nil }
        let z = op.int("input_zero_point", default: 0)
        guard (0...255).contains(z) else { throw GraphError("op '\(op.type)': input_zero_point \(z) is outside 0...255") }
        return z
    }

    /// `x` [N, C, H, W] u8 padded by [top, left, bottom, right] with the value `z`.
    static func padded(_ x: Tensor, paddings p: [Int], value z: UInt8) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ph, pw) = (h + p[0] + p[2], w + p[1] + p[3])
        var y = Tensor(shape: [n, c, ph, pw], dtype: .u8)
        x.withUnsafeElements(as: UInt8.self) { src in
            y.withUnsafeMutableElements(as: UInt8.self) { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                d.initialize(repeating: z, count: dst.count)
                for plane in 0..<(n * c) {
                    for row in 0..<h {
                        (d + (plane * ph + row + p[0]) * pw + p[1]).update(from: s + (plane * h + row) * w, count: w)
                    }
                }
            }
        }
        return y
    }

    /// `x - 128` as s8 for u8 `x`.
    static func shiftedToSigned(_ x: Tensor) -> Tensor { Kernels.signBitFlipped(x) }

    /// `Σ w[o]` over each output's s8 weights: `channels` outputs of consecutive values (a conv
    /// filter), or of every `channels`-th value (`columns`: a [K, N] product weight).
    static func weightSums(_ w: Tensor, channels: Int, columns: Bool) -> [Double] {
        var sums = [Double](repeating: 0, count: channels)
        w.withUnsafeElements(as: Int8.self) { src in
            let block = src.count / channels
            for i in src.indices { sums[columns ? i % channels : i / block] += Double(src[i]) }
        }
        return sums
    }

    /// `bias + 128 * Σ w[o]` (`weightSums`), f32 [channels].
    static func biasCorrection(_ bias: Tensor?, weights w: Tensor, columns: Bool) -> Tensor {
        let channels = columns ? w.shape[1] : w.shape[0]
        let sums = weightSums(w, channels: channels, columns: columns)
        let b = bias?.floats ?? [Float](repeating: 0, count: channels)
        return Tensor(shape: [channels], floats: (0..<channels).map { b[$0] + Float(128 * sums[$0]) })
    }
}
