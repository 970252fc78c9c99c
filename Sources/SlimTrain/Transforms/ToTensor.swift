import SlimTensor

/// Rescales 8-bit intensities to `[0, 1]`: `x' = x / 255`.
public struct ToTensor: Transform, Sendable {
    public init() {}

    public func apply(_ image: inout Image, rng: inout SeededGenerator) {
        image.data.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] /= 255 }
        }
    }
}
