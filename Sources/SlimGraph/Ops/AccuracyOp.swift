import SlimTensor

/// `accuracy`: the fraction of rows of `Out` (scores [N, C]) whose `Label` (s32 [N, 1]) ranks
/// among the `k` best scores. The label's rank counts classes `j` with `s[j] > s[label]`, plus
/// those with `s[j] == s[label]` and `j < label` (a stable descending sort, as SlimTrain's
/// `TopKAccuracy`). Outputs `Accuracy` f32 [1], `Correct` s32 [1], `Total` s32 [1]; no gradient.
public enum AccuracyOp: Operator {
    public static let type = "accuracy"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let scores = try ShapeInference.shape(inputs, "Out", of: op), label = try ShapeInference.shape(inputs, "Label", of: op)
        try ShapeInference.requireRank(scores, [2], "Out", of: op)
        guard op.int("k", default: 1) >= 1 else { throw GraphError("op 'accuracy': k must be at least 1") }
        guard label.count == 2, label[1] == 1, ShapeInference.compatible(label[0], scores[0]) else {
            throw GraphError("op 'accuracy': Label \(label) does not match Out \(scores)", hints: ["Label is [N, 1] s32"])
        }
        return ["Accuracy": [[1]], "Correct": [[1]], "Total": [[1]]]
    }

    public static func forward(_ context: OpContext) throws {
        let scores = try context.floatInput("Out"), label = try context.input("Label")
        _ = try inferShapes(context.op, inputs: ["Out": [scores.shape], "Label": [label.shape]])
        guard label.dtype == .s32 else { throw GraphError("op 'accuracy': Label must be s32, not \(label.dtype)") }
        let k = context.op.int("k", default: 1), n = scores.shape[0], c = scores.shape[1]
        let correct = try scores.withUnsafeFloats { s in
            try label.withUnsafeElements(as: Int32.self) { y in
                var hits = 0
                for i in 0..<n {
                    let l = Int(y[i])
                    guard l >= 0 && l < c else { throw GraphError("op 'accuracy': label \(l) in row \(i) is outside 0..<\(c)") }
                    let row = i * c, target = s[row + l]
                    var rank = 0
                    for j in 0..<c where s[row + j] > target || (s[row + j] == target && j < l) { rank += 1 }
                    if rank < k { hits += 1 }
                }
                return hits
            }
        }
        context.setOutput("Accuracy", 0, Tensor(shape: [1], floats: [n == 0 ? 0 : Float(correct) / Float(n)]))
        context.setOutput("Correct", 0, Tensor(shape: [1], dtype: .s32, integers: [correct]))
        context.setOutput("Total", 0, Tensor(shape: [1], dtype: .s32, integers: [n]))
    }
}
