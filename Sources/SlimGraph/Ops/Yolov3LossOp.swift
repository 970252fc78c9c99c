import SlimTensor

/// `yolov3_loss` (Paddle 1.6): the YOLOv3 training loss of one head, `Loss` [N] per image.
///
/// `X` [N, M*(5+C), H, W] (M = anchor_mask.count slots of `tx, ty, tw, th, conf, cls_0..`),
/// `GTBox` [N, B, 4] (center x, y, w, h normalized to the input; w or h under 1e-6 marks an
/// unused row), `GTLabel` s32 [N, B], optional `GTScore` [N, B] (mixup weights, default 1).
/// With `S = downsample_ratio * H`, a grid of `H` on both axes (as Paddle) and σ the sigmoid:
///  - each gt picks the anchor (of all `anchors`) with the best IoU of shapes; when that anchor
///    is in `anchor_mask` (slot j) the cell (gj, gi) = (Int(y H), Int(x W)) of slot j is
///    positive: with `scale = (2 - w h) * score`, adds `scale * (SCE(tx, xH - gi) + SCE(ty, yH - gj)
///    + |tw - log(w S / anchor_w)| + |th - log(h S / anchor_h)|)` and `score * Σ_c SCE(cls_c,
///    c == label ? 1 - 1/C : 1/C)` (targets 1 and 0 without `use_label_smooth`);
///  - objectness: `score * SCE(conf, 1)` on positives, `SCE(conf, 0)` on the other cells
///    except those whose decoded box overlaps some gt with IoU > `ignore_thresh`.
/// SCE(x, t) = max(x, 0) - x t + log(1 + e^-|x|). Optional outputs `ObjectnessMask`
/// [N, M, H, W] (-1 ignored, 0 negative, score positive) and `GTMatchMask` s32 [N, B] (slot or
/// -1). Backward: dX = dLoss[n] * the exact gradient of the above (Paddle assigns instead of
/// adding where two gts land on one cell and slot; slot's terms add up here). A gt center at 1
/// is placed in the last cell (Paddle reads past the row there).
public enum Yolov3LossOp: Operator {
    public static let type = "yolov3_loss"

    public static func inferShapes(_ op: OpDesc, inputs: [String: [[Int]]]) throws -> [String: [[Int]]] {
        let x = try ShapeInference.shape(inputs, "X", of: op), box = try ShapeInference.shape(inputs, "GTBox", of: op)
        let label = try ShapeInference.shape(inputs, "GTLabel", of: op)
        try ShapeInference.requireRank(x, [4], "X", of: op)
        let terms = try attrs(op, h: 1, w: 1)
        guard ShapeInference.compatible(x[1], terms.anchorMask.count * (5 + terms.classes)) else {
            throw GraphError("op 'yolov3_loss': X has \(x[1]) channels, expected \(terms.anchorMask.count) masked anchors x (5 + \(terms.classes))")
        }
        var gtShapes = [label]
        if let score = inputs["GTScore"]?.first { gtShapes.append(score) }
        guard box.count == 3, box[2] == 4, ShapeInference.compatible(box[0], x[0]),
              gtShapes.allSatisfy({ $0.count == 2 && ShapeInference.compatible($0[0], box[0]) && ShapeInference.compatible($0[1], box[1]) }) else {
            throw GraphError("op 'yolov3_loss': GTBox \(box), GTLabel \(label) do not match X \(x)",
                             hints: ["GTBox is [N, B, 4], GTLabel and GTScore [N, B]"])
        }
        return ["Loss": [[x[0]]], "ObjectnessMask": [[x[0], terms.anchorMask.count, x[2], x[3]]], "GTMatchMask": [[x[0], box[1]]]]
    }

