import SlimGraph
import SlimTensor

extension OpDesc {
    /// `paddings` ([ph, pw] or Paddle's [top, bottom, left, right]) in the kernels' order
    /// [top, left, bottom, right]. The op's `inferShapes` has validated the values.
    func int8PaddingsTLBR() throws -> [Int] {
        let p = ints("paddings", default: [0, 0])
        switch p.count {
        case 2: return [p[0], p[1], p[0], p[1]]
        case 4: return [p[0], p[2], p[1], p[3]]
        default: throw GraphError("op '\(type)': paddings needs 2 or 4 values, got \(p)")
        }
    }

    /// The convolution geometry of an `int8_conv2d` (the attrs of `conv2d`).
    func int8ConvGeometry() throws -> ConvGeometry {
        ConvGeometry(strides: ints("strides", default: [1, 1]), paddings: try int8PaddingsTLBR(),
                     dilations: ints("dilations", default: [1, 1]), groups: int("groups", default: 1))
    }

    /// The max-pooling geometry of an `int8_pool2d` (the attrs of `pool2d`) for input dims `x`.
    func int8PoolGeometry(input x: [Int]) throws -> PoolGeometry {
        if bool("global_pooling", default: false) {
            return PoolGeometry(kind: .max, kernel: [x[2], x[3]], strides: [1, 1])
        }
        return PoolGeometry(kind: .max, kernel: ints("ksize", default: []), strides: ints("strides", default: [1, 1]),
                            paddings: try int8PaddingsTLBR())
    }
}
