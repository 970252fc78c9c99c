/// PaddleDetection's MobileNet (v1) backbone (`ppdet/modeling/backbones/mobilenet.py`):
/// `conv1` (3x3, stride 2) and the depthwise-separable blocks `conv2_1` ... `conv6`, each a
/// `_dw` 3x3 depthwise and a `_sep` 1x1 conv + batch norm + ReLU, parameters named as Paddle
/// names them (`conv2_1_dw_weights`, `conv2_1_dw_bn_scale`, ...).
///
/// Widths are `int(c * conv_group_scale * scale)` (at least 8): Paddle's `conv_group_scale`
/// multiplies filters and groups alike; `scale` is slim's extra multiplier for small CPU runs.
public struct MobileNetBackbone: Sendable {
    public var convGroupScale: Double
    public var scale: Double
    /// Paddle's `with_extra_blocks` (SSD's extra feature maps): not supported, must be false.
    public var withExtraBlocks: Bool
    /// Stride of `conv1`: 2 as in Paddle; MobileNetV1 classifiers of small pictures use 1.
    var stemStride = 2

    public init(convGroupScale: Double = 1, scale: Double = 1, withExtraBlocks: Bool = false) throws {
        guard !withExtraBlocks else {
            throw GraphError("MobileNet with_extra_blocks is not supported", hints: ["set with_extra_blocks: false (YOLOv3 uses none)"])
        }
        guard convGroupScale > 0, scale > 0 else {
            throw GraphError("MobileNet conv_group_scale and scale must be positive", hints: ["got \(convGroupScale) and \(scale)"])
        }
        self.convGroupScale = convGroupScale
        self.scale = scale
        self.withExtraBlocks = withExtraBlocks
    }

    /// The classifier's backbone: `scale` positive, `conv1` with stride `stemStride`.
    init(scale: Double, stemStride: Int) {
        (convGroupScale, self.scale, withExtraBlocks, self.stemStride) = (1, scale, false, stemStride)
    }

    func width(_ c: Int) -> Int { max(8, Int(Double(c) * convGroupScale * scale)) }

    /// The feature maps at stride 8 (`conv3_2`), 16 (`conv4_2`) and 32 (`conv6`), in that order.
    public func features(_ b: inout ProgramBuilder, image: String) -> [String] {
        var x = b.convNorm(image, filters: width(32), kernel: 3, stride: stemStride, padding: 1, act: .relu,
                           names: .backbone("conv1"))
        var blocks: [String] = []
        let plan: [(Int, Int, String)] = [(64, 1, "conv2_1"), (128, 2, "conv2_2"), (128, 1, "conv3_1"), (256, 2, "conv3_2"),
                                           (256, 1, "conv4_1"), (512, 2, "conv4_2"), (512, 1, "conv5_1"), (512, 1, "conv5_2"),
                                           (512, 1, "conv5_3"), (512, 1, "conv5_4"), (512, 1, "conv5_5"), (1024, 2, "conv5_6"),
                                           (1024, 1, "conv6")]
        for (filters, stride, name) in plan {
            x = depthwiseSeparable(&b, x, filters: width(filters), stride: stride, name: name)
            if ["conv3_2", "conv4_2", "conv6"].contains(name) { blocks.append(x) }
        }
        return blocks
    }

    private func depthwiseSeparable(_ b: inout ProgramBuilder, _ x: String, filters: Int, stride: Int, name: String) -> String {
        let channels = b.shape(x)[1]
        let y = b.convNorm(x, filters: channels, kernel: 3, stride: stride, padding: 1, groups: channels, act: .relu, names: .backbone(name + "_dw"))
        return b.convNorm(y, filters: filters, kernel: 1, act: .relu, names: .backbone(name + "_sep"))
    }
}
