import SlimGraph

/// `PRelu` with a constant slope -> `prelu`: mode "all" for one slope, "channel" for a slope
/// per dim-1 channel (shape [C, 1, 1] for NCHW, as PyTorch exports), "element" for a slope per
/// element of a sample.
enum PReluImporter: ImportConverter {
    static let opTypes = ["PRelu"]

    static func convert(_ context: inout ImportContext) throws {
        let x = try context.variable(0), xs = context.shape(x)
        let slope = try context.requireConstant(1, "slope")
        guard xs.count >= 2, slope.shape.count <= xs.count else { throw context.unsupported("slope \(slope.shape) for input \(xs)") }
        let aligned = [Int](repeating: 1, count: xs.count - slope.shape.count) + slope.shape
        let mode: String
        if slope.count == 1 {
            mode = "all"
        } else if aligned[1] == xs[1], aligned.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 1 }) {
            mode = "channel"
        } else if aligned[0] == 1, Array(aligned.dropFirst()) == Array(xs.dropFirst()) {
            mode = "element"
        } else {
            throw context.unsupported("slope of shape \(slope.shape) for input \(xs)")
        }
        let alpha = context.parameter(slope.tensor, name: context.node.input[1])
        try context.emit("prelu", ["X": [x], "Alpha": [alpha]], ["Out": [try context.output()]], ["mode": .string(mode)])
    }
}
