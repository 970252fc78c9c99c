/// PaddleDetection's YOLOv3 architecture (`ppdet/modeling/architectures/yolov3.py`) with a
/// MobileNet backbone, as one slim program holding both the training loss and the decoded,
/// NMS-filtered detections.
///
/// Feeds: `image` `[-1, 3, H, W]` and `im_size` `[-1, 2]` s32 (original h, w) for inference;
/// `gt_box` `[-1, B, 4]` as normalized xyxy (corners divided by the image's width and height,
/// what PaddleDetection's `NormalizeBox` gives, so boxes stay valid when `RandomShape` resizes
/// a batch; a padded box is all zeros and ignored), `gt_label` `[-1, B]` s32 and `gt_score`
/// `[-1, B]` for training. Where PaddleDetection's reader converts the boxes to center form
/// (`BboxXYXY2XYWH`), the program does: a `mul` by the fixed matrix `gt_box_to_cxcywh` gives
/// `yolov3_loss` its normalized center boxes. The image feed may be fed at other multiples of
/// 32 than `H` x `W` (every op takes its shapes from its inputs).
///
/// Loss: `sum_i reduce_mean(yolov3_loss(output_i))` over the three scales (stride 32, 16, 8).
/// Output `bbox`: `multiclass_nms_0.tmp_0` `[total, 6]` (label, score, xmin, ymin, xmax, ymax in
/// original-image pixels), per-image row counts in `multiclass_nms_0.tmp_1` (`rois_num`).
public struct YOLOv3: Sendable {
    public var backbone: MobileNetBackbone
    public var head: YOLOv3Head
    /// PaddleDetection's `num_max_boxes`: the padded box count B of the gt feeds.
    public var maxBoxes: Int
    /// `YOLOv3Head.nms` (PaddleDetection's `MultiClassNMS` defaults of `YOLOv3Head`);
    /// `scoreThreshold` is also `yolo_box`'s `conf_thresh`.
    public var scoreThreshold = 0.01, nmsTopK = 1000, keepTopK = 100, nmsThreshold = 0.45
    public var normalized = false, nmsEta = 1.0, backgroundLabel = -1

    /// PaddleDetection's default `num_max_boxes`.
    public static let defaultMaxBoxes = 50

    public init(backbone: MobileNetBackbone, head: YOLOv3Head, maxBoxes: Int = defaultMaxBoxes) {
        self.backbone = backbone
        self.head = head
        self.maxBoxes = maxBoxes
    }

    /// The program and initial parameters.
    /// - Parameter inputShape: `[3, H, W]`, H and W multiples of 32.
    /// - Throws: `GraphError` for an input shape the strides cannot divide.
    public func build(inputShape: [Int], seed: UInt64) throws -> BuiltModel {
        guard inputShape.count == 3, inputShape[1] % 32 == 0, inputShape[2] % 32 == 0, inputShape[1] > 0, inputShape[2] > 0 else {
            throw GraphError("YOLOv3 needs an image_shape [C, H, W] with H and W multiples of 32, got \(inputShape)",
                             hints: ["e.g. image_shape: [3, 320, 320]"])
        }
        var b = ProgramBuilder(seed: seed)
        let feeds = [FeedSpec(name: "image", shape: [-1] + inputShape, usage: .inference),
                     FeedSpec(name: "im_size", shape: [-1, 2], dtype: .s32, usage: .inference),
                     FeedSpec(name: "gt_box", shape: [-1, maxBoxes, 4], usage: .training),
                     FeedSpec(name: "gt_label", shape: [-1, maxBoxes], dtype: .s32, usage: .training),
                     FeedSpec(name: "gt_score", shape: [-1, maxBoxes], usage: .training)]
        for f in feeds { b.feed(f.name, shape: f.shape, dtype: f.dtype) }
        let outputs = head.outputs(&b, features: backbone.features(&b, image: "image"))
        let (boxes, counts) = prediction(&b, outputs: outputs)
        let gtBox = b.normalizedCenterBoxes("gt_box", width: 1, height: 1, name: "gt_box_to_cxcywh")
        let loss = self.loss(&b, outputs: outputs, gtBox: gtBox)
        b.fetch([boxes, counts, loss])
        let interface = ModelInterface(feeds: feeds, loss: loss, outputs: [OutputSpec(name: "bbox", variable: boxes),
                                                                           OutputSpec(name: "bbox_num", variable: counts)], metric: .voc)
        return BuiltModel(program: b.program, params: b.params, interface: interface)
    }

    func loss(_ b: inout ProgramBuilder, outputs: [String], gtBox: String) -> String {
        var losses: [String] = []
        for (i, x) in outputs.enumerated() {
            let perImage = b.yolov3Loss(x, gtBox: gtBox, anchors: head.anchors.flatMap { $0 }, anchorMask: head.anchorMasks[i],
                                        classNum: head.numClasses, ignoreThresh: head.ignoreThresh,
                                        downsampleRatio: 32 >> i, labelSmooth: head.labelSmooth)
            losses.append(b.reduceMeanAll(perImage))
        }
        return losses.dropFirst().reduce(losses[0]) { b.add($0, $1) }
    }

    func prediction(_ b: inout ProgramBuilder, outputs: [String]) -> (String, String) {
        var boxes: [String] = [], scores: [String] = []
        for (i, x) in outputs.enumerated() {
            let (box, score) = b.yoloBox(x, imSize: "im_size", anchors: head.maskAnchors(i), classNum: head.numClasses,
                                         confThresh: scoreThreshold, downsampleRatio: 32 >> i)
            boxes.append(box)
            scores.append(b.transpose(score, perm: [0, 2, 1]))
        }
        return b.multiclassNMS(boxes: b.concat(boxes, axis: 1), scores: b.concat(scores, axis: 2),
                               scoreThreshold: scoreThreshold, nmsTopK: nmsTopK, keepTopK: keepTopK, nmsThreshold: nmsThreshold,
                               normalized: normalized, nmsEta: nmsEta, backgroundLabel: backgroundLabel)
    }

    /// The raw head outputs of a YOLOv3 program (the `X` of each `yolo_box`, stride 32 first):
    /// where an inference program ends when the decoding (`yolo_box`) and `multiclass_nms` run
    /// as a post-process. Empty for a program without `yolo_box`.
    public static func headOutputs(of program: Program) -> [String] {
        program.ops.filter { $0.type == "yolo_box" }.compactMap { $0.inputs["X"]?.first }
    }
}
