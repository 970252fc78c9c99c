import SlimConfig
import SlimGraph

extension ModelFactory {
    /// `architecture: YOLOv3` from the modules `YOLOv3` (`backbone: MobileNet`, `yolo_head:
    /// YOLOv3Head`), `MobileNet`, `YOLOv3Head` and `YOLOv3Loss`, as PaddleDetection's YAML
    /// spells them. `norm_type`, `norm_decay` and `YOLOv3Loss.batch_size` are accepted and not
    /// used (slim has one batch norm, and the optimizer's regularizer applies to every weight).
    static func yolov3(_ config: ModelConfig, imageShape: [Int], classes: Int, seed: UInt64) throws -> BuiltModel {
        let yolo = NodeValues(node: config.node("YOLOv3"), path: "YOLOv3")
        guard yolo.string("backbone", "MobileNet") == "MobileNet" else { throw yolo.error("backbone", "must be MobileNet") }
        guard yolo.string("yolo_head", "YOLOv3Head") == "YOLOv3Head" else { throw yolo.error("yolo_head", "must be YOLOv3Head") }
        let mobile = NodeValues(node: config.node("MobileNet"), path: "MobileNet")
        let headValues = NodeValues(node: config.node("YOLOv3Head"), path: "YOLOv3Head")
        let lossValues = NodeValues(node: config.node("YOLOv3Loss"), path: "YOLOv3Loss")
        let scale = try mobile.double("scale", 1)
        guard scale > 0 && scale <= 16 else { throw mobile.error("scale", "must be in (0, 16], got \(scale)") }
        let ignoreThresh = try lossValues.double("ignore_thresh", 0.7)
        guard (0...1).contains(ignoreThresh) else { throw lossValues.error("ignore_thresh", "must be in [0, 1], got \(ignoreThresh)") }
        let backbone: MobileNetBackbone, head: YOLOv3Head
        do {
            backbone = try MobileNetBackbone(convGroupScale: try mobile.double("conv_group_scale", 1), scale: scale,
                                             withExtraBlocks: try mobile.bool("with_extra_blocks", false))
        } catch let error as GraphError { throw mobile.error("conv_group_scale", error.message) }
        do {
            head = try YOLOv3Head(numClasses: classes,
                                  anchors: try pairs(headValues, "anchors") ?? YOLOv3Head.defaultAnchors,
                                  anchorMasks: try pairs(headValues, "anchor_masks") ?? YOLOv3Head.defaultAnchorMasks,
                                  ignoreThresh: ignoreThresh, labelSmooth: try lossValues.bool("label_smooth", true), scale: scale)
        } catch let error as GraphError { throw headValues.error("anchors", ([error.message] + error.hints).joined(separator: "; ")) }
        var yolov3 = YOLOv3(backbone: backbone, head: head)
        try nms(NodeValues(node: config.node("YOLOv3Head.nms"), path: "YOLOv3Head.nms"), into: &yolov3)
        do {
            return try yolov3.build(inputShape: imageShape, seed: seed)
        } catch let error as GraphError {
            throw ConfigError(error.message, at: config.node("architecture")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: error.hints)
        }
    }

    /// `YOLOv3Head.nms` (PaddleDetection's `MultiClassNMS`): thresholds in [0, 1], `nms_top_k`
    /// and `keep_top_k` -1 (all) or > 0, `nms_eta` in (0, 1].
    private static func nms(_ v: NodeValues, into model: inout YOLOv3) throws {
        model.scoreThreshold = try v.double("score_threshold", model.scoreThreshold)
        model.nmsThreshold = try v.double("nms_threshold", model.nmsThreshold)
        model.nmsTopK = try v.int("nms_top_k", model.nmsTopK)
        model.keepTopK = try v.int("keep_top_k", model.keepTopK)
        model.normalized = try v.bool("normalized", model.normalized)
        model.nmsEta = try v.double("nms_eta", model.nmsEta)
        model.backgroundLabel = try v.int("background_label", model.backgroundLabel)
        for (key, value) in [("score_threshold", model.scoreThreshold), ("nms_threshold", model.nmsThreshold)] where !(0...1).contains(value) {
            throw v.error(key, "must be in [0, 1], got \(value)")
        }
        for (key, value) in [("nms_top_k", model.nmsTopK), ("keep_top_k", model.keepTopK)] where value != -1 && value < 1 {
            throw v.error(key, "must be -1 (all) or > 0, got \(value)")
        }
        guard model.nmsEta > 0 && model.nmsEta <= 1 else { throw v.error("nms_eta", "must be in (0, 1], got \(model.nmsEta)") }
        guard model.backgroundLabel >= -1 else { throw v.error("background_label", "must be -1 (none) or a class id, got \(model.backgroundLabel)") }
    }

    /// A list of integer lists (`anchors: [[10, 13], ...]`), nil when absent.
    private static func pairs(_ v: NodeValues, _ key: String) throws -> [[Int]]? {
        guard let node = v.node?[key], node.scalarValue != .null || node.isSequence else { return nil }
        guard let items = node.items else { throw v.error(key, "expects a list of integer lists") }
        return try items.map { item in
            guard let inner = item.items else { throw v.error(key, "expects a list of integer lists") }
            return try inner.map { x in
                guard case .int(let i) = x.scalarValue else { throw v.error(key, "expects integers, found \(x.kindDescription)") }
                return i
            }
        }
    }
}
