import Foundation

/// The top-k predictions of one image file, best first.
///
/// Encodes as `{"file": ..., "predictions": [Prediction]}`; `slim infer` writes a list of these
/// to `predictions.json`.
public struct ImagePrediction: Codable, Equatable, Sendable {
    /// The image file as the user named it (the folder joined with the file name for `--infer_dir`).
    public var file: String
    public var predictions: [Prediction]

    public init(file: String, predictions: [Prediction]) {
        self.file = file
        self.predictions = predictions
    }

    /// `file: label (0.9312), label (0.0401), ...`, the line `slim infer` prints.
    public var summary: String {
        let ranked = predictions.map { "\($0.label) (\(Self.format($0.probability)))" }
        return "\(file): " + ranked.joined(separator: ", ")
    }

    /// A probability with 4 decimals.
    static func format(_ p: Float) -> String { String(format: "%.4f", Double(p)) }
}
