import SlimTensor

/// Top-k accuracy of class scores (Fluid `top_k` + `accuracy`).
///
/// A sample counts as correct when its label ranks among the `k` best scores. The rank of the
/// label `y` is the number of classes `j` with `s[j] > s[y]`, plus those with `s[j] == s[y]`
/// and `j < y` (a stable descending sort), so ties resolve deterministically.
public enum TopKAccuracy {
    /// Number of samples whose label is in the top `k`.
    /// - Parameters:
    ///   - scores: `[N, C]` f32 (logits or probabilities).
    ///   - labels: `[N, 1]` (or `[N]`) s32 class indices.
    /// - Precondition: shapes agree and labels are in `0..<C` (`Batch.checkLabels`, which
    ///   `Evaluator.outputs` runs on every batch it evaluates).
    public static func correct(scores: Tensor, labels: Tensor, k: Int) -> Int {
        precondition(scores.shape.count == 2 && labels.count == scores.shape[0], "scores \(scores.shape) vs labels \(labels.shape)")
        precondition(labels.dtype == .s32 && k > 0, "labels must be s32 and k > 0")
        let n = scores.shape[0], c = scores.shape[1]
        return scores.withUnsafeFloats { s in
            labels.withUnsafeElements(as: Int32.self) { y in
                var hits = 0
                for i in 0..<n {
                    let label = Int(y[i])
                    precondition(label >= 0 && label < c, "label \(label) outside 0..<\(c)")
                    let row = i * c, target = s[row + label]
                    var rank = 0
                    for j in 0..<c where s[row + j] > target || (s[row + j] == target && j < label) { rank += 1 }
                    if rank < k { hits += 1 }
                }
                return hits
            }
        }
    }

    /// Each row's top-1 class: the first class with the largest score (the rank-0 class above).
    public static func top1Classes(_ scores: Tensor) -> [Int] {
        precondition(scores.shape.count == 2, "scores \(scores.shape) must be [N, C]")
        let n = scores.shape[0], c = scores.shape[1]
        return scores.withUnsafeFloats { s in
            (0..<n).map { i in
                var best = 0
                for j in 1..<max(c, 1) where s[i * c + j] > s[i * c + best] { best = j }
                return best
            }
        }
    }

    /// Fraction of samples whose label is in the top `k` (0 for an empty batch).
    public static func accuracy(scores: Tensor, labels: Tensor, k: Int) -> Double {
        let n = scores.shape.first ?? 0
        return n == 0 ? 0 : Double(correct(scores: scores, labels: labels, k: k)) / Double(n)
    }
}
