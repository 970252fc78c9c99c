import SlimGraph

/// `Resize` (opsets 10-21) and `Upsample` (9) of NCHW tensors, scaling H and W only ->
/// `nearest_interp` (align_corners false: row `k` reads `floor(k * in / out)`) or
/// `bilinear_interp`.
///
/// Nearest takes `asymmetric` coordinates with `floor` rounding (Upsample and opset-10 Resize
/// always), or the half-pixel modes with `round_prefer_floor`/`_ceil` at integer factors (where
/// they pick the same pixels). Linear maps `half_pixel`/`pytorch_half_pixel` to align_mode 0,
/// `asymmetric` to align_mode 1 and `align_corners` to align_corners. The output size comes from
/// `sizes` or `scales`; with scales, `in * scale` must be whole (else ONNX's source coordinates
/// differ from slim's `in / out` ratio).
enum ResizeImporter: ImportConverter {
    static let opTypes = ["Resize", "Upsample"]

    static func convert(_ context: inout ImportContext) throws {
        let node = context.node, x = try context.variable(0), xs = context.shape(x)
        guard xs.count == 4 else { throw context.unsupported("input of shape \(xs); slim resizes NCHW tensors") }
        let legacy = node.opType == "Upsample" || context.opset < 11
        let mode = node.string("mode", default: "nearest")
        let coordinates = legacy ? "asymmetric" : node.string("coordinate_transformation_mode", default: "half_pixel")
        let rounding = legacy ? "floor" : node.string("nearest_mode", default: "round_prefer_floor")
        guard node.int("antialias", default: 0) == 0, node.attribute("axes") == nil else { throw context.unsupported("antialias or axes") }
        let factors = try scaleFactors(context, xs)
        let outSize = try outputSize(context, xs, factors)
        let integral = factors.map { $0.rounded() == $0 && $0 >= 1 }.allSatisfy { $0 }
        var attrs: [String: Attribute] = ["align_corners": .bool(false)]
        if let (h, w) = outSize {
            attrs["out_h"] = .int(h)
            attrs["out_w"] = .int(w)
        } else if factors[0] == factors[1] {
            attrs["scale"] = .float(factors[0])
        } else {
            throw context.unsupported("different H and W scales \(factors) with an unknown input size (pass --input_shape)")
        }
        switch mode {
        case "nearest":
            let halfPixel = ["half_pixel", "pytorch_half_pixel", "tf_half_pixel_for_nn"].contains(coordinates)
            guard (coordinates == "asymmetric" && rounding == "floor")
                    || (halfPixel && integral && rounding.hasPrefix("round_prefer")) else {
                throw context.unsupported("nearest resize with \(coordinates) coordinates and \(rounding) rounding at scales \(factors)")
            }
            try context.emitUnary("nearest_interp", x, attrs.merging(["interp_method": .string("nearest")]) { $1 })
        case "linear", "bilinear":
            switch coordinates {
            case "half_pixel", "pytorch_half_pixel": attrs["align_mode"] = .int(0)
            case "asymmetric": attrs["align_mode"] = .int(1)
            case "align_corners": attrs["align_corners"] = .bool(true)
            default: throw context.unsupported("linear resize with \(coordinates) coordinates")
            }
            try context.emitUnary("bilinear_interp", x, attrs)
        default: throw context.unsupported("mode '\(mode)'")
        }
    }

    /// The H and W factors from `scales` (N and C must be 1), or out / in from `sizes`.
    static func scaleFactors(_ context: ImportContext, _ xs: [Int]) throws -> [Double] {
        let node = context.node
        let scalesInput = node.opType == "Upsample" || context.opset < 11 ? 1 : 2
        if let scales = node.floats("scales") { return try checked(context, scales.map(Double.init)) }
        if let c = context.constant(scalesInput), c.count > 0 { return try checked(context, c.values) }
        if context.opset >= 11, let sizes = context.constant(3), sizes.count == 4, let s = sizes.integers {
            guard xs[2] > 0, xs[3] > 0 else { throw context.unsupported("sizes with an unknown input size (pass --input_shape)") }
            guard s[1] == xs[1] || xs[1] < 0 else { throw context.unsupported("resizing the channel dim") }
            return [Double(s[2]) / Double(xs[2]), Double(s[3]) / Double(xs[3])]
        }
        throw context.unsupported("scales or sizes that are not constant")
    }

    private static func checked(_ context: ImportContext, _ scales: [Double]) throws -> [Double] {
        guard scales.count == 4, scales[0] == 1, scales[1] == 1, scales[2] > 0, scales[3] > 0 else {
            throw context.unsupported("scales \(scales): only H and W may be scaled")
        }
        return Array(scales[2...])
    }

    /// The static output H, W when the input size is known; the scaled size must be whole.
    private static func outputSize(_ context: ImportContext, _ xs: [Int], _ factors: [Double]) throws -> (Int, Int)? {
        guard xs[2] > 0, xs[3] > 0 else { return nil }
        let h = Double(xs[2]) * factors[0], w = Double(xs[3]) * factors[1]
        guard abs(h - h.rounded()) < 1e-4, abs(w - w.rounded()) < 1e-4, h >= 1, w >= 1 else {
            throw context.unsupported("scales \(factors) give a fractional output size for input \(xs)")
        }
        return (Int(h.rounded()), Int(w.rounded()))
    }
}
