import SlimGraph

/// The reference workloads of `slim bench` (docs/ARCHITECTURE.md section 9): zoo classifiers with
/// 10 classes on a fixed input shape, and the YOLOv3-MobileNetV1 detector (80 classes, square
/// images of `--image_size`).
public enum BenchModel: String, CaseIterable, Sendable {
    /// LeNet-5 on 1x28x28 (Fashion-MNIST).
    case lenet
    /// MobileNetV1 1.0 on 3x32x32 (stride-1 stem, as CIFAR ports do).
    case mbv1
    /// CIFAR ResNet-20 on 3x32x32 (1x1 conv + BN projection shortcuts).
    case resnet20
    /// PaddleDetection's yolov3_mobilenet_v1 (MobileNet 1.0 backbone, YOLOv3 head, COCO's 80
    /// classes) on 3 x `image_size` x `image_size`.
    case yolov3MobileNetV1 = "yolov3_mbv1"

    /// The default `--image_size` of the detector (PaddleDetection's evaluation size).
    public static let defaultDetectionImageSize = 416
    /// The detector's class count (COCO).
    public static let detectionClasses = 80

    /// Whether the model is the detector (feeds boxes, takes `--image_size`).
    public var isDetector: Bool { self == .yolov3MobileNetV1 }

    /// `[C, H, W]` of one image; `imageSize` (the detector's side) is ignored by the classifiers.
    public func inputShape(imageSize: Int? = nil) -> [Int] {
        switch self {
        case .lenet: return [1, 28, 28]
        case .mbv1, .resnet20: return [3, 32, 32]
        case .yolov3MobileNetV1:
            let side = imageSize ?? Self.defaultDetectionImageSize
            return [3, side, side]
        }
    }

    /// `[C, H, W]` of one classifier image.
    public var inputShape: [Int] { inputShape(imageSize: nil) }

    /// A classifier's zoo architecture.
    /// - Precondition: the model is a classifier (the detector is built by `build(seed:imageSize:)`).
    public var zooModel: any ZooModel {
        switch self {
        case .lenet: return LeNet5(numClasses: 10)
        case .mbv1: return MobileNetV1(numClasses: 10, scale: 1.0)
        case .yolov3MobileNetV1: preconditionFailure("yolov3_mbv1 is a detector, built by build(seed:imageSize:)")
        case .resnet20:
            guard let model = try? ResNet(numClasses: 10, depth: 20, variant: .cifar) else {
                preconditionFailure("ResNet-20 CIFAR is a valid zoo configuration")
            }
            return model
        }
    }

    /// The training program with seeded initial parameters; `scale` multiplies the detector's
    /// widths (the YAML's `MobileNet.scale`: backbone and head).
    /// - Throws: `GraphError` for a detector image size the strides cannot divide, or a bad scale.
    public func build(seed: UInt64, imageSize: Int? = nil, scale: Double = 1) throws -> BuiltModel {
        guard isDetector else { return zooModel.build(inputShape: inputShape, seed: seed) }
        let head = try YOLOv3Head(numClasses: Self.detectionClasses, scale: scale)
        return try YOLOv3(backbone: try MobileNetBackbone(scale: scale), head: head)
            .build(inputShape: inputShape(imageSize: imageSize), seed: seed)
    }
}

/// What `--model` names: a reference workload, or a saved model directory (inference only).
public enum BenchTarget: Equatable, Sendable {
    case zoo(BenchModel)
    case directory(String)

    /// A zoo name (`lenet`, `mbv1`, `resnet20`, `yolov3_mbv1`) or else a path to a model directory.
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
