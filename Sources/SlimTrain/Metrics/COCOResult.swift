import Foundation

/// COCO box AP summary (`COCOeval.stats[0...5]` for `iouType='bbox'`), each in [0, 1], or `nil` where
/// pycocotools prints -1: no category has a non-ignored ground truth in that area range.
public struct COCOResult: Codable, Equatable, Sendable, CustomStringConvertible {
    /// AP averaged over IoU 0.50:0.05:0.95, all areas, 100 detections per image and category.
    public var ap: Double?
    /// AP at IoU 0.50 and at IoU 0.75.
    public var ap50: Double?
    public var ap75: Double?
    /// AP over IoU 0.50:0.95 for ground truth areas in [0, 32²], [32², 96²] and [96², 1e10].
    public var apSmall: Double?
    public var apMedium: Double?
    public var apLarge: Double?

    public init(ap: Double?, ap50: Double?, ap75: Double?, apSmall: Double?, apMedium: Double?, apLarge: Double?) {
        self.ap = ap
        self.ap50 = ap50
        self.ap75 = ap75
        self.apSmall = apSmall
        self.apMedium = apMedium
        self.apLarge = apLarge
    }

    public var description: String {
        let parts: [(String, Double?)] = [("AP", ap), ("AP50", ap50), ("AP75", ap75),
                                          ("APs", apSmall), ("APm", apMedium), ("APl", apLarge)]
        return parts.map { "\($0.0) \($0.1.map { String(format: "%.4f", $0) } ?? "n/a")" }.joined(separator: "  ")
    }
}
