import Foundation

/// One detected object of one image, as `slim eval --output_predictions` and `slim infer`'s
/// `predictions.json` write it (PaddleDetection's bbox results with the class name added, the box
/// as corners instead of `[x, y, w, h]`).
///
/// Encodes as `{"image", "image_id"?, "label", "name", "score", "bbox": [xmin, ymin, xmax, ymax]}`:
/// `image` is the image file (the data set's path for eval, the path as named for infer),
/// `image_id` the data set's image id when it has one, `label` the class id, `name` its name
/// (the id as text when the names are unknown), `bbox` in original-image pixels.
public struct DetectionPrediction: Codable, Equatable, Sendable {
    public var image: String
    public var imageID: Int?
    public var label: Int
    public var name: String
    public var score: Double
    public var bbox: [Double]

    public init(image: String, imageID: Int? = nil, detection: DetectionBox, name: String) {
        self.image = image
        self.imageID = imageID
        label = detection.label
        self.name = name
        score = detection.score
        bbox = [detection.box.xmin, detection.box.ymin, detection.box.xmax, detection.box.ymax]
    }

    enum CodingKeys: String, CodingKey {
        case image, imageID = "image_id", label, name, score, bbox
    }

    /// The name of class `label` in `names`, else the id itself.
    public static func name(of label: Int, in names: [String]?) -> String {
        guard let names, label >= 0, label < names.count else { return String(label) }
        return names[label]
    }

    /// `predictions` as a pretty-printed JSON list with sorted keys and a final newline.
    public static func json(_ predictions: [DetectionPrediction]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(predictions) + Data("\n".utf8)
    }
}
