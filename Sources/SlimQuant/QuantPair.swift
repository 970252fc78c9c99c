import SlimGraph

/// A quantizer -> dequantizer pair found in a QAT program (what `QuantizationTransformPass` inserted).
struct QuantPair {
    /// The var being quantized (`X` of the quantizer).
    var original: String
    /// `Out` of the quantizer (integer values).
    var quantized: String
    /// `OutScale` of the quantizer.
    var scale: String
    /// `Out` of the dequantizer, read by the quantized op.
    var dequantized: String
    var quantizeOp: Int
    var dequantizeOp: Int
    /// Whether `original` is persistable (a weight).
    var isWeight: Bool

    /// Every quantizer of `program` with its dequantizer.
    /// - Throws: `GraphError` for a quantizer without exactly one dequantizer reading its `Out`.
    static func find(in program: Program) throws -> [QuantPair] {
        var readers: [String: [Int]] = [:]
        for (j, op) in program.ops.enumerated() where QuantOps.dequantizeTypes.contains(op.type) {
            if let x = op.input("X") { readers[x, default: []].append(j) }
        }
        return try program.ops.enumerated().compactMap { i, op in
            guard QuantOps.quantizeTypes.contains(op.type) else { return nil }
            guard let x = op.input("X"), let q = op.output("Out"), let s = op.output("OutScale") else {
                throw GraphError("op #\(i) '\(op.type)' needs X, Out and OutScale")
            }
            guard let js = readers[q], js.count == 1, let j = js.first, let d = program.ops[j].output("Out") else {
                throw GraphError("op #\(i) '\(op.type)': its output '\(q)' is not read by exactly one dequantizer",
                                 hints: ["the freeze pass expects a program made by QuantizationTransformPass"])
            }
            return QuantPair(original: x, quantized: q, scale: s, dequantized: d, quantizeOp: i, dequantizeOp: j,
                             isWeight: program.variable(x)?.persistable == true)
        }
    }
}
