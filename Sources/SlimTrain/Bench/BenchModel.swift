import SlimGraph

/// The reference workloads of `slim bench` (docs/ARCHITECTURE.md section 9), each a zoo classifier
/// with 10 classes on a fixed input shape.
public enum BenchModel: String, CaseIterable, Sendable {
    /// LeNet-5 on 1x28x28 (Fashion-MNIST).
    case lenet
    /// MobileNetV1 1.0 on 3x32x32 (stride-1 stem, as CIFAR ports do).
    case mbv1
    /// CIFAR ResNet-20 on 3x32x32 (1x1 conv + BN projection shortcuts).
    case resnet20

    /// `[C, H, W]` of one image.
    public var inputShape: [Int] {
        switch self {
        case .lenet: return [1, 28, 28]
        case .mbv1, .resnet20: return [3, 32, 32]
        }
    }

    /// The zoo architecture.
    public var zooModel: any ZooModel {
        switch self {
        case .lenet: return LeNet5(numClasses: 10)
        case .mbv1: return MobileNetV1(numClasses: 10, scale: 1.0)
        case .resnet20:
            guard let model = try? ResNet(numClasses: 10, depth: 20, variant: .cifar) else {
                preconditionFailure("ResNet-20 CIFAR is a valid zoo configuration")
            }
            return model
        }
    }

    /// The training program with seeded initial parameters.
    public func build(seed: UInt64) -> BuiltModel { zooModel.build(inputShape: inputShape, seed: seed) }
}

/// What `--model` names: a reference workload, or a saved model directory (inference only).
public enum BenchTarget: Equatable, Sendable {
    case zoo(BenchModel)
    case directory(String)

    /// A zoo name (`lenet`, `mbv1`, `resnet20`) or else a path to a model directory.
    public init(_ argument: String) {
        self = BenchModel(rawValue: argument).map(Self.zoo) ?? .directory(argument)
    }

    /// The label of the `model` field of a result.
    public var label: String {
        switch self {
        case let .zoo(model): return model.rawValue
        case let .directory(path): return path
        }
    }
}
