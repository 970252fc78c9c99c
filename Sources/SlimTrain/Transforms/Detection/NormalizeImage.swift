import SlimTensor

/// PaddleDetection's `NormalizeImage` (`mean`, `std`, `is_scale`, `is_channel_first`):
/// `x' = (x / 255 - mean[c]) / std[c]` with `is_scale`, else `x' = (x - mean[c]) / std[c]`.
/// It is slim's `Normalize` with mean and std multiplied by 255 when `is_scale`
/// (`(x / 255 - m) / s = (x - 255 m) / (255 s)`). slim's images are always channel-first, so
/// `is_channel_first` (which says how the reference lays the image out at this point) changes
/// nothing here.
public struct NormalizeImage: Transform, Sendable {
    public let mean: [Float]
    public let std: [Float]
    public let isScale: Bool
    private let normalize: Normalize

    /// - Throws: `DataError.invalidConfiguration` for empty or unequal lists or a std that is not positive.
    public init(mean: [Double] = [0.485, 0.456, 0.406], std: [Double] = [1, 1, 1], isScale: Bool = true) throws {
        self.mean = mean.map(Float.init)
        self.std = std.map(Float.init)
        self.isScale = isScale
        let k: Float = isScale ? 255 : 1
        do {
            normalize = try Normalize(mean: self.mean.map { $0 * k }, std: self.std.map { $0 * k })
        } catch let error as DataError {
            throw DataError.invalidConfiguration("NormalizeImage (mean \(mean), std \(std)): \(error)")
        }
    }

    public func outputShape(_ input: [Int]) throws -> [Int] { try normalize.outputShape(input) }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        normalize.apply(&sample, rng: &rng)
    }
}
