import Foundation
import SlimTensor

/// `cross_entropy` (Paddle 1.6) with `soft_label: true`: `X` [N, C] (probabilities, classes
/// last, any leading dims) and `Label` of the same shape (a distribution per row) give
///
///     Y[n] = -sum_c Label[n, c] * log(max(X[n, c], 1e-20))        Y: [N, 1]
///
/// (the floor keeps a zero probability finite, as Paddle's tolerable-value clip does).
/// Backward: `dX[n, c] = -Label[n, c] / max(X[n, c], 1e-20) * dY[n]`; `Label` gets no gradient
/// (Paddle's soft-label distillation stops it). Hard labels (`soft_label: false`) are not
/// supported: use `softmax_with_cross_entropy`.
public enum CrossEntropyOp: Operator {
    public static let type = "cross_entropy"
    static let floor: Float = 1e-20

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), label = try ShapeInference.shape(inputs, "Label", of: op)
        guard op.bool("soft_label", default: false) else {
            throw GraphError("op '\(type)': only soft_label is supported", hints: ["hard labels: use softmax_with_cross_entropy"])
        }
        guard x.count >= 2, label.count == x.count, zip(x, label).allSatisfy(ShapeInference.compatible) else {
            throw GraphError("op '\(type)': Label \(label) must have the shape of X \(x) (rank >= 2, classes last)")
        }
        return ["Y": [Array(x.dropLast()) + [1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let x = try context.floatInput("X"), label = try context.floatInput("Label")
        _ = try inferShapes(context.op, inputs: ["X": [x.shape], "Label": [label.shape]])
        let classes = x.shape.last!, rows = x.count / max(classes, 1)
        var y = Tensor(shape: Array(x.shape.dropLast()) + [1])
        y.withUnsafeMutableFloats { out in
            x.withUnsafeFloats { p in
                label.withUnsafeFloats { q in
                    for n in 0..<rows {
                        var sum: Float = 0
                        for c in 0..<classes { sum -= q[n * classes + c] * logf(max(p[n * classes + c], floor)) }
                        out[n] = sum
                    }
                }
            }
        }
        context.setOutput("Y", 0, y)
    }

    public static func backward(_ context: OpContext) throws {
        guard let dY = context.outputGrad("Y"), context.needsGrad("X") else { return }
        let x = try context.input("X"), label = try context.input("Label")
        let classes = x.shape.last!, rows = x.count / max(classes, 1)
        var dx = Tensor(shape: x.shape)
        dx.withUnsafeMutableFloats { d in
            x.withUnsafeFloats { p in
                label.withUnsafeFloats { q in
                    dY.withUnsafeFloats { g in
                        for n in 0..<rows {
                            for c in 0..<classes { let i = n * classes + c; d[i] = -q[i] / max(p[i], floor) * g[n] }
                        }
                    }
                }
            }
        }
        context.addInputGrad("X", 0, dx)
    }
}
