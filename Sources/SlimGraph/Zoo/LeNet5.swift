/// LeNet-5 for 28x28 (or 32x32) inputs: conv 6@5x5 (pad 2) + ReLU, max pool 2, conv 16@5x5 +
/// ReLU, max pool 2, fc 120 + ReLU, fc 84 + ReLU, fc classes. The last fc is `fc_2`; the
/// inference output is `fc_2.tmp_2`.
public struct LeNet5: ZooModel {
    public var numClasses: Int
    /// Dropout probability before the last two fc layers (0 = none).
    public var dropout: Double

    public init(numClasses: Int = 10, dropout: Double = 0) {
        self.numClasses = numClasses
        self.dropout = dropout
    }

    public func logits(_ b: inout ProgramBuilder, image: String) -> String {
        var x = b.conv2d(image, filters: 6, kernel: 5, padding: 2, bias: true, act: .relu)
        x = b.pool2d(x, type: "max", kernel: 2, stride: 2)
        x = b.conv2d(x, filters: 16, kernel: 5, bias: true, act: .relu)
        x = b.pool2d(x, type: "max", kernel: 2, stride: 2)
        x = b.fc(x, size: 120, act: .relu)
        if dropout > 0 { x = b.dropout(x, probability: dropout) }
        x = b.fc(x, size: 84, act: .relu)
        if dropout > 0 { x = b.dropout(x, probability: dropout) }
        return b.fc(x, size: numClasses)
    }
}
