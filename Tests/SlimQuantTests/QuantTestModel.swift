import SlimGraph
import SlimQuant
import SlimTensor

/// A small classifier with builder names: conv2d -> relu -> mul (fc) -> elementwise_add -> softmax.
enum QuantTestModel {
    static let batch = 2

    static var program: Program {
        Program(vars: [
            VarDesc(name: "image", shape: [-1, 2, 5, 5]),
            VarDesc(name: "conv2d_0.w_0", shape: [3, 2, 3, 3], persistable: true, trainable: true),
            VarDesc(name: "conv2d_0.tmp_0", shape: [-1, 3, 3, 3]),
            VarDesc(name: "relu_0.tmp_0", shape: [-1, 3, 3, 3]),
            VarDesc(name: "fc_0.w_0", shape: [27, 4], persistable: true, trainable: true),
            VarDesc(name: "fc_0.b_0", shape: [4], persistable: true, trainable: true),
            VarDesc(name: "fc_0.tmp_0", shape: [-1, 4]),
            VarDesc(name: "fc_0.tmp_1", shape: [-1, 4]),
            VarDesc(name: "fc_0.tmp_2", shape: [-1, 4]),
        ], ops: [
            OpDesc(type: "conv2d", inputs: ["Input": ["image"], "Filter": ["conv2d_0.w_0"]], outputs: ["Output": ["conv2d_0.tmp_0"]],
                   attrs: ["strides": .ints([1, 1]), "paddings": .ints([0, 0]), "dilations": .ints([1, 1]), "groups": .int(1)]),
            OpDesc(type: "relu", inputs: ["X": ["conv2d_0.tmp_0"]], outputs: ["Out": ["relu_0.tmp_0"]]),
            OpDesc(type: "mul", inputs: ["X": ["relu_0.tmp_0"], "Y": ["fc_0.w_0"]], outputs: ["Out": ["fc_0.tmp_0"]],
                   attrs: ["x_num_col_dims": .int(1), "y_num_col_dims": .int(1)]),
            OpDesc(type: "elementwise_add", inputs: ["X": ["fc_0.tmp_0"], "Y": ["fc_0.b_0"]], outputs: ["Out": ["fc_0.tmp_1"]],
                   attrs: ["axis": .int(1)]),
            OpDesc(type: "softmax", inputs: ["X": ["fc_0.tmp_1"]], outputs: ["Out": ["fc_0.tmp_2"]]),
        ], feeds: ["image"], fetches: ["fc_0.tmp_2"])
    }

    /// Seeded weights.
    static func params(seed: UInt64 = 1) -> [String: Tensor] {
        var g = SeededGenerator(seed: seed)
        func random(_ shape: [Int], _ range: ClosedRange<Float>) -> Tensor {
            Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in Float.random(in: range, using: &g) })
        }
        return ["conv2d_0.w_0": random([3, 2, 3, 3], -0.5...0.5), "fc_0.w_0": random([27, 4], -0.3...0.3),
                "fc_0.b_0": random([4], -0.1...0.1)]
    }

    /// A seeded batch of images.
    static func images(seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor(shape: [batch, 2, 5, 5], floats: (0..<(batch * 50)).map { _ in Float.random(in: -1...1, using: &g) })
    }
}
