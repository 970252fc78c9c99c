import SlimTensor

/// Parameter names of a conv + batch norm pair, as PaddleDetection's `ParamAttr`s give them.
public struct ConvNormNames: Sendable {
    public var weights: String
    public var scale: String
    public var offset: String
    public var mean: String
    public var variance: String

    /// A backbone's `_conv_norm` (`conv1_weights`, `conv1_bn_scale`, ..., `conv1_bn_variance`).
    public static func backbone(_ name: String) -> ConvNormNames {
        ConvNormNames(weights: name + "_weights", scale: name + "_bn_scale", offset: name + "_bn_offset",
                      mean: name + "_bn_mean", variance: name + "_bn_variance")
    }

    /// The YOLOv3 head's `_conv_bn` (`yolo_block.0.0.0.conv.weights`, `....bn.scale`, ..., `....bn.var`).
    public static func head(_ name: String) -> ConvNormNames {
        ConvNormNames(weights: name + ".conv.weights", scale: name + ".bn.scale", offset: name + ".bn.offset",
                      mean: name + ".bn.mean", variance: name + ".bn.var")
    }
}

extension ProgramBuilder {
    /// `conv2d` (or `depthwise_conv2d`) without bias, then `batch_norm` (and `act`), with named parameters;
    /// the temporaries keep Paddle's per-layer names (`conv2d_N.tmp_0`, `batch_norm_N.tmp_2`).
    public mutating func convNorm(_ x: String, filters: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                                  groups: Int = 1, act: Activation? = nil, names: ConvNormNames) -> String {
        let y = conv2d(x, filters: filters, kernel: kernel, stride: stride, padding: padding, groups: groups,
                       names: (names.weights, ""))
        return batchNorm(y, act: act, names: names)
    }

    /// A 1x1 `conv2d` with a bias, parameters `<name>.weights` and `<name>.bias` (a YOLO output conv).
    public mutating func namedConv1x1(_ x: String, filters: Int, name: String) -> String {
        conv2d(x, filters: filters, kernel: 1, bias: true, names: (name + ".weights", name + ".bias"))
    }

    /// `leaky_relu`: `x` where positive, else `alpha * x` (`leaky_relu_N.tmp_0`).
    public mutating func leakyRelu(_ x: String, alpha: Double) -> String {
        var l = layer("leaky_relu")
        let out = temporary(&l, shape: shape(x))
        append("leaky_relu", ["X": [x]], ["Out": [out]], ["alpha": .float(alpha)])
        return out
    }

    /// Paddle's `resize_nearest(x, scale)` (align_corners true): `nearest_interp_N.tmp_0`.
    public mutating func resizeNearest(_ x: String, scale: Int) -> String {
        let xs = shape(x)
        var l = layer("nearest_interp")
        let out = temporary(&l, shape: [xs[0], xs[1], xs[2] * scale, xs[3] * scale])
        append("nearest_interp", ["X": [x]], ["Out": [out]], [
            "scale": .float(Double(scale)), "interp_method": .string("nearest"), "align_corners": .bool(true),
        ])
        return out
    }

    /// `concat` of `xs` along `axis` (`concat_N.tmp_0`).
    public mutating func concat(_ xs: [String], axis: Int) -> String {
        var outShape = shape(xs[0])
        outShape[axis] = xs.map { shape($0)[axis] }.reduce(0, +)
        var l = layer("concat")
        let out = temporary(&l, shape: outShape)
        append("concat", ["X": xs], ["Out": [out]], ["axis": .int(axis)])
        return out
    }

    /// `transpose2` by `perm` (`transpose_N.tmp_0`, its `XShape` `transpose_N.tmp_1`).
    public mutating func transpose(_ x: String, perm: [Int]) -> String {
        let xs = shape(x)
        var l = layer("transpose")
        let out = temporary(&l, shape: perm.map { xs[$0] })
        let xShape = temporary(&l, shape: [0] + xs)
        append("transpose2", ["X": [x]], ["Out": [out], "XShape": [xShape]], ["axis": .ints(perm)])
        return out
    }

    /// `reduce_mean` over every element: a `[1]` var (`reduce_mean_N.tmp_0`).
    public mutating func reduceMeanAll(_ x: String) -> String {
        var l = layer("reduce_mean")
        let out = temporary(&l, shape: [1])
        append("reduce_mean", ["X": [x]], ["Out": [out]], ["dim": .ints([0]), "keep_dim": .bool(false), "reduce_all": .bool(true)])
        return out
    }
}

