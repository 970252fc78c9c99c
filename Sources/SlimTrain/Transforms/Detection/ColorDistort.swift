import Foundation
import SlimTensor

/// PaddleDetection's `ColorDistort`: hue, saturation, contrast and brightness distortions on
/// the RGB values (`0...255` floats, no clipping, as the reference computes in float32), each a
/// `[lower, upper, probability]` triple.
///
/// Each distortion is skipped when `u < probability` (`u` uniform in `[0, 1)`), else draws
/// `delta` uniform in `[lower, upper)`:
/// - hue: every pixel `p` becomes `M p` with `M = T_yiq^-1 R(delta * pi) T_yiq`, the rotation of
///   the YIQ chroma plane by `delta * pi` radians (the reference's matrix, applied per pixel);
/// - saturation: `p = delta * p + (1 - delta) * gray`, `gray = 0.299 R + 0.587 G + 0.114 B`;
/// - contrast: `p = delta * p`; brightness: `p = p + delta`.
///
/// With `random_apply` (YOLO) the four run in a random order; without (SSD) brightness first,
/// then with probability 1/2 contrast, saturation, hue, else saturation, hue, contrast.
public struct ColorDistort: Transform, Sendable {
    public typealias Setting = (lower: Double, upper: Double, prob: Double)
    public let hue: Setting, saturation: Setting, contrast: Setting, brightness: Setting
    public let randomApply: Bool

    /// - Throws: `DataError.invalidConfiguration` for a setting that is not `[lower, upper, prob]`.
    public init(hue: [Double] = [-18, 18, 0.5], saturation: [Double] = [0.5, 1.5, 0.5], contrast: [Double] = [0.5, 1.5, 0.5],
                brightness: [Double] = [0.5, 1.5, 0.5], randomApply: Bool = true) throws {
        func setting(_ v: [Double], _ name: String) throws -> Setting {
            guard v.count == 3, v[0] <= v[1] else {
                throw DataError.invalidConfiguration("ColorDistort: \(name) must be [lower, upper, probability] with lower <= upper, got \(v)")
            }
            return (v[0], v[1], v[2])
        }
        self.hue = try setting(hue, "hue")
        self.saturation = try setting(saturation, "saturation")
        self.contrast = try setting(contrast, "contrast")
        self.brightness = try setting(brightness, "brightness")
        self.randomApply = randomApply
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.first == 3 else { throw DataError.invalidConfiguration("ColorDistort needs 3-channel (RGB) images, got shape \(input)") }
        return input
    }

    enum Kind: CaseIterable { case brightness, contrast, saturation, hue }

    public func apply(_ sample: inout AnnotatedImage, rng: inout SeededGenerator) {
        guard sample.image.channels == 3 else { return }
        var order: [Kind]
        if randomApply {
            order = [.brightness, .contrast, .saturation, .hue]
            rng.shuffle(&order)
        } else {
            order = [.brightness]
            order += rng.randint(0, 2) == 1 ? [.contrast, .saturation, .hue] : [.saturation, .hue, .contrast]
        }
        for kind in order { distort(kind, &sample.image, rng: &rng) }
    }

    func distort(_ kind: Kind, _ image: inout Image, rng: inout SeededGenerator) {
        let s: Setting
        switch kind {
        case .brightness: s = brightness
        case .contrast: s = contrast
        case .saturation: s = saturation
        case .hue: s = hue
        }
        if rng.uniform(0, 1) < s.prob { return }
        let delta = rng.uniform(s.lower, s.upper)
        let plane = image.height * image.width
        image.data.withUnsafeMutableBufferPointer { p in
            switch kind {
            case .brightness:
                let d = Float(delta)
                for i in p.indices { p[i] += d }
            case .contrast:
                let d = Float(delta)
                for i in p.indices { p[i] *= d }
            case .saturation:
                let d = Float(delta), g = 1 - d
                for i in 0..<plane {
                    let gray = (0.299 * p[i] + 0.587 * p[plane + i] + 0.114 * p[2 * plane + i]) * g
                    p[i] = p[i] * d + gray
                    p[plane + i] = p[plane + i] * d + gray
                    p[2 * plane + i] = p[2 * plane + i] * d + gray
                }
            case .hue:
                let m = Self.hueMatrix(delta)
                for i in 0..<plane {
                    let r = p[i], g = p[plane + i], b = p[2 * plane + i]
                    p[i] = m[0] * r + m[1] * g + m[2] * b
                    p[plane + i] = m[3] * r + m[4] * g + m[5] * b
                    p[2 * plane + i] = m[6] * r + m[7] * g + m[8] * b
                }
            }
        }
    }

    /// `T_yiq^-1 R(delta * pi) T_yiq`, row-major, with the reference's YIQ matrices.
    static func hueMatrix(_ delta: Double) -> [Float] {
        let u = cos(delta * Double.pi), w = sin(delta * Double.pi)
        let bt: [Double] = [1, 0, 0, 0, u, -w, 0, w, u]
        let tyiq: [Double] = [0.299, 0.587, 0.114, 0.596, -0.274, -0.321, 0.211, -0.523, 0.311]
        let ityiq: [Double] = [1.0, 0.956, 0.621, 1.0, -0.272, -0.647, 1.0, -1.107, 1.705]
        return multiply(multiply(ityiq, bt), tyiq).map(Float.init)
    }

    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 9)
        for row in 0..<3 {
            for col in 0..<3 {
                for k in 0..<3 { out[row * 3 + col] += a[row * 3 + k] * b[k * 3 + col] }
            }
        }
        return out
    }
}
