/// MobileNetV1 (Howard et al. 2017): PaddleDetection's MobileNet backbone (a 3x3 conv + BN +
/// ReLU stem `conv1` and 13 depthwise-separable blocks `conv2_1` ... `conv6`), global average
/// pool and the fc `fc7`, with PaddleClas's parameter names (`conv2_1_dw_weights`, ...,
/// `fc7_weights`, `fc7_offset`): a classifier trained here is a `pretrain_weights` for the
/// detector's backbone, as ImageNet's MobileNetV1 is for PaddleDetection. Widths are
/// `int(c * scale)` (at least 8 channels). For small inputs (<= 64 px, e.g. 28x28 Fashion-MNIST
/// or 32x32 CIFAR) the stem has stride 1, as CIFAR ports do.
public struct MobileNetV1: ZooModel {
    public var numClasses: Int
    public var scale: Double

    public init(numClasses: Int = 10, scale: Double = 1.0) {
        self.numClasses = numClasses
        self.scale = scale
    }

    public func logits(_ b: inout ProgramBuilder, image: String) -> String {
        let small = b.shape(image)[2] <= 64
        let backbone = MobileNetBackbone(scale: scale, stemStride: small ? 1 : 2)
        guard let x = backbone.features(&b, image: image).last else { preconditionFailure("MobileNet has three feature maps") }
        return b.fc(b.pool2d(x, type: "avg", global: true), size: numClasses, names: ("fc7_weights", "fc7_offset"))
    }
}
