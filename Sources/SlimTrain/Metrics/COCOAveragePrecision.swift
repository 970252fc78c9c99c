/// COCO box AP as pycocotools' `COCOeval` (`iouType='bbox'`, default parameters) computes it:
/// `evaluate()`, `accumulate()` and the AP half of `summarize()`.
///
/// Each `update` is one image (images are taken in the order added, which breaks score ties between
/// images as ascending image ids do in pycocotools). Per image and category the matching is
/// `COCOImageEvaluation`'s: IoU thresholds `t_i = 0.5 + i * ((0.95 - 0.5) / 9)`, `i = 0..<10` (numpy's
/// `linspace`, last one exactly 0.95), the best 100 detections, crowds and out-of-range areas ignored.
/// Boxes are used as given, no pixel added (PaddleDetection's `bbox2out` widens pixel detections by
/// one, `w = xmax - xmin + 1`, before pycocotools sees them: add 1 to `xmax`, `ymax` to reproduce it).
///
/// **Per category** `k`, area range `a` and threshold `t`: the kept detections of all images are
/// ranked by score descending (stable: image order, then each image's ranking); ignored ones are
/// skipped by the counts but keep their rank. With `N` the non-ignored ground truths (the category
/// is left out of the mean when `N = 0`) and `TP_j`, `FP_j` the counts down to rank `j`:
/// `R_j = TP_j / N`, `P_j = TP_j / (TP_j + FP_j + ε)`, `ε = 2⁻⁵²` (`np.spacing(1)`); the envelope
/// `P̂_j = max_{i >= j} P_i`; at the 101 recall levels `r = 0, 0.01, ..., 1` (`i * 0.01`, as numpy)
/// `q(r) = P̂_j` for the first `j` with `R_j >= r`, 0 when there is none.
/// `AP_{k,a,t} = mean_r q(r)`.
///
/// **Summary**: AP = mean over the included categories and the 10 thresholds (area all); AP50 and
/// AP75 at `t = 0.5` and `t_5 = 0.75`; APs, APm, APl over ground truth areas `[0, 32²]`,
/// `[32², 96²]`, `[96², 1e10]`. A category without ground truth in a range, or an image without either,
/// adds nothing; a category with ground truth and no detection adds AP 0.
public struct COCOAveragePrecision: Sendable {
    /// `Params.iouThrs`.
    public static let iouThresholds: [Double] = linspace(0.5, 0.95, count: 10)
    /// `Params.recThrs`.
    public static let recallThresholds: [Double] = linspace(0, 1, count: 101)
    /// `Params.areaRng` for all, small, medium, large.
    public static let areaRanges: [ClosedRange<Double>] = [0...1e10, 0...1024, 1024...9216, 9216...1e10]
    /// `np.spacing(1)`.
    static let epsilon = Double.ulpOfOne

    /// numpy's `linspace(start, stop, count)`: `start + i * ((stop - start) / (count - 1))`, the last
    /// one exactly `stop` (so 0.57 is `57 * 0.01 = 0.5700000000000001`, as pycocotools compares it).
    static func linspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        let step: Double = (stop - start) / Double(count - 1)
        return (0..<count).map { i -> Double in i == count - 1 ? stop : Double(i) * step + start }
    }

    /// Detections kept per image and category (`maxDets[-1]`).
    public let maxDetections: Int
    /// Per category, its evaluation in each image holding a box of it, in image order.
    private var evaluations: [Int: [COCOImageEvaluation]] = [:]

    /// - Precondition: `maxDetections >= 1`.
    public init(maxDetections: Int = 100) {
        precondition(maxDetections >= 1, "maxDetections \(maxDetections) must be at least 1")
        self.maxDetections = maxDetections
    }

    /// Adds one image. Labels are category ids (any integers); `difficult` is not read.
    /// - Throws: `DataError.invalidConfiguration` for a non-finite score, coordinate or area (nothing recorded).
    public mutating func update(detections: [DetectionBox], groundTruths: [GroundTruthBox]) throws {
        try DetectionMetricInput.validate(detections: detections, groundTruths: groundTruths, classNum: nil)
        let labels = Set(detections.map(\.label)).union(groundTruths.map(\.label))
        for label in labels.sorted() {
            let evaluation = COCOImageEvaluation(
                detections: detections.filter { $0.label == label }, groundTruths: groundTruths.filter { $0.label == label },
                maxDetections: maxDetections, iouThresholds: Self.iouThresholds, areaRanges: Self.areaRanges)
            evaluations[label, default: []].append(evaluation)
        }
    }

    /// AP, AP50, AP75, APs, APm, APl of everything added.
    public var result: COCOResult {
        // curves[a][k] = [t][r] precisions, nil when category k has no ground truth in range a.
        let labels = evaluations.keys.sorted()
        let curves = Self.areaRanges.indices.map { a in labels.compactMap { precisions(evaluations[$0] ?? [], area: a) } }
        func mean(_ a: Int, _ thresholds: [Int]) -> Double? {
            guard !curves[a].isEmpty else { return nil }
            let total = curves[a].reduce(0.0) { sum, curve in thresholds.reduce(sum) { $0 + curve[$1].reduce(0, +) } }
            return total / Double(curves[a].count * thresholds.count * Self.recallThresholds.count)
        }
        let all = Array(Self.iouThresholds.indices)
        return COCOResult(ap: mean(0, all), ap50: mean(0, [0]), ap75: mean(0, [5]),
                          apSmall: mean(1, all), apMedium: mean(2, all), apLarge: mean(3, all))
    }

    /// `q(r)` at every threshold and recall level for one category and area range (`[t][r]`), or
    /// `nil` without a non-ignored ground truth.
    private func precisions(_ images: [COCOImageEvaluation], area a: Int) -> [[Double]]? {
        let positives = images.reduce(0) { $0 + $1.ranges[a].positives }
        guard positives > 0 else { return nil }
        let kept = images.enumerated().flatMap { i, image in image.scores.indices.map { (image: i, rank: $0) } }
        let ranked = kept.indices.sorted { x, y in
            let sx = images[kept[x].image].scores[kept[x].rank], sy = images[kept[y].image].scores[kept[y].rank]
            return sx != sy ? sx > sy : x < y
        }.map { kept[$0] }
        return Self.iouThresholds.indices.map { t in
            var tp = 0, fp = 0
            var recall: [Double] = [], precision: [Double] = []
            for (i, d) in ranked {
                let range = images[i].ranges[a]
                if !range.ignored[t][d] {
                    if range.matched[t][d] { tp += 1 } else { fp += 1 }
                }
                recall.append(Double(tp) / Double(positives))
                precision.append(Double(tp) / (Double(tp + fp) + Self.epsilon))
            }
            return Self.interpolated(precision: precision, recall: recall)
        }
    }

    /// `q(r)` at the 101 recall levels from a ranking's precision and (non-decreasing) recall.
    static func interpolated(precision: [Double], recall: [Double]) -> [Double] {
        var envelope = precision
        for j in stride(from: envelope.count - 1, to: 0, by: -1) where envelope[j] > envelope[j - 1] {
            envelope[j - 1] = envelope[j]
        }
        var q = Array(repeating: 0.0, count: recallThresholds.count)
        var j = 0
        for (r, level) in recallThresholds.enumerated() {
            while j < recall.count && recall[j] < level { j += 1 }
            if j == recall.count { break }
            q[r] = envelope[j]
        }
        return q
    }
}
