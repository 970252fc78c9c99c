/// MobileNetV1 (Howard et al. 2017): a 3x3 conv + BN + ReLU stem and 13 depthwise-separable
/// blocks (`depthwise_conv2d` 3x3 + BN + ReLU, then 1x1 `conv2d` + BN + ReLU), global average
/// pool and an fc. Widths are multiplied by `scale` (at least 8 channels). For small inputs
/// (<= 64 px, e.g. 28x28 Fashion-MNIST or 32x32 CIFAR) the stem has stride 1, as CIFAR ports do.
public struct MobileNetV1: ZooModel {
    public var numClasses: Int
    public var scale: Double

    public init(numClasses: Int = 10, scale: Double = 1.0) {
        self.numClasses = numClasses
        self.scale = scale
    }

    /// (output channels, stride) of the 13 blocks.
    static let blocks: [(Int, Int)] = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
                                       (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    func width(_ c: Int) -> Int { max(8, Int((Double(c) * scale).rounded())) }

    public func logits(_ b: inout ProgramBuilder, image: String) -> String {
        let small = b.shape(image)[2] <= 64
        var x = b.conv2d(image, filters: width(32), kernel: 3, stride: small ? 1 : 2, padding: 1)
        x = b.batchNorm(x, act: .relu)
        var channels = width(32)
        for (c, stride) in Self.blocks {
            x = b.conv2d(x, filters: channels, kernel: 3, stride: stride, padding: 1, groups: channels)
            x = b.batchNorm(x, act: .relu)
            channels = width(c)
            x = b.conv2d(x, filters: channels, kernel: 1)
            x = b.batchNorm(x, act: .relu)
        }
        x = b.pool2d(x, type: "avg", global: true)
        return b.fc(x, size: numClasses)
    }
}
