import SlimTensor

/// PaddleDetection's `NormalizeBox`: box corners divided by the current image's width and
/// height (`x / W`, `y / H`), so they stay valid whatever size the image is resized to later
/// (`RandomShape`). What the YOLOv3 training program reads as `gt_box`.
public struct NormalizeBox: Transform, Sendable {
    public init() {}

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard var a = sample.annotations else { return }
        let w = Double(sample.image.width), h = Double(sample.image.height)
        for i in a.boxes.indices {
            let b = a.boxes[i]
            a.boxes[i] = BoundingBox(xmin: b.xmin / w, ymin: b.ymin / h, xmax: b.xmax / w, ymax: b.ymax / h)
        }
        sample.annotations = a
    }
}
