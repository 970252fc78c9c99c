import Foundation
import SlimTensor

/// Per-image top-1 predictions as JSON lines `{"index": i, "label": y, "prediction": k}`, in data
/// order (`slim eval --output_predictions`). The prediction is the first class with the largest score.
struct PredictionLines {
    private(set) var text = ""
    private(set) var count = 0

    /// Adds a batch of `[N, C]` scores and `[N, 1]` s32 labels.
    mutating func add(scores: Tensor, labels: Tensor) {
        let n = scores.shape[0], c = scores.shape[1]
        let labelValues = labels.withUnsafeElements(as: Int32.self) { Array($0) }
        scores.withUnsafeFloats { s in
            for i in 0..<n {
                var best = 0
                for j in 1..<max(c, 1) where s[i * c + j] > s[i * c + best] { best = j }
                text += "{\"index\": \(count), \"label\": \(labelValues[i]), \"prediction\": \(best)}\n"
                count += 1
            }
        }
    }

    func write(to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