extension ProgramBuilder {
    /// Boxes `[N, B, 4]` as xyxy pixels of a `width` x `height` image to normalized center boxes
    /// `(cx, cy, w, h)`: one `mul` (`x_num_col_dims` 2) by the fixed non-trainable 4x4 matrix
    /// `<name>` (`cx = (x1 + x2) / 2W`, `w = (x2 - x1) / W`, likewise y and h). All-zero
    /// (padding) boxes stay zero. The `mul` is data preparation, not a layer: its `op_namescope`
    /// `/<name>/skip_quant/` keeps the quantization passes off it (Paddle 1.6's `skip_pattern`).
    public mutating func normalizedCenterBoxes(_ boxes: String, width: Int, height: Int, name: String) -> String {
        let w = 1 / Float(width), h = 1 / Float(height)
        let matrix = parameter(named: name, shape: [4, 4], trainable: false, .values([
            w / 2, 0, -w, 0,
            0, h / 2, 0, -h,
            w / 2, 0, w, 0,
            0, h / 2, 0, h,
        ]))
        var l = layer("mul")
        let out = temporary(&l, shape: shape(boxes))
        append("mul", ["X": [boxes], "Y": [matrix]], ["Out": [out]],
               ["x_num_col_dims": .int(2), "y_num_col_dims": .int(1), "op_namescope": .string("/\(name)/skip_quant/")])
        return out
    }

    /// `yolov3_loss` of one scale: the per-image losses `[N]` (`yolov3_loss_N.tmp_0`) against
    /// `gtBox` (normalized cx, cy, w, h) and the feeds `gt_label` and `gt_score`.
    public mutating func yolov3Loss(_ x: String, gtBox: String, anchors: [Int], anchorMask: [Int], classNum: Int, ignoreThresh: Double,
                                    downsampleRatio: Int, labelSmooth: Bool) -> String {
        var l = layer("yolov3_loss")
        let loss = temporary(&l, shape: [shape(x)[0]])
        append("yolov3_loss", ["X": [x], "GTBox": [gtBox], "GTLabel": ["gt_label"], "GTScore": ["gt_score"]], ["Loss": [loss]], [
            "anchors": .ints(anchors), "anchor_mask": .ints(anchorMask), "class_num": .int(classNum),
            "ignore_thresh": .float(ignoreThresh), "downsample_ratio": .int(downsampleRatio), "use_label_smooth": .bool(labelSmooth),
        ])
        return loss
    }

    /// `yolo_box` of one scale: boxes `[N, H*W*A, 4]` (`yolo_box_N.tmp_0`) and scores
    /// `[N, H*W*A, C]` (`yolo_box_N.tmp_1`) in the pixels of `imSize`.
    public mutating func yoloBox(_ x: String, imSize: String, anchors: [Int], classNum: Int, confThresh: Double,
                                 downsampleRatio: Int) -> (boxes: String, scores: String) {
        let xs = shape(x)
        let m = xs[2] * xs[3] * anchors.count / 2
        var l = layer("yolo_box")
        let boxes = temporary(&l, shape: [xs[0], m, 4]), scores = temporary(&l, shape: [xs[0], m, classNum])
        append("yolo_box", ["X": [x], "ImgSize": [imSize]], ["Boxes": [boxes], "Scores": [scores]], [
            "anchors": .ints(anchors), "class_num": .int(classNum), "conf_thresh": .float(confThresh),
            "downsample_ratio": .int(downsampleRatio), "clip_bbox": .bool(true),
        ])
        return (boxes, scores)
    }

    /// `multiclass_nms` (pixel boxes, no background class): rows `[total, 6]`
    /// (`multiclass_nms_N.tmp_0`) and per-image counts `[N]` s32 (`multiclass_nms_N.tmp_1`).
    public mutating func multiclassNMS(boxes: String, scores: String, scoreThreshold: Double, nmsTopK: Int, keepTopK: Int,
                                       nmsThreshold: Double, normalized: Bool = false, nmsEta: Double = 1,
                                       backgroundLabel: Int = -1) -> (out: String, counts: String) {
        var l = layer("multiclass_nms")
        let out = temporary(&l, shape: [-1, 6]), counts = temporary(&l, shape: [shape(boxes)[0]], dtype: .s32)
        append("multiclass_nms", ["BBoxes": [boxes], "Scores": [scores]], ["Out": [out], "NmsRoisNum": [counts]], [
            "score_threshold": .float(scoreThreshold), "nms_top_k": .int(nmsTopK), "keep_top_k": .int(keepTopK),
            "nms_threshold": .float(nmsThreshold), "normalized": .bool(normalized), "nms_eta": .float(nmsEta), "background_label": .int(backgroundLabel),
        ])
        return (out, counts)
    }
}