    public static func forward(_ context: OpContext) throws {
        let op = context.op
        let x = try context.floatInput("X"), box = try context.floatInput("GTBox"), label = try context.input("GTLabel")
        let score = context.hasInput("GTScore") ? try context.floatInput("GTScore") : nil
        var shapes = ["X": [x.shape], "GTBox": [box.shape], "GTLabel": [label.shape]]
        if let score { shapes["GTScore"] = [score.shape] }
        _ = try inferShapes(op, inputs: shapes)
        guard label.dtype == .s32 else { throw GraphError("op 'yolov3_loss': GTLabel must be s32, not \(label.dtype)") }
        let terms = try attrs(op, h: x.shape[2], w: x.shape[3])
        guard x.shape[2] > 0, x.shape[3] > 0 else { throw GraphError("op 'yolov3_loss': X \(x.shape) has an empty grid") }
        let (n, b) = (x.shape[0], box.shape[1]), per = x.count / max(n, 1)
        let boxes = box.floats, labels = label.withUnsafeElements(as: Int32.self) { $0.map(Int.init) }
        let scores = score?.floats ?? [Float](repeating: 1, count: n * b)
        var loss = [Float](repeating: 0, count: n), objectness: [Float] = [], match: [Int] = []
        var grad = [Float](repeating: 0, count: context.isTraining ? x.count : 0)
        try x.withUnsafeFloats { input in
            try grad.withUnsafeMutableBufferPointer { g in
                for i in 0..<n {
                    let gts = (0..<b).map { t in YoloV3LossTerms.Box(x: boxes[(i * b + t) * 4], y: boxes[(i * b + t) * 4 + 1],
                                                                      w: boxes[(i * b + t) * 4 + 2], h: boxes[(i * b + t) * 4 + 3]) }
                    let imageLabels = Array(labels[(i * b)..<((i + 1) * b)])
                    try checkGroundTruth(imageLabels, gts, classes: terms.classes, image: i)
                    let r = terms.evaluate(UnsafeBufferPointer(rebasing: input[(i * per)..<((i + 1) * per)]), boxes: gts, labels: imageLabels,
                                           scores: Array(scores[(i * b)..<((i + 1) * b)]),
                                           grad: g.isEmpty ? nil : UnsafeMutableBufferPointer(rebasing: g[(i * per)..<((i + 1) * per)]))
                    loss[i] = r.loss
                    objectness += r.objectness
                    match += r.match
                }
            }
        }
        if context.isTraining { context.saved["gradPerLoss"] = Tensor(shape: x.shape, floats: grad) }
        context.setOutput("Loss", 0, Tensor(shape: [n], floats: loss))
        context.setOutput("ObjectnessMask", 0, Tensor(shape: [n, terms.anchorMask.count, x.shape[2], x.shape[3]], floats: objectness))
        context.setOutput("GTMatchMask", 0, Tensor(shape: [n, b], dtype: .s32, integers: match))
    }

    public static func backward(_ context: OpContext) throws {
        guard let dLoss = context.outputGrad("Loss"), context.needsGrad("X") else { return }
        guard var grad = context.saved["gradPerLoss"] as? Tensor else {
            throw GraphError("op 'yolov3_loss': backward without a training forward")
        }
        let d = dLoss.floats, per = grad.count / max(d.count, 1)
        grad.withUnsafeMutableFloats { g in
            for (i, scale) in d.enumerated() {
                for k in (i * per)..<((i + 1) * per) { g[k] *= scale }
            }
        }
        context.addInputGrad("X", 0, grad)
    }

    /// Throws unless every used gt row (w and h not under 1e-6) is a finite normalized center box
    /// (within 0.01 of [0, 1]) with a label in 0..<classes.
    private static func checkGroundTruth(_ labels: [Int], _ gts: [YoloV3LossTerms.Box], classes: Int, image: Int) throws {
        for (t, gt) in gts.enumerated() where !(gt.w < 1e-6) && !(gt.h < 1e-6) {
            guard [gt.x, gt.y, gt.w, gt.h].allSatisfy(\.isFinite) else {
                throw GraphError("op 'yolov3_loss': GTBox of image \(image) box \(t) is not finite")
            }
            // Normalized center boxes: a box in pixels (no NormalizeBox) would give weights
            // 2 - w h far below 0 and a loss without a lower bound, so it is refused by name.
            let slack: Float = 0.01
            guard gt.w <= 1 + slack, gt.h <= 1 + slack, (-slack...(1 + slack)).contains(gt.x), (-slack...(1 + slack)).contains(gt.y) else {
                throw GraphError("op 'yolov3_loss': GTBox of image \(image) box \(t) is (\(gt.x), \(gt.y), \(gt.w), \(gt.h)), not a normalized center box in [0, 1]",
                                 hints: ["normalize the ground truth by the image size (PaddleDetection's NormalizeBox)"])
            }
            guard (0..<classes).contains(labels[t]) else {
                throw GraphError("op 'yolov3_loss': GTLabel \(labels[t]) of image \(image) box \(t) is outside 0..<\(classes)")
            }
        }
    }

    /// The loss settings from the attrs, for an H x W head.
    static func attrs(_ op: OpDesc, h: Int, w: Int) throws -> YoloV3LossTerms {
        let anchors = op.ints("anchors", default: []), mask = op.ints("anchor_mask", default: []), classes = op.int("class_num", default: 0)
        let ratio = op.int("downsample_ratio", default: 32)
        guard !anchors.isEmpty, anchors.count % 2 == 0, anchors.allSatisfy({ $0 > 0 }) else {
            throw GraphError("op 'yolov3_loss': anchors \(anchors) must be positive (width, height) pairs")
        }
        guard !mask.isEmpty, mask.allSatisfy({ (0..<(anchors.count / 2)).contains($0) }) else {
            throw GraphError("op 'yolov3_loss': anchor_mask \(mask) must index the \(anchors.count / 2) anchors")
        }
        guard classes > 0, ratio > 0 else { throw GraphError("op 'yolov3_loss': class_num and downsample_ratio must be positive") }
        let smooth = op.bool("use_label_smooth", default: true)
        return YoloV3LossTerms(anchors: anchors.map(Float.init), anchorMask: mask, classes: classes,
                               ignoreThresh: Float(op.float("ignore_thresh", default: 0.7)), inputSize: Float(ratio * h),
                               labelPos: smooth ? 1 - 1 / Float(classes) : 1, labelNeg: smooth ? 1 / Float(classes) : 0, h: h, w: w)
    }
}
