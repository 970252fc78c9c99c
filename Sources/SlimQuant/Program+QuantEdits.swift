import SlimGraph
import SlimTensor

extension Program {
    /// Every var an op reads or writes, plus the feeds and fetches.
    var referencedVars: Set<String> {
        var names = Set(feeds).union(fetches)
        for op in ops { names.formUnion(op.inputNames); names.formUnion(op.outputNames) }
        return names
    }

    /// Declares a var the pass creates.
    /// - Throws: `GraphError` when a var of that name already exists.
    mutating func declareNew(_ v: VarDesc) throws {
        guard !has(v.name) else {
            throw GraphError("var '\(v.name)' already exists", hints: ["was the program quantized already?"])
        }
        declare(v)
    }

    /// Removes the vars of `candidates` that no op, feed or fetch references any more, from the
    /// program and from `params`.
    mutating func removeUnreferenced(_ candidates: Set<String>, params: inout [String: Tensor]) {
        let gone = candidates.subtracting(referencedVars)
        removeVars(gone)
        for name in gone { params[name] = nil }
    }
}

extension OpDesc {
    /// Replaces input var names by `renames` (names not in it stay).
    mutating func renameInputs(_ renames: [String: String]) {
        inputs = inputs.mapValues { $0.map { renames[$0] ?? $0 } }
    }
}
