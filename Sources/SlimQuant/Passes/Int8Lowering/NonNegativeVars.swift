import SlimGraph

/// The vars of a program that are provably >= 0, by forward propagation in program order:
/// outputs of `relu`, `relu6`, `softmax`, `sigmoid`; and outputs of ops that keep signs
/// (`pool2d`, `reshape2`, `flatten2`, `dropout`, `concat`, `elementwise_add`, activation
/// quantizers) when all their inputs are. Feeds and weights are not assumed non-negative.
///
/// The INT8 engine stores a quantized activation as u8 (exact kernels on every CPU) when it is
/// non-negative, and as s8 otherwise.
enum NonNegativeVars {
    static let producingTypes: Set<String> = ["relu", "relu6", "softmax", "sigmoid"]
    static let preservingTypes = Set(["pool2d", "reshape2", "flatten2", "dropout", "concat", "elementwise_add"])
        .union(QuantOps.quantizeTypes)

    static func of(_ program: Program) -> Set<String> {
        var result = Set<String>()
        for op in program.ops {
            guard let out = op.output("Out") else { continue }
            if producingTypes.contains(op.type) {
                result.insert(out)
            } else if preservingTypes.contains(op.type) {
                let read = (op.inputs["X"] ?? []) + (op.type == "elementwise_add" ? op.inputs["Y"] ?? [] : [])
                if !read.isEmpty, read.allSatisfy(result.contains) { result.insert(out) }
            }
        }
        return result
    }
}
