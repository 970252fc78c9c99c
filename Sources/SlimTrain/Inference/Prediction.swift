/// One ranked class of a prediction: its id, its human-readable label and its probability.
///
/// Encodes as `{"label": ..., "class_id": ..., "probability": ...}` (the `predictions.json`
/// entry format of `slim infer`).
public struct Prediction: Codable, Equatable, Sendable {
    public var classID: Int
    public var label: String
    public var probability: Float

    public init(classID: Int, label: String, probability: Float) {
        self.classID = classID
        self.label = label
        self.probability = probability
    }

    enum CodingKeys: String, CodingKey {
        case label
        case classID = "class_id"
        case probability
    }
}
