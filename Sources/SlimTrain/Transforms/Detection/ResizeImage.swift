import Foundation
import SlimTensor

/// PaddleDetection 0.1's `Resize` (YAML tag `Resize` under `sample_transforms`): `target_dim`
/// (one size, or a list to draw one from per sample), `max_size`, `interp` (see `Interpolation`).
///
/// With `max_size` 0 the image becomes `dim x dim` (`sx = dim / W`, `sy = dim / H`). Otherwise
/// the aspect ratio is kept: `s = dim / min(H, W)`, lowered to `max_size / max(H, W)` when
/// `round(s max(H, W)) > max_size`, and the image becomes `round(H s) x round(W s)` (OpenCV's
/// size for scale factors). Boxes are scaled by `(sx, sy)` and clipped to `[0, side - 1]`.
/// The interpolation is drawn before the size, as the reference does.
public struct ResizeImage: Transform, Sendable {
    public let targetDims: [Int]
    public let maxSize: Int
    public let interp: Interpolation

    /// - Throws: `DataError.invalidConfiguration` for no or a non-positive size or a negative `max_size`.
    public init(targetDims: [Int], maxSize: Int = 0, interp: Interpolation = .code(1)) throws {
        guard !targetDims.isEmpty, targetDims.allSatisfy({ $0 > 0 }), maxSize >= 0 else {
            throw DataError.invalidConfiguration("Resize: target_dim \(targetDims) must be positive sizes and max_size (\(maxSize)) >= 0")
        }
        self.targetDims = targetDims
        self.maxSize = maxSize
        self.interp = interp
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard targetDims.count == 1 else {
            throw DataError.invalidConfiguration("Resize: a list of target_dim \(targetDims) gives the images of one batch different "
                                                 + "sizes; give one size (and RandomShape under batch_transforms for multi-scale training)")
        }
        let size = Self.size(height: input[1], width: input[2], dim: targetDims[0], maxSize: maxSize)
        return [input[0], size.height, size.width]
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        let code = interp.draw(&rng)
        let dim = targetDims.count == 1 ? targetDims[0] : targetDims[rng.randint(0, targetDims.count)]
        let image = sample.image
        let size = Self.size(height: image.height, width: image.width, dim: dim, maxSize: maxSize)
        let sx = Double(size.width) / Double(image.width), sy = Double(size.height) / Double(image.height)
        sample.image = Interpolation.resize(image, to: size, code: code)
        guard var a = sample.annotations else { return }
        let right = Double(size.width - 1), bottom = Double(size.height - 1)
        for i in a.boxes.indices {
            let b = a.boxes[i]
            a.boxes[i] = BoundingBox(xmin: min(max(b.xmin * sx, 0), right), ymin: min(max(b.ymin * sy, 0), bottom),
                                     xmax: min(max(b.xmax * sx, 0), right), ymax: min(max(b.ymax * sy, 0), bottom))
        }
        sample.annotations = a
    }

    /// The output size for an `H x W` image.
    static func size(height: Int, width: Int, dim: Int, maxSize: Int) -> ImageSize {
        guard maxSize > 0 else { return ImageSize(height: dim, width: dim) }
        let small = Double(min(height, width)), large = Double(max(height, width))
        var s = Double(dim) / small
        if (s * large).rounded() > Double(maxSize) { s = Double(maxSize) / large }
        return ImageSize(height: max(Int((Double(height) * s).rounded()), 1), width: max(Int((Double(width) * s).rounded()), 1))
    }
}
