import Foundation

/// The final lines of a training or evaluation stage.
public enum TrainingSummary {
    /// E.g. `trained 4 epochs (1876 batches, 120064 images) in 1:23  1447 img/s  best top1 0.8912 (epoch 3)`.
    /// - Parameters:
    ///   - best: the best epoch's primary eval value and the epoch.
    ///   - bestName: the name of that value (classification: `top1`).
    public static func format(epochs: Int, batches: Int, images: Int, seconds: Double,
                              best: (value: Double, epoch: Int)? = nil, bestName: String = "top1") -> String {
        var text = "trained \(epochs) epoch\(epochs == 1 ? "" : "s") (\(batches) batches, \(images) images) in "
            + ProgressReporter.formatDuration(seconds)
        if seconds > 0 { text += String(format: "  %.0f img/s", Double(images) / seconds) }
        if let best { text += "  best \(bestName) " + String(format: "%.4f (epoch %d)", best.value, best.epoch) }
        return text
    }

    /// E.g. `eval: loss 0.3121  top1 0.8870  top5 0.9972  (10000 samples)`.
    public static func format(eval result: EvalResult, label: String = "eval") -> String {
        "\(label): \(result)"
    }
}
