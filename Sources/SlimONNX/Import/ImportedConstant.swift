import SlimTensor

/// A value known when importing: an initializer, a `Constant` node's output or a folded
/// subgraph (`Shape` -> `Gather` -> `Unsqueeze` -> `Concat` before a `Reshape`).
///
/// Values are held as `Double` (exact for every int32 and for int64 up to 2^53). The batch
/// dimension of a tensor whose batch is dynamic is `Double.nan` (`batch`): it passes through
/// gathers, concatenations and casts, and arithmetic on it stays NaN, which a consumer rejects.
struct ImportedConstant: Sendable {
    static let batch = Double.nan

    var shape: [Int]
    var values: [Double]
    /// Whether the ONNX element type is a floating-point one.
    var isFloat: Bool

    init(shape: [Int], values: [Double], isFloat: Bool) {
        precondition(shape.reduce(1, *) == values.count, "constant \(shape) with \(values.count) values")
        self.shape = shape
        self.values = values
        self.isFloat = isFloat
    }

    /// A 1-D integer constant.
    static func ints(_ values: [Double]) -> ImportedConstant {
        ImportedConstant(shape: [values.count], values: values, isFloat: false)
    }

    var count: Int { values.count }

    /// The values as f32 with `shape` (rank 0 becomes [1], as slim has no scalars).
    var tensor: Tensor { Tensor(shape: shape.isEmpty ? [1] : shape, floats: values.map { Float($0) }) }

    /// The values as integers (int64's extremes saturate), or nil when one is not a finite
    /// integer (e.g. the batch dim).
    var integers: [Int]? {
        var out: [Int] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard v.isFinite, v.rounded() == v else { return nil }
            out.append(v >= 9.2e18 ? Int.max : v <= -9.2e18 ? Int.min : Int(v))   // INT64_MAX/MIN: "to the end"
        }
        return out
    }

    /// The same values with another shape (same count).
    func reshaped(_ newShape: [Int]) -> ImportedConstant {
        ImportedConstant(shape: newShape, values: values, isFloat: isFloat)
    }
}
