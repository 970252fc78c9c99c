import Foundation

/// The terms of Paddle 1.6's `yolov3_loss` for one image, and their gradient with respect to
/// the head's logits (per unit of the image's loss), on f32 as Paddle computes them.
///
/// `x` is the image's head [mask_num, 5 + C, H, W]; `gt` its B boxes (center x, y, w, h, all
/// normalized to the input), labels and scores. `S = downsample * H` is the input size and the
/// grid divides both axes by `H` (as Paddle).
struct YoloV3LossTerms {
    var anchors: [Float]
    var anchorMask: [Int]
    var classes: Int
    var ignoreThresh: Float
    var inputSize: Float
    var labelPos: Float
    var labelNeg: Float
    var h: Int
    var w: Int

    /// A box in center form.
    struct Box {
        var x, y, w, h: Float
    }

    /// What one image gives: its loss, the objectness mask (-1 ignored, 0 negative, the gt score
    /// for a positive) and each gt's anchor-mask slot (-1: no slot or an invalid box).
    struct Result {
        var loss: Float = 0
        var objectness: [Float]
        var match: [Int]
    }

    var cells: Int { h * w }
    /// Offset of channel `entry` of mask slot `j` at cell 0.
    func offset(_ j: Int, _ entry: Int) -> Int { (j * (5 + classes) + entry) * cells }

    /// Loss, masks and (when `grad` is given, zero-filled like `x`) the gradient per unit loss.
    func evaluate(_ x: UnsafeBufferPointer<Float>, boxes: [Box], labels: [Int], scores: [Float],
                  grad: UnsafeMutableBufferPointer<Float>?) -> Result {
        let valid = boxes.map { !($0.w < 1e-6) && !($0.h < 1e-6) }
        var r = Result(objectness: ignoreMask(x, boxes: boxes, valid: valid), match: Array(repeating: -1, count: boxes.count))
        for t in boxes.indices where valid[t] {
            let gt = boxes[t], best = bestAnchor(gt)
            guard let j = anchorMask.firstIndex(of: best) else { continue }
            r.match[t] = j
            let gi = Int(min(max(gt.x * Float(w), 0), Float(w - 1))), gj = Int(min(max(gt.y * Float(h), 0), Float(h - 1)))
            let cell = gj * w + gi
            r.loss += location(x, gt, anchor: best, slot: j, cell: cell, gi: gi, gj: gj, score: scores[t], grad: grad)
            r.objectness[j * cells + cell] = scores[t]
            for c in 0..<classes {
                let i = offset(j, 5 + c) + cell, target = c == labels[t] ? labelPos : labelNeg
                r.loss += Self.sce(x[i], target) * scores[t]
                grad?[i] += Self.sceGrad(x[i], target) * scores[t]
            }
        }
        for j in anchorMask.indices {
            for cell in 0..<cells {
                let obj = r.objectness[j * cells + cell], i = offset(j, 4) + cell
                if obj > 1e-5 {
                    r.loss += Self.sce(x[i], 1) * obj
                    grad?[i] += Self.sceGrad(x[i], 1) * obj
                } else if obj > -0.5 {
                    r.loss += Self.sce(x[i], 0)
                    grad?[i] += Self.sceGrad(x[i], 0)
                }
            }
        }
        return r
    }

    /// -1 where a prediction's best IoU with a valid gt exceeds `ignoreThresh`, else 0.
    func ignoreMask(_ x: UnsafeBufferPointer<Float>, boxes: [Box], valid: [Bool]) -> [Float] {
        var mask = [Float](repeating: 0, count: anchorMask.count * cells)
        for (j, a) in anchorMask.enumerated() {
            for cell in 0..<cells {
                let (k, l) = cell.quotientAndRemainder(dividingBy: w)
                let pred = Box(x: (Float(l) + Self.sigmoid(x[offset(j, 0) + cell])) / Float(h),
                               y: (Float(k) + Self.sigmoid(x[offset(j, 1) + cell])) / Float(h),
                               w: exp(x[offset(j, 2) + cell]) * anchors[2 * a] / inputSize,
                               h: exp(x[offset(j, 3) + cell]) * anchors[2 * a + 1] / inputSize)
                var best: Float = 0
                for t in boxes.indices where valid[t] { best = max(best, Self.iou(pred, boxes[t])) }
                if best > ignoreThresh { mask[j * cells + cell] = -1 }
            }
        }
        return mask
    }

    /// The anchor (over all anchors) whose shape best overlaps the gt's, both centered at 0.
    func bestAnchor(_ gt: Box) -> Int {
        var best: Float = 0, index = 0
        for a in 0..<(anchors.count / 2) {
            let iou = Self.iou(Box(x: 0, y: 0, w: anchors[2 * a] / inputSize, h: anchors[2 * a + 1] / inputSize),
                               Box(x: 0, y: 0, w: gt.w, h: gt.h))
            if iou > best { (best, index) = (iou, a) }
        }
        return index
    }

    /// x, y sigmoid cross entropy and w, h L1 against the gt's offsets, times (2 - w*h) * score.
    func location(_ x: UnsafeBufferPointer<Float>, _ gt: Box, anchor: Int, slot j: Int, cell: Int, gi: Int, gj: Int,
                  score: Float, grad: UnsafeMutableBufferPointer<Float>?) -> Float {
        let tx = gt.x * Float(h) - Float(gi), ty = gt.y * Float(h) - Float(gj)
        let tw = log(gt.w * inputSize / anchors[2 * anchor]), th = log(gt.h * inputSize / anchors[2 * anchor + 1])
        let scale = (2 - gt.w * gt.h) * score
        let (ix, iy, iw, ih) = (offset(j, 0) + cell, offset(j, 1) + cell, offset(j, 2) + cell, offset(j, 3) + cell)
        if let grad {
            grad[ix] += Self.sceGrad(x[ix], tx) * scale
            grad[iy] += Self.sceGrad(x[iy], ty) * scale
            grad[iw] += (x[iw] > tw ? 1 : -1) * scale
            grad[ih] += (x[ih] > th ? 1 : -1) * scale
        }
        return Self.sce(x[ix], tx) * scale + Self.sce(x[iy], ty) * scale + abs(x[iw] - tw) * scale + abs(x[ih] - th) * scale
    }

    /// Sigmoid cross entropy of logit `x` against target `t`: max(x, 0) - x t + log(1 + e^-|x|).
    static func sce(_ x: Float, _ t: Float) -> Float { max(x, 0) - x * t + log(1 + exp(-abs(x))) }
    static func sceGrad(_ x: Float, _ t: Float) -> Float { sigmoid(x) - t }
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// IoU of two center-form boxes (0 when they do not overlap on an axis).
    static func iou(_ a: Box, _ b: Box) -> Float {
        func overlap(_ c1: Float, _ w1: Float, _ c2: Float, _ w2: Float) -> Float {
            min(c1 + w1 / 2, c2 + w2 / 2) - max(c1 - w1 / 2, c2 - w2 / 2)
        }
        let ow = overlap(a.x, a.w, b.x, b.w), oh = overlap(a.y, a.h, b.y, b.h)
        let inter = ow < 0 || oh < 0 ? 0 : ow * oh
        return inter / (a.w * a.h + b.w * b.h - inter)
    }
}
