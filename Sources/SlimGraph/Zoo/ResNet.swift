/// ResNet with basic blocks. `cifar` (He et al. 2016, section 4.2): depth 6n+2 (20, 32, 56),
/// a 3x3 16-channel stem and three stages of n blocks at 16/32/64 channels. `imagenet`: depth
/// 18 or 34, a 7x7 stride-2 stem with max pool and four stages at 64..512 channels. Shortcuts
/// that change shape are 1x1 conv + BN (option B).
public struct ResNet: ZooModel {
    public enum Variant: String, CaseIterable, Sendable { case cifar, imagenet }

    public var numClasses: Int
    public var depth: Int
    public var variant: Variant

    public init(numClasses: Int = 10, depth: Int = 20, variant: Variant = .cifar) throws {
        switch variant {
        case .cifar where depth < 8 || (depth - 2) % 6 != 0:
            throw GraphError("ResNet cifar depth must be 6n+2 (20, 32, 56, ...), got \(depth)")
        case .imagenet where depth != 18 && depth != 34:
            throw GraphError("ResNet imagenet depth must be 18 or 34, got \(depth)")
        default: break
        }
        self.numClasses = numClasses
        self.depth = depth
        self.variant = variant
    }

    /// (channels, blocks) per stage.
    var stages: [(Int, Int)] {
        switch variant {
        case .cifar: let n = (depth - 2) / 6; return [(16, n), (32, n), (64, n)]
        case .imagenet: return zip([64, 128, 256, 512], depth == 18 ? [2, 2, 2, 2] : [3, 4, 6, 3]).map { ($0, $1) }
        }
    }

    public func logits(_ b: inout ProgramBuilder, image: String) -> String {
        var x: String
        if variant == .cifar {
            x = b.batchNorm(b.conv2d(image, filters: 16, kernel: 3, padding: 1), act: .relu)
        } else {
            x = b.batchNorm(b.conv2d(image, filters: 64, kernel: 7, stride: 2, padding: 3), act: .relu)
            x = b.pool2d(x, type: "max", kernel: 3, stride: 2, padding: 1)
        }
        for (s, (channels, count)) in stages.enumerated() {
            for i in 0..<count {
                x = basicBlock(&b, x, channels: channels, stride: i == 0 && s > 0 ? 2 : 1)
            }
        }
        x = b.pool2d(x, type: "avg", global: true)
        return b.fc(x, size: numClasses)
    }

    private func basicBlock(_ b: inout ProgramBuilder, _ x: String, channels: Int, stride: Int) -> String {
        var y = b.batchNorm(b.conv2d(x, filters: channels, kernel: 3, stride: stride, padding: 1), act: .relu)
        y = b.batchNorm(b.conv2d(y, filters: channels, kernel: 3, padding: 1))
        var shortcut = x
        if stride != 1 || b.shape(x)[1] != channels {
            shortcut = b.batchNorm(b.conv2d(x, filters: channels, kernel: 1, stride: stride))
        }
        return b.add(y, shortcut, act: .relu)
    }
}
