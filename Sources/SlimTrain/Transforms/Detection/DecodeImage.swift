import SlimTensor

/// PaddleDetection's `DecodeImage` (`to_rgb`, `with_mixup`). Slim's detection data sets decode
/// the file already (RGB, 8-bit values as floats in `0...255`, the image's own size), so what
/// is left is the channel order: `to_rgb: true` keeps RGB; `to_rgb: false` gives OpenCV's BGR
/// (channels reversed). With `with_mixup` the same applies to the attached mixup sample.
public struct DecodeImage: Transform, Sendable {
    public let toRGB: Bool
    public let withMixup: Bool

    public init(toRGB: Bool = true, withMixup: Bool = false) {
        self.toRGB = toRGB
        self.withMixup = withMixup
    }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        if !toRGB { Permute.reverseChannels(&sample.image) }
        if withMixup, !toRGB {
            for i in sample.mixup.indices { Permute.reverseChannels(&sample.mixup[i].image) }
        }
    }
}
