extension Program {
    /// Checks that every op type is registered and every op input is a feed, a persistable var
    /// or the output of an earlier op, and that every referenced var is declared.
    /// - Throws: `GraphError` naming the op and var.
    public func verify(registry: OpRegistry = .shared) throws {
        var defined = Set(feeds).union(persistables.map(\.name))
        for name in feeds where !has(name) { throw GraphError("feed '\(name)' is not a declared var") }
        for (i, op) in ops.enumerated() {
            _ = try registry.op(op.type)
            for name in op.inputNames {
                guard has(name) else { throw GraphError("op #\(i) '\(op.type)' reads undeclared var '\(name)'") }
                guard defined.contains(name) else {
                    throw GraphError("op #\(i) '\(op.type)' reads var '\(name)' before any op writes it (dangling var)")
                }
            }
            for name in op.outputNames {
                guard has(name) else { throw GraphError("op #\(i) '\(op.type)' writes undeclared var '\(name)'") }
                defined.insert(name)
            }
        }
        for name in fetches where !defined.contains(name) {
            throw GraphError("fetch '\(name)' is never computed")
        }
    }
}
