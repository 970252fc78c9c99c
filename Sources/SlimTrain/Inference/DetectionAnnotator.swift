import Foundation

/// Draws detections onto an image as PaddleDetection's `draw_bbox` does: each detection with
/// `score >= threshold` gets a 2-pixel outline in its class colour (`DetectionColormap`) and,
/// above its top-left corner, a box of that colour with `name score` (2 decimals) in white.
///
/// The picture keeps its size (boxes are in its pixels); gray images are drawn on an RGB copy so
/// the colours show. The 5x7 font is scaled by `max(1, min(W, H) / 320)`. A label that would start
/// above the image is drawn inside the box instead; everything is clipped to the image.
public struct DetectionAnnotator: Sendable {
    /// Lowest score drawn (`--draw_threshold`).
    public var threshold: Double
    /// Outline width in pixels.
    public var lineWidth: Int

    public init(threshold: Double = 0.5, lineWidth: Int = 2) {
        self.threshold = threshold
        self.lineWidth = lineWidth
    }

    /// The RGB copy of `image` with the detections of at least `threshold` drawn, lowest score
    /// first so the most confident boxes end on top.
    public func annotate(_ image: DecodedImage, detections: [DetectionBox], names: [String]?) -> DecodedImage {
        var canvas = image.converted(toChannels: 3)
        let scale = max(1, min(image.width, image.height) / 320)
        let drawn = detections.filter { $0.score >= threshold && $0.box.isFinite }.sorted { $0.score < $1.score }
        for d in drawn {
            let color = DetectionColormap.color(forClass: d.label)
            let (x0, y0) = (Self.pixel(d.box.xmin), Self.pixel(d.box.ymin))
            let (x1, y1) = (Self.pixel(d.box.xmax), Self.pixel(d.box.ymax))
            outline(&canvas, x0: x0, y0: y0, x1: x1, y1: y1, color: color)
            let text = Self.caption(DetectionPrediction.name(of: d.label, in: names), score: d.score)
            let size = ImageDrawing.textSize(text, scale: scale)
            let boxHeight = size.height + 2 * scale
            let top = y0 - boxHeight >= 0 ? y0 - boxHeight : y0
            ImageDrawing.fillRect(&canvas, x: x0 + 1, y: top, width: size.width + 2 * scale, height: boxHeight, color: color)
            ImageDrawing.drawText(text, on: &canvas, x: x0 + 1 + scale, y: top + scale, color: .white, background: nil, scale: scale)
        }
        return canvas
    }

    /// `name 0.93`.
    public static func caption(_ name: String, score: Double) -> String {
        "\(name) \(String(format: "%.2f", score))"
    }

    /// A coordinate as a pixel index, clamped to a range any image size can clip.
    static func pixel(_ v: Double) -> Int {
        Int(max(-1e6, min(1e6, v)).rounded(.down))
    }

    /// The rectangle's four sides, `lineWidth` pixels thick, inside the corners.
    private func outline(_ image: inout DecodedImage, x0: Int, y0: Int, x1: Int, y1: Int, color: ImageDrawing.Color) {
        let w = max(1, x1 - x0 + 1), h = max(1, y1 - y0 + 1), t = lineWidth
        ImageDrawing.fillRect(&image, x: x0, y: y0, width: w, height: t, color: color)
        ImageDrawing.fillRect(&image, x: x0, y: y1 - t + 1, width: w, height: t, color: color)
        ImageDrawing.fillRect(&image, x: x0, y: y0, width: t, height: h, color: color)
        ImageDrawing.fillRect(&image, x: x1 - t + 1, y: y0, width: t, height: h, color: color)
    }
}
