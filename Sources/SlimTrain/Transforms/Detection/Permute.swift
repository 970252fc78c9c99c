import SlimTensor

/// PaddleDetection's `Permute` (`to_bgr`, `channel_first`): HWC to CHW, then RGB to BGR with
/// `to_bgr`. slim's images are CHW from the start, so `channel_first: true` has nothing left to
/// do and `channel_first: false` (an HWC image, which no slim model reads) is refused.
public struct Permute: Transform, Sendable {
    public let toBGR: Bool

    /// - Throws: `DataError.invalidConfiguration` for `channel_first: false`.
    public init(toBGR: Bool = true, channelFirst: Bool = true) throws {
        guard channelFirst else {
            throw DataError.invalidConfiguration("Permute: slim's images are channel-first (CHW); channel_first: false is not supported")
        }
        self.toBGR = toBGR
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        if toBGR { Self.reverseChannels(&sample.image) }
    }

    /// Reverses the channel order in place (RGB <-> BGR); one channel is left alone.
    static func reverseChannels(_ image: inout Image) {
        let plane = image.height * image.width, channels = image.channels
        guard channels > 1 else { return }
        image.data.withUnsafeMutableBufferPointer { p in
            for c in 0..<(channels / 2) {
                let a = c * plane, b = (channels - 1 - c) * plane
                for i in 0..<plane { p.swapAt(a + i, b + i) }
            }
        }
    }
}
