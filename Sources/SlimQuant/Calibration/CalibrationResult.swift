/// What calibration found: one threshold per quantized activation.
public struct CalibrationResult: Sendable, Equatable {
    /// The threshold `s` of each activation var the transform pass quantizes.
    public var scales: [String: Float]
    /// For `mix`: which method each activation's threshold came from.
    public var choices: [String: CalibrationAlgorithm]
    /// Batches observed (per pass).
    public var batches: Int
    /// The uint8 zero point of each activation calibrated asymmetrically (`ActivationMode.asymmetric`;
    /// empty for symmetric calibration).
    public var zeroPoints: [String: Int]

    public init(scales: [String: Float], choices: [String: CalibrationAlgorithm] = [:], batches: Int, zeroPoints: [String: Int] = [:]) {
        self.scales = scales
        self.choices = choices
        self.batches = batches
        self.zeroPoints = zeroPoints
    }
}
