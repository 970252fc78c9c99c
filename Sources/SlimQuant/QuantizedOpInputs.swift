import SlimGraph

/// The quantized inputs of one quantized op of a QAT program: its weight (with the scales the
/// freeze pass used) and its activation's scale var.
struct QuantizedOpInputs {
    var weight: String
    var weightScales: WeightScales
    var activationScale: String

    /// Reads the quantized slots of `op` (its inputs as in the QAT program); nil when none of them
    /// is a dequantizer output, i.e. the op was not quantized.
    /// - Throws: `GraphError` unless exactly one activation and one weight are quantized.
    init?(_ op: OpDesc, pairs: [String: QuantPair], weightScales: [String: WeightScales]) throws {
        var weights: [QuantPair] = [], activations: [QuantPair] = [], plain: [String] = []
        for slot in QuantizableOp.inputSlots(of: op.type) {
            for name in op.inputs[slot] ?? [] {
                guard let pair = pairs[name] else { plain.append(name); continue }
                if pair.isWeight { weights.append(pair) } else { activations.append(pair) }
            }
        }
        guard !weights.isEmpty || !activations.isEmpty else { return nil }
        guard weights.count == 1, activations.count == 1, plain.isEmpty,
              let scales = weightScales[weights[0].original] else {
            throw GraphError("quantized op '\(op.type)' writing \(op.outputNames) must read one quantized activation and one quantized weight",
                             hints: ["quantized weights: \(weights.map(\.original)), activations: \(activations.map(\.original)), unquantized: \(plain)"])
        }
        weight = weights[0].original
        self.weightScales = scales
        activationScale = activations[0].scale
    }
}
