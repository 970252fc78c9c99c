import SlimTensor

/// Per-channel standardisation: `x'[c] = (x[c] - mean[c]) / std[c]`.
///
/// A single mean/std value applies to every channel. Boxes pass through.
public struct Normalize: Transform, Sendable {
    public let mean: [Float]
    public let std: [Float]

    /// - Throws: `DataError.invalidConfiguration` when the lists are empty, differ in length, or
    ///   a standard deviation is not positive.
    public init(mean: [Float], std: [Float]) throws {
        guard !mean.isEmpty, mean.count == std.count else {
            throw DataError.invalidConfiguration("Normalize: mean \(mean) and std \(std) must be non-empty and of equal length")
        }
        guard std.allSatisfy({ $0 > 0 }) else {
            throw DataError.invalidConfiguration("Normalize: every std must be > 0, got \(std)")
        }
        self.mean = mean
        self.std = std
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard mean.count == 1 || mean.count == input.first else {
            throw DataError.invalidConfiguration("Normalize: \(mean.count) mean/std values for images of shape \(input)")
        }
        return input
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        // Only the sizes are read out: a copy of `sample.image` would make the write below copy the pixels.
        let channels = sample.image.channels, plane = sample.image.height * sample.image.width
        precondition(mean.count == 1 || mean.count == channels, "Normalize has \(mean.count) channels, image has \(channels)")
        sample.image.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels {
                let m = mean.count == 1 ? mean[0] : mean[c]
                let inv = 1 / (std.count == 1 ? std[0] : std[c])
                for i in (c * plane)..<((c + 1) * plane) { p[i] = (p[i] - m) * inv }
            }
        }
    }
}
