import SlimTensor

/// Rescales 8-bit intensities to `[0, 1]`: `x' = x / 255`. Boxes pass through.
public struct ToTensor: Transform, Sendable {
    public init() {}

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        sample.image.data.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] /= 255 }
        }
    }
}
