import SlimGraph

extension ONNXImporter {
    /// Declares the graph inputs that are not initializers as feed vars (batch -1) and records
    /// the initializers as constants. Returns the feed var names.
    func declareInputs(_ graph: Onnx_GraphProto, in context: inout ImportContext) throws -> [String] {
        for t in graph.initializer {
            context.constants[t.name] = try t.importedConstant()
            context.elementTypes[t.name] = t.dataType
        }
        let inputs = graph.input.filter { context.constants[$0.name] == nil }
        guard !inputs.isEmpty else { throw ONNXImportError(.malformed, "the graph has no inputs besides its initializers") }
        var feeds: [String] = []
        for input in inputs {
            let shape = try feedShape(input, only: inputs.count == 1)
            let v = context.reserve(input.name)
            context.program.declare(VarDesc(name: v, shape: shape))
            context.vars[input.name] = v
            feeds.append(v)
        }
        return feeds
    }

    /// The slim shape of graph input `input`: batch -1, the other dims from the file or from
    /// `inputShape` (which only a single input may take).
    private func feedShape(_ input: Onnx_ValueInfoProto, only: Bool) throws -> [Int] {
        guard case .tensorType(let tensor)? = input.type.value else {
            throw ONNXImportError(.unsupported, "graph input '\(input.name)' is not a tensor")
        }
        guard tensor.elemType == 1 else {
            throw ONNXImportError(.unsupported, "graph input '\(input.name)' has element type \(tensor.elemType); slim imports float inputs only")
        }
        let fileDims = tensor.shape.dim.map { d -> Int in
            if case .dimValue(let v)? = d.value, v > 0 { return Int(v) }
            return -1
        }
        if let given = inputShape, only {
            let tail = given.count == fileDims.count ? Array(given.dropFirst()) : given
            guard tail.count + 1 == fileDims.count || fileDims.isEmpty, tail.allSatisfy({ $0 > 0 }) else {
                throw ONNXImportError(.malformed, "--input_shape \(given) does not fit graph input '\(input.name)' of rank \(fileDims.count)",
                                      hints: ["give N,C,H,W (or C,H,W) with positive dims"])
            }
            return [-1] + tail
        }
        guard fileDims.count >= 2 else {
            throw ONNXImportError(.unsupported, "graph input '\(input.name)' has rank \(fileDims.count); slim needs a batch dimension and more",
                                  hints: ["pass --input_shape N,C,H,W"])
        }
        if let unknown = fileDims.dropFirst().firstIndex(of: -1) {
            throw ONNXImportError(.malformed, "graph input '\(input.name)' has a symbolic dim \(unknown) (\(tensor.shape.dim[unknown].dimParam))",
                                  hints: ["pass --input_shape N,C,H,W to fix every dim but the batch"])
        }
        return [-1] + fileDims.dropFirst()
    }
}
