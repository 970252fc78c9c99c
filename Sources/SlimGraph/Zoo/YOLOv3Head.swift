/// PaddleDetection's `YOLOv3Head` (`ppdet/modeling/anchor_heads/yolo_head.py`, release/0.1).
///
/// From the stride-32 feature map down to stride 8, scale `i` (after the first, the input is
/// `concat([route, block])`) runs the detection block `yolo_block.i`: two pairs of 1x1 (`c`) and
/// 3x3 (`2c`) conv + BN + `leaky_relu(0.1)` (`.0.0`, `.0.1`, `.1.0`, `.1.1`), a 1x1 `.2` (the
/// route) and a 3x3 `.tip`, with `c = 512 / 2^i`. The tip feeds `yolo_output.i.conv`, a 1x1
/// conv with bias to `len(anchor_masks[i]) * (5 + num_classes)` channels; the route feeds
/// `yolo_transition.i` (1x1, `256 / 2^i`) and a 2x `resize_nearest` into the next scale.
/// Channel counts are multiplied by `scale` (at least 8), slim's knob for small CPU runs.
public struct YOLOv3Head: Sendable {
    public var numClasses: Int
    /// `[w, h]` pixel sizes of every anchor.
    public var anchors: [[Int]]
    /// The anchors (indices into `anchors`) of each scale, stride 32 first.
    public var anchorMasks: [[Int]]
    /// `YOLOv3Loss.ignore_thresh`.
    public var ignoreThresh: Double
    /// `YOLOv3Loss.label_smooth`.
    public var labelSmooth: Bool
    public var scale: Double

    public static let defaultAnchors = [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]]
    public static let defaultAnchorMasks = [[6, 7, 8], [3, 4, 5], [0, 1, 2]]

    /// - Throws: `GraphError` for a bad class count, anchor, or mask (naming it).
    public init(numClasses: Int, anchors: [[Int]] = defaultAnchors, anchorMasks: [[Int]] = defaultAnchorMasks,
                ignoreThresh: Double = 0.7, labelSmooth: Bool = true, scale: Double = 1) throws {
        guard numClasses > 0 else { throw GraphError("YOLOv3 num_classes must be positive, got \(numClasses)") }
        guard !anchors.isEmpty, anchors.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 > 0 } }) else {
            throw GraphError("YOLOv3Head anchors must be [w, h] pairs of positive sizes", hints: ["got \(anchors)"])
        }
        guard anchorMasks.count == 3, anchorMasks.allSatisfy({ !$0.isEmpty && $0.allSatisfy { anchors.indices.contains($0) } }) else {
            throw GraphError("YOLOv3Head anchor_masks must be 3 non-empty lists of indices into the \(anchors.count) anchors",
                             hints: ["got \(anchorMasks)"])
        }
        guard scale > 0 else { throw GraphError("YOLOv3 scale must be positive, got \(scale)") }
        self.numClasses = numClasses
        self.anchors = anchors
        self.anchorMasks = anchorMasks
        self.ignoreThresh = ignoreThresh
        self.labelSmooth = labelSmooth
        self.scale = scale
    }

    func width(_ c: Int) -> Int { max(8, Int(Double(c) * scale)) }

    /// The raw outputs `[N, A_i * (5 + C), H_i, W_i]` of the three scales, stride 32 first.
    /// - Parameter features: the backbone's maps at stride 8, 16, 32.
    public func outputs(_ b: inout ProgramBuilder, features: [String]) -> [String] {
        var outputs: [String] = []
        var route: String?
        for (i, feature) in features.reversed().enumerated() {
            let block = route.map { b.concat([$0, feature], axis: 1) } ?? feature
            let (r, tip) = detectionBlock(&b, block, channels: width(512 >> i), name: "yolo_block.\(i)")
            outputs.append(b.namedConv1x1(tip, filters: anchorMasks[i].count * (5 + numClasses), name: "yolo_output.\(i).conv"))
            if i < features.count - 1 {
                let t = convLeaky(&b, r, filters: width(256 >> i), kernel: 1, name: "yolo_transition.\(i)")
                route = b.resizeNearest(t, scale: 2)
            }
        }
        return outputs
    }

    private func detectionBlock(_ b: inout ProgramBuilder, _ x: String, channels: Int, name: String) -> (route: String, tip: String) {
        var y = x
        for j in 0..<2 {
            y = convLeaky(&b, y, filters: channels, kernel: 1, name: "\(name).\(j).0")
            y = convLeaky(&b, y, filters: channels * 2, kernel: 3, name: "\(name).\(j).1")
        }
        let route = convLeaky(&b, y, filters: channels, kernel: 1, name: "\(name).2")
        return (route, convLeaky(&b, route, filters: channels * 2, kernel: 3, name: "\(name).tip"))
    }

    private func convLeaky(_ b: inout ProgramBuilder, _ x: String, filters: Int, kernel: Int, name: String) -> String {
        let y = b.convNorm(x, filters: filters, kernel: kernel, padding: kernel / 2, names: .head(name))
        return b.leakyRelu(y, alpha: 0.1)
    }

    /// The anchors of scale `i`, flattened `[w0, h0, w1, h1, ...]`.
    func maskAnchors(_ i: Int) -> [Int] { anchorMasks[i].flatMap { anchors[$0] } }
}
