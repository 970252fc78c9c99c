import SlimTensor

/// OpenCV's interpolation codes as PaddleDetection's `Resize` takes them (`interp`), and the
/// resampling slim uses for each: `0` (`INTER_NEAREST`) is nearest, every other code
/// (`1` linear, `2` cubic, `3` area, `4` Lanczos) is bilinear, slim's only smooth resampling.
/// `-1` (or `random` in YAML) draws one of the five codes per sample, uniformly, as
/// PaddleDetection's `interp: random` does.
public enum Interpolation: Equatable, Sendable {
    case code(Int)
    case random

    /// The code for a YAML value: an integer in `-1...4`.
    /// - Throws: `DataError.invalidConfiguration` for other codes.
    public init(code: Int) throws {
        switch code {
        case -1: self = .random
        case 0...4: self = .code(code)
        default: throw DataError.invalidConfiguration("interp must be an OpenCV code 0...4 or -1 (random), got \(code)")
        }
    }

    /// The code used for one sample (a random one drawn from `rng`).
    func draw(_ rng: inout SeededGenerator) -> Int {
        switch self {
        case let .code(c): return c
        case .random: return Int(rng.next() % 5)
        }
    }

    /// Resamples a CHW float image to `size` with the method slim implements for `code`.
    static func resize(_ image: Image, to size: ImageSize, code: Int) -> Image {
        guard image.height != size.height || image.width != size.width else { return image }
        let data = code == 0
            ? Nearest.resize(image.data, channels: image.channels, height: image.height, width: image.width, to: size)
            : Bilinear.resize(image.data, channels: image.channels, height: image.height, width: image.width, to: size)
        return Image(data: data, channels: image.channels, height: size.height, width: size.width)
    }
}
