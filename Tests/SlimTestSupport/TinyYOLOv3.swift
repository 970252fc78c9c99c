import SlimGraph
import SlimTensor

/// The tiny YOLOv3-MobileNetV1 that the unit tests of several layers share: width 0.25, 3
/// classes, 64x64 pictures, at most 4 ground-truth boxes per picture.
public enum TinyYOLOv3 {
    /// The training program with parameters drawn from `seed`.
    public static func model(seed: UInt64 = 7) throws -> BuiltModel {
        let yolo = YOLOv3(backbone: try MobileNetBackbone(scale: 0.25), head: try YOLOv3Head(numClasses: 3, scale: 0.25), maxBoxes: 4)
        return try yolo.build(inputShape: [3, 64, 64], seed: seed)
    }

    /// A batch of two random pictures with their sizes and ground truth (two boxes in the first,
    /// one in the second): `image`, `im_size`, `gt_box`, `gt_label`, `gt_score`.
    public static func feeds() -> [String: Tensor] {
        var rng = SeededGenerator(seed: 5)
        let pixels = (0..<(2 * 3 * 64 * 64)).map { _ in rng.nextUnitFloat() }
        return [
            "image": Tensor(shape: [2, 3, 64, 64], floats: pixels),
            "im_size": Tensor(shape: [2, 2], dtype: .s32, integers: [64, 64, 120, 80]),
            "gt_box": Tensor(shape: [2, 4, 4], floats: [0.3, 0.35, 0.7, 0.65, 0.15, 0.2, 0.25, 0.4] + Array(repeating: 0, count: 8)
                + [0.45, 0.35, 0.95, 0.85] + Array(repeating: 0, count: 12)),
            "gt_label": Tensor(shape: [2, 4], dtype: .s32, integers: [1, 2, 0, 0, 0, 0, 0, 0]),
            "gt_score": Tensor(shape: [2, 4], floats: [1, 1, 0, 0, 1, 0, 0, 0]),
        ]
    }
}
