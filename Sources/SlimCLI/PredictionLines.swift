import Foundation
import SlimTensor
import SlimTrain

/// Per-image top-1 predictions as JSON lines `{"index": i, "label": y, "prediction": k}`, in data
/// order (`slim eval --output_predictions`). The prediction is the first class with the largest score.
struct PredictionLines {
    private(set) var text = ""
    private(set) var count = 0

    /// Adds a batch of `[N, C]` scores and `[N, 1]` s32 labels.
    mutating func add(scores: Tensor, labels: Tensor) {
        let labelValues = labels.withUnsafeElements(as: Int32.self) { Array($0) }
        for (label, best) in zip(labelValues, TopKAccuracy.top1Classes(scores)) {
            text += "{\"index\": \(count), \"label\": \(label), \"prediction\": \(best)}\n"
            count += 1
        }
    }

    func write(to path: String) throws {
        try OutputFile.write(Data(text.utf8), to: path, option: "--output_predictions")
    }
}
