import SlimGraph

extension ImportContext {
    /// Appends the slim op `type` and declares its output vars with the shapes the op infers
    /// (output vars already declared, such as batch norm's `MeanOut`, are kept).
    /// - Throws: `ONNXImportError` when the op rejects the input shapes or attrs.
    mutating func emit(_ type: String, _ inputs: [String: [String]], _ outputs: [String: [String]],
                       _ attrs: [String: Attribute] = [:]) throws {
        let op = OpDesc(type: type, inputs: inputs, outputs: outputs, attrs: attrs)
        let inferred: [String: [[Int]]]
        do {
            let implementation = try OpRegistry.shared.op(type)
            inferred = try implementation.inferShapes(op, inputs: inputs.mapValues { $0.map { shape($0) } })
        } catch let error as GraphError {
            throw malformed("its slim translation '\(type)' is invalid: \(error.message)")
        }
        for (slot, names) in outputs {
            for (i, name) in names.enumerated() where !program.has(name) {
                guard let s = inferred[slot], i < s.count else { throw malformed("slim op '\(type)' gives no shape for \(slot)") }
                program.declare(VarDesc(name: name, shape: s[i]))
            }
        }
        program.ops.append(op)
    }

    /// Appends a one-input, one-output slim op (`X` -> `Out`) writing node output 0.
    mutating func emitUnary(_ type: String, _ x: String, _ attrs: [String: Attribute] = [:]) throws {
        try emit(type, ["X": [x]], ["Out": [try output()]], attrs)
    }
}
