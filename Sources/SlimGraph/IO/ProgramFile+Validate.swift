extension ProgramFile {
    /// The program of `envelope`, after checking what `Program` itself does not: unique var
    /// names, shapes (`-1` only in non-persistable vars), and that feeds, fetches and every op
    /// slot name declared vars.
    static func validated(_ envelope: Envelope, path: String) throws -> Program {
        func fail(_ problem: String, _ expected: String) -> ModelFileError {
            ModelFileError(.malformed, path: path, problem, expected: expected)
        }
        var seen = Set<String>()
        for v in envelope.vars {
            guard !v.name.isEmpty, seen.insert(v.name).inserted else {
                throw fail("var '\(v.name)' is declared twice or has an empty name", "unique, non-empty var names")
            }
            let lowest = v.persistable ? 0 : -1
            guard v.shape.allSatisfy({ $0 >= lowest }) else {
                throw fail("var '\(v.name)' has shape \(v.shape)",
                           v.persistable ? "dims >= 0 for a persistable var" : "dims >= 0, or -1 for the batch")
            }
        }
        for (role, names) in [("feed", envelope.feeds), ("fetch", envelope.fetches)] {
            for name in names where !seen.contains(name) {
                throw fail("\(role) '\(name)' is not a declared var", "feeds and fetches among the vars")
            }
        }
        for (i, op) in envelope.ops.enumerated() {
            guard !op.type.isEmpty else { throw fail("op #\(i) has an empty type", "a Paddle op type") }
            for name in op.inputNames + op.outputNames where !seen.contains(name) {
                throw fail("op #\(i) '\(op.type)' uses undeclared var '\(name)'", "every var an op uses declared in \"vars\"")
            }
        }
        return Program(vars: envelope.vars, ops: envelope.ops, feeds: envelope.feeds, fetches: envelope.fetches)
    }
}
