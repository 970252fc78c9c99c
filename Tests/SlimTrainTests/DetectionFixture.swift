@testable import SlimTrain

/// The fixed detection images of `bench/detection_metrics_reference.py`, generated from the same
/// SplitMix64 seed with the same sequence of draws (keep the two in step).
enum DetectionFixture {
    static let seed: UInt64 = 2024
    static let imageCount = 60
    static let labels = 4

    struct SplitMix64 {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// `[(detections, groundTruths)]`: 60 random images, then one with 120 detections.
    static func images() -> [(detections: [DetectionBox], groundTruths: [GroundTruthBox])] {
        var rng = SplitMix64(state: seed)
        var images: [(detections: [DetectionBox], groundTruths: [GroundTruthBox])] = []
        for _ in 0..<imageCount {
            var gts: [GroundTruthBox] = [], dets: [DetectionBox] = []
            for _ in 0..<rng.below(6) {
                let label = rng.below(labels)
                let x = Double(rng.below(1600)) / 4
                let y = Double(rng.below(1600)) / 4
                let w = Double(8 + rng.below(800)) / 4
                let h = Double(8 + rng.below(800)) / 4
                let difficult = rng.below(6) == 0
                let crowd = rng.below(10) == 0
                gts.append(GroundTruthBox(label: label, box: BoundingBox(xmin: x, ymin: y, xmax: x + w, ymax: y + h),
                                          difficult: difficult, isCrowd: crowd))
            }
            for gt in gts {
                for _ in 0..<rng.below(3) { dets.append(jittered(&rng, gt)) }
            }
            for _ in 0..<rng.below(3) {
                let label = rng.below(labels + 1)
                let x = Double(rng.below(1600)) / 4
                let y = Double(rng.below(1600)) / 4
                let w = Double(8 + rng.below(400)) / 4
                let h = Double(8 + rng.below(400)) / 4
                let score = Double(rng.below(50)) / 50
                dets.append(DetectionBox(label: label, score: score, xmin: x, ymin: y, xmax: x + w, ymax: y + h))
            }
            images.append((dets, gts))
        }
        let gts = [GroundTruthBox(label: 0, box: BoundingBox(xmin: 100, ymin: 100, xmax: 200, ymax: 180)),
                   GroundTruthBox(label: 0, box: BoundingBox(xmin: 150, ymin: 120, xmax: 260, ymax: 300))]
        var dets: [DetectionBox] = []
        for _ in 0..<120 {
            var det = jittered(&rng, gts[rng.below(2)])
            det.label = 0
            dets.append(det)
        }
        images.append((dets, gts))
        return images
    }

    /// A detection near `gt`: each corner moved by up to about an eighth of the box side.
    private static func jittered(_ rng: inout SplitMix64, _ gt: GroundTruthBox) -> DetectionBox {
        let b = gt.box
        let jx = 1 + Int((b.xmax - b.xmin) / 2)
        let jy = 1 + Int((b.ymax - b.ymin) / 2)
        let x0 = b.xmin + Double(rng.below(2 * jx + 1) - jx) / 4
        let y0 = b.ymin + Double(rng.below(2 * jy + 1) - jy) / 4
        var x1 = b.xmax + Double(rng.below(2 * jx + 1) - jx) / 4
        var y1 = b.ymax + Double(rng.below(2 * jy + 1) - jy) / 4
        if x1 - x0 < 0.25 { x1 = x0 + 1 }
        if y1 - y0 < 0.25 { y1 = y0 + 1 }
        var label = gt.label
        if rng.below(10) == 0 { label = rng.below(labels) }
        let score = Double(rng.below(50)) / 50
        return DetectionBox(label: label, score: score, xmin: x0, ymin: y0, xmax: x1, ymax: y1)
    }

    /// The same images with every coordinate divided by 512 (exact: a power of two).
    static func normalized(_ images: [(detections: [DetectionBox], groundTruths: [GroundTruthBox])])
        -> [(detections: [DetectionBox], groundTruths: [GroundTruthBox])] {
        func scaled(_ b: BoundingBox) -> BoundingBox {
            BoundingBox(xmin: b.xmin / 512, ymin: b.ymin / 512, xmax: b.xmax / 512, ymax: b.ymax / 512)
        }
        return images.map { dets, gts in
            (dets.map { DetectionBox(label: $0.label, score: $0.score, box: scaled($0.box)) },
             gts.map { GroundTruthBox(label: $0.label, box: scaled($0.box), difficult: $0.difficult, isCrowd: $0.isCrowd) })
        }
    }
}
