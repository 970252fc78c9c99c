import SlimTensor

/// `softmax_with_cross_entropy`: `Logits` [N, C] (any leading dims, classes last) and hard
/// `Label` s32 [N, 1] give `Softmax = softmax(Logits)` and `Loss[n] = -log_softmax(Logits)[n, label_n]`,
/// computed stably through the log-softmax kernel (`x - max - log sum exp(x - max)`).
/// Rows labelled `ignore_index` (-100) have zero loss and gradient.
///
/// Backward: `dLogits[n, c] = (Softmax[n, c] - [c == label_n]) * dLoss[n]` (plus the softmax
/// gradient of `dSoftmax` when the loss also depends on `Softmax`; Paddle ignores it).
public enum SoftmaxWithCrossEntropyOp: Operator {
    public static let type = "softmax_with_cross_entropy"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let logits = try ShapeInference.shape(inputs, "Logits", of: op), label = try ShapeInference.shape(inputs, "Label", of: op)
        try checkAttrs(op, rank: logits.count)
        let rows = Array(logits.dropLast())
        guard label.count == logits.count, label.last == 1, zip(rows, label).allSatisfy(ShapeInference.compatible) else {
            throw GraphError("op '\(type)': Label \(label) does not match Logits \(logits)", hints: ["Label holds one class index per row: \(rows + [1])"])
        }
        return ["Softmax": [logits], "Loss": [rows + [1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let logits = try context.floatInput("Logits"), label = try context.input("Label")
        _ = try inferShapes(context.op, inputs: ["Logits": [logits.shape], "Label": [label.shape]])
        guard label.dtype == .s32 else { throw GraphError("op '\(type)': Label must be s32, not \(label.dtype)") }
        let classes = logits.shape.last!, rows = logits.count / max(classes, 1)
        let flat = logits.reshaped([rows, classes])
        let logp = Kernels.logSoftmax(flat, axis: 1)
        let ignore = context.op.int("ignore_index", default: -100)
        var loss = Tensor(shape: Array(logits.shape.dropLast()) + [1])
        try loss.withUnsafeMutableFloats { out in
            try logp.withUnsafeFloats { lp in
                try label.withUnsafeElements(as: Int32.self) { y in
                    for n in 0..<rows {
                        let c = Int(y[n])
                        if c == ignore { out[n] = 0; continue }
                        guard c >= 0 && c < classes else {
                            throw GraphError("op '\(type)': label \(c) in row \(n) is outside 0..<\(classes)")
                        }
                        out[n] = -lp[n * classes + c]
                    }
                }
            }
        }
        context.setOutput("Softmax", 0, Kernels.softmax(flat, axis: 1).reshaped(logits.shape))
        context.setOutput("Loss", 0, loss)
    }

    public static func backward(_ context: OpContext) throws {
        guard context.needsGrad("Logits") else { return }
        let softmax = try context.output("Softmax")
        if let dLoss = context.outputGrad("Loss") {
            let label = try context.input("Label")
            context.addInputGrad("Logits", 0, lossGradient(softmax: softmax, label: label, dLoss: dLoss, ignore: context.op.int("ignore_index", default: -100)))
        }
        if let dSoftmax = context.outputGrad("Softmax") {
            context.addInputGrad("Logits", 0, SoftmaxGradient.input(dy: dSoftmax, output: softmax, axis: softmax.shape.count - 1))
        }
    }

    /// `(softmax - onehot(label)) * dLoss` row by row.
    private static func lossGradient(softmax: Tensor, label: Tensor, dLoss: Tensor, ignore: Int) -> Tensor {
        let classes = softmax.shape.last!, rows = softmax.count / max(classes, 1)
        var dx = softmax
        dx.withUnsafeMutableFloats { d in
            label.withUnsafeElements(as: Int32.self) { y in
                dLoss.withUnsafeFloats { g in
                    for n in 0..<rows {
                        let c = Int(y[n]), row = n * classes
                        if c == ignore {
                            for j in 0..<classes { d[row + j] = 0 }
                            continue
                        }
                        d[row + c] -= 1
                        for j in 0..<classes { d[row + j] *= g[n] }
                    }
                }
            }
        }
        return dx
    }

    private static func checkAttrs(_ op: OpDesc, rank: Int) throws {
        guard rank >= 2 else { throw GraphError("op '\(type)': Logits needs rank >= 2 (rows, classes)") }
        guard !op.bool("soft_label", default: false) else {
            throw GraphError("op '\(type)': soft_label is not supported", hints: ["labels are s32 class indices [N, 1]"])
        }
        let axis = op.int("axis", default: -1)
        guard axis == -1 || axis == rank - 1 else {
            throw GraphError("op '\(type)': axis \(axis) is not supported, classes must be the last dim")
        }
    }
}
