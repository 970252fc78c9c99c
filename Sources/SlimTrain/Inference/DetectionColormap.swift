/// Box colours of detection drawings: the first 40 entries of Detectron's colormap, which
/// PaddleDetection's `draw_bbox` draws from (`colormap(rgb=True)[:40]`), each component
/// `Int(c * 255)` as its `astype('int32')` truncates. PaddleDetection picks one at random per
/// class; here class `id` always gets entry `id mod 40`, so a class keeps its colour across images and runs.
public enum DetectionColormap {
    /// Detectron's colormap components in [0, 1], RGB triples.
    static let components: [Float] = [
        0.000, 0.447, 0.741, 0.850, 0.325, 0.098, 0.929, 0.694, 0.125, 0.494, 0.184, 0.556, 0.466, 0.674, 0.188,
        0.301, 0.745, 0.933, 0.635, 0.078, 0.184, 0.300, 0.300, 0.300, 0.600, 0.600, 0.600, 1.000, 0.000, 0.000,
        1.000, 0.500, 0.000, 0.749, 0.749, 0.000, 0.000, 1.000, 0.000, 0.000, 0.000, 1.000, 0.667, 0.000, 1.000,
        0.333, 0.333, 0.000, 0.333, 0.667, 0.000, 0.333, 1.000, 0.000, 0.667, 0.333, 0.000, 0.667, 0.667, 0.000,
        0.667, 1.000, 0.000, 1.000, 0.333, 0.000, 1.000, 0.667, 0.000, 1.000, 1.000, 0.000, 0.000, 0.333, 0.500,
        0.000, 0.667, 0.500, 0.000, 1.000, 0.500, 0.333, 0.000, 0.500, 0.333, 0.333, 0.500, 0.333, 0.667, 0.500,
        0.333, 1.000, 0.500, 0.667, 0.000, 0.500, 0.667, 0.333, 0.500, 0.667, 0.667, 0.500, 0.667, 1.000, 0.500,
        1.000, 0.000, 0.500, 1.000, 0.333, 0.500, 1.000, 0.667, 0.500, 1.000, 1.000, 0.500, 0.000, 0.333, 1.000,
    ]

    /// The 40 colours.
    public static let colors: [ImageDrawing.Color] = stride(from: 0, to: components.count, by: 3).map { i in
        func byte(_ c: Float) -> UInt8 { UInt8(Int(c * 255)) }
        return ImageDrawing.Color(r: byte(components[i]), g: byte(components[i + 1]), b: byte(components[i + 2]))
    }

    /// The colour of class `id` (any integer).
    public static func color(forClass id: Int) -> ImageDrawing.Color {
        let n = colors.count
        return colors[((id % n) + n) % n]
    }
}
