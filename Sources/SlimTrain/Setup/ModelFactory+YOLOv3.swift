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
        do {
            return try YOLOv3(backbone: backbone, head: head).build(inputShape: imageShape, seed: seed)
        } catch let error as GraphError {
            throw ConfigError(error.message, at: config.node("architecture")?.mark ?? SourceMark(file: config.path, line: 1, column: 1),
                              notes: error.hints)
        }
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
