import SlimTensor

/// PaddleDetection's `NormalizeImage` (`mean`, `std`, `is_scale`, `is_channel_first`):
/// `x' = (x / 255 - mean[c]) / std[c]` with `is_scale`, else `x' = (x - mean[c]) / std[c]`.
/// slim's images are always channel-first, so `is_channel_first` (which says how the reference
/// lays the image out at this point) changes nothing here.
public struct NormalizeImage: Transform, Sendable {
    public let mean: [Float]
    public let std: [Float]
    public let isScale: Bool

    /// - Throws: `DataError.invalidConfiguration` for empty or unequal lists or a zero std.
    public init(mean: [Double] = [0.485, 0.456, 0.406], std: [Double] = [1, 1, 1], isScale: Bool = true) throws {
        guard !mean.isEmpty, mean.count == std.count, !std.contains(0) else {
            throw DataError.invalidConfiguration("NormalizeImage: mean \(mean) and std \(std) must be non-empty, of equal length, std non-zero")
        }
        self.mean = mean.map(Float.init)
        self.std = std.map(Float.init)
        self.isScale = isScale
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard mean.count == 1 || mean.count == input.first else {
            throw DataError.invalidConfiguration("NormalizeImage: \(mean.count) mean/std values for images of shape \(input)")
        }
        return input
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        let channels = sample.image.channels, plane = sample.image.height * sample.image.width
        let scale: Float = isScale ? 1 / 255 : 1
        sample.image.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels {
                let m = mean.count == 1 ? mean[0] : mean[c], s = std.count == 1 ? std[0] : std[c]
                for i in (c * plane)..<((c + 1) * plane) { p[i] = (p[i] * scale - m) / s }
            }
        }
    }
}
