/// What calibration found: one threshold per quantized activation.
public struct CalibrationResult: Sendable, Equatable {
    /// The threshold `s` of each activation var the transform pass quantizes.
    public var scales: [String: Float]
    /// For `mix`: which method each activation's threshold came from.
    public var choices: [String: CalibrationAlgorithm]
    /// Batches observed (per pass).
    public var batches: Int

    public init(scales: [String: Float], choices: [String: CalibrationAlgorithm] = [:], batches: Int) {
        self.scales = scales
        self.choices = choices
        self.batches = batches
    }
}
