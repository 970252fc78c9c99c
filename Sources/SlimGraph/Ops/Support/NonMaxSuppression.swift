/// Paddle 1.6's per-image multi-class NMS (`multiclass_nms`), on f32 as Paddle computes it.
struct NonMaxSuppression {
    var scoreThreshold: Float
    var nmsTopK: Int
    var keepTopK: Int
    var nmsThreshold: Float
    var eta: Float
    var normalized: Bool
    var backgroundLabel: Int

    /// One kept detection: class and box index.
    struct Pick: Equatable {
        var label: Int
        var index: Int
    }

    /// The detections of one image, in output order: classes ascending, within a class by
    /// descending score (ties by box index). `boxes` holds `m` boxes of 4, `scores` `classes`
    /// rows of `m`.
    func select(boxes: UnsafeBufferPointer<Float>, scores: UnsafeBufferPointer<Float>, m: Int, classes: Int) -> [Pick] {
        var picks: [Pick] = []
        for c in 0..<classes where c != backgroundLabel {
            let row = UnsafeBufferPointer(rebasing: scores[(c * m)..<((c + 1) * m)])
            picks += suppress(boxes, row).map { Pick(label: c, index: $0) }
        }
        guard keepTopK > -1, picks.count > keepTopK else { return picks }
        func score(_ p: Pick) -> Float { scores[p.label * m + p.index] }
        let best = picks.sorted { a, b in
            let (sa, sb) = (score(a), score(b))
            if sa != sb { return sa > sb }
            return a.label != b.label ? a.label < b.label : a.index < b.index
        }.prefix(keepTopK)
        return best.sorted { a, b in a.label != b.label ? a.label < b.label : score(a) != score(b) ? score(a) > score(b) : a.index < b.index }
    }

    /// Greedy NMS of one class: boxes scoring above `scoreThreshold`, best `nmsTopK` by score
    /// (ties by index), each kept unless its IoU with an already kept box exceeds the adaptive
    /// threshold, which shrinks by `eta` after each keep while above 0.5.
    func suppress(_ boxes: UnsafeBufferPointer<Float>, _ scores: UnsafeBufferPointer<Float>) -> [Int] {
        var order = scores.indices.filter { scores[$0] > scoreThreshold }
        order.sort { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        if nmsTopK > -1, nmsTopK < order.count { order.removeLast(order.count - nmsTopK) }
        var kept: [Int] = [], threshold = nmsThreshold
        for i in order {
            let keep = kept.allSatisfy { jaccard(boxes, i, $0) <= threshold }
            guard keep else { continue }
            kept.append(i)
            if eta < 1, threshold > 0.5 { threshold *= eta }
        }
        return kept
    }

    /// IoU of boxes `a` and `b` (xmin, ymin, xmax, ymax); pixel boxes (`normalized` false) count
    /// `+1` on each side. 0 when they do not touch.
    func jaccard(_ boxes: UnsafeBufferPointer<Float>, _ a: Int, _ b: Int) -> Float {
        let (p, q) = (4 * a, 4 * b)
        if boxes[q] > boxes[p + 2] || boxes[q + 2] < boxes[p] || boxes[q + 1] > boxes[p + 3] || boxes[q + 3] < boxes[p + 1] { return 0 }
        let norm: Float = normalized ? 0 : 1
        let inter = (min(boxes[p + 2], boxes[q + 2]) - max(boxes[p], boxes[q]) + norm)
            * (min(boxes[p + 3], boxes[q + 3]) - max(boxes[p + 1], boxes[q + 1]) + norm)
        return inter / (area(boxes, p) + area(boxes, q) - inter)
    }

    /// Area of the box starting at `i`, 0 for an inverted box.
    func area(_ boxes: UnsafeBufferPointer<Float>, _ i: Int) -> Float {
        if boxes[i + 2] < boxes[i] || boxes[i + 3] < boxes[i + 1] { return 0 }
        let norm: Float = normalized ? 0 : 1
        return (boxes[i + 2] - boxes[i] + norm) * (boxes[i + 3] - boxes[i + 1] + norm)
    }
}
