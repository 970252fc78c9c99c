import Foundation
import SlimTensor

/// PaddleDetection's box-aware `RandomCrop` (YAML tag `RandomCrop` under `sample_transforms`;
/// SSD-style): `aspect_ratio` `[min, max]`, `thresholds` (IoU), `scaling` `[min, max]`,
/// `num_attempts`, `allow_no_crop`, `cover_all_box`.
///
/// A sample without objects is kept. Otherwise the thresholds (plus "no crop" with
/// `allow_no_crop`) are shuffled and tried in turn; "no crop" keeps the sample. For a threshold
/// `t`, up to `num_attempts` windows: `s` uniform in `scaling`, aspect `a` uniform in
/// `[max(min, s^2), min(max, s^-2)]`, window `int(H s / sqrt(a))` x `int(W s sqrt(a))` at a
/// uniform offset (`0..<H-h`, `0..<W-w`). A window is rejected when the best IoU of a box with it
/// is below `t` (with `cover_all_box`, when any is), or when no box keeps its centre strictly
/// inside it (`x0 <= cx < x1`, likewise y) with positive area after clipping. The first window
/// accepted crops the image; the boxes whose centre is inside are clipped to it and moved to its
/// origin, the others dropped with their labels, scores and difficult flags. Every threshold
/// failing keeps the sample.
public struct RandomBoxCrop: Transform, Sendable {
    public let aspectRatio: (min: Double, max: Double)
    public let thresholds: [Double]
    public let scaling: (min: Double, max: Double)
    public let numAttempts: Int
    public let allowNoCrop: Bool
    public let coverAllBox: Bool

    /// - Throws: `DataError.invalidConfiguration` for ranges that are not `[min, max]` with
    ///   `0 < min <= max`, or a negative attempt count.
    public init(aspectRatio: [Double] = [0.5, 2], thresholds: [Double] = [0, 0.1, 0.3, 0.5, 0.7, 0.9], scaling: [Double] = [0.3, 1],
                numAttempts: Int = 50, allowNoCrop: Bool = true, coverAllBox: Bool = false) throws {
        for (name, v) in [("aspect_ratio", aspectRatio), ("scaling", scaling)] where v.count != 2 || v[0] <= 0 || v[0] > v[1] {
            throw DataError.invalidConfiguration("RandomCrop: \(name) must be [min, max] with 0 < min <= max, got \(v)")
        }
        guard numAttempts >= 0 else { throw DataError.invalidConfiguration("RandomCrop: num_attempts must be >= 0, got \(numAttempts)") }
        self.aspectRatio = (aspectRatio[0], aspectRatio[1])
        self.thresholds = thresholds
        self.scaling = (scaling[0], scaling[1])
        self.numAttempts = numAttempts
        self.allowNoCrop = allowNoCrop
        self.coverAllBox = coverAllBox
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard let annotations = sample.annotations, annotations.count > 0 else { return }
        var candidates: [Double?] = thresholds.map { $0 }
        if allowNoCrop { candidates.append(nil) }
        rng.shuffle(&candidates)
        let h = sample.image.height, w = sample.image.width
        for candidate in candidates {
            guard let t = candidate else { return }
            for _ in 0..<numAttempts {
                let s = rng.uniform(scaling.min, scaling.max)
                let a = rng.uniform(max(aspectRatio.min, s * s), min(aspectRatio.max, 1 / (s * s)))
                let cropH = Int(Double(h) * s / a.squareRoot()), cropW = Int(Double(w) * s * a.squareRoot())
                let y = rng.randint(0, h - cropH), x = rng.randint(0, w - cropW)
                guard cropH > 0, cropW > 0 else { continue }
                let crop = BoundingBox(xmin: Double(x), ymin: Double(y), xmax: Double(x + cropW), ymax: Double(y + cropH))
                let ious = annotations.boxes.map { Self.iou($0, crop) }
                if (ious.max() ?? 0) < t || (coverAllBox && (ious.min() ?? 0) < t) { continue }
                let (boxes, valid) = Self.cropBoxes(annotations.boxes, crop)
                guard !valid.isEmpty else { continue }
                sample.image = Self.crop(sample.image, x: x, y: y, width: cropW, height: cropH)
                var kept = annotations
                kept.boxes = boxes
                let set = Set(valid)
                kept.filter { set.contains($0) }
                sample.annotations = kept
                return
            }
        }
    }

    /// The reference's `_iou_matrix` entry: intersection (0 unless both sides positive) over
    /// union plus 1e-10.
    static func iou(_ a: BoundingBox, _ b: BoundingBox) -> Double {
        let iw = min(a.xmax, b.xmax) - max(a.xmin, b.xmin), ih = min(a.ymax, b.ymax) - max(a.ymin, b.ymin)
        let inter = iw > 0 && ih > 0 ? iw * ih : 0
        let union = (a.xmax - a.xmin) * (a.ymax - a.ymin) + (b.xmax - b.xmin) * (b.ymax - b.ymin) - inter
        return inter / (union + 1e-10)
    }

    /// Every box clipped to `crop` and moved to its origin, and the indices of those whose
    /// centre lies in `[x0, x1) x [y0, y1)` with positive area after clipping.
    static func cropBoxes(_ boxes: [BoundingBox], _ crop: BoundingBox) -> ([BoundingBox], [Int]) {
        var out: [BoundingBox] = [], valid: [Int] = []
        for (i, b) in boxes.enumerated() {
            let c = BoundingBox(xmin: max(b.xmin, crop.xmin) - crop.xmin, ymin: max(b.ymin, crop.ymin) - crop.ymin,
                                xmax: min(b.xmax, crop.xmax) - crop.xmin, ymax: min(b.ymax, crop.ymax) - crop.ymin)
            out.append(c)
            let cx = (b.xmin + b.xmax) / 2, cy = (b.ymin + b.ymax) / 2
            if crop.xmin <= cx, cx < crop.xmax, crop.ymin <= cy, cy < crop.ymax, c.xmin < c.xmax, c.ymin < c.ymax { valid.append(i) }
        }
        return (out, valid)
    }

    /// The `width` x `height` window at `(x, y)` (inside the image).
    static func crop(_ image: Image, x: Int, y: Int, width: Int, height: Int) -> Image {
        var out = Image(channels: image.channels, height: height, width: width)
        out.data.withUnsafeMutableBufferPointer { o in
            image.data.withUnsafeBufferPointer { s in
                for c in 0..<image.channels {
                    for row in 0..<height {
                        let from = (c * image.height + row + y) * image.width + x, to = (c * height + row) * width
                        for k in 0..<width { o[to + k] = s[from + k] }
                    }
                }
            }
        }
        return out
    }
}
