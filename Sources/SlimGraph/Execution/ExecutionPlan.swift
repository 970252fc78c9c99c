/// A list of ops an executor can run, with their implementations and, per fetch list, which of
/// them a run needs (memoised).
final class ExecutionPlan {
    let ops: [OpDesc]
    let implementations: [any Operator.Type]
    /// Vars of the program this plan does not compute (fused away).
    let removed: Set<String>
    private var neededOps: [[String]: [Int]] = [:]

    init(ops: [OpDesc], removed: Set<String> = [], registry: OpRegistry) throws {
        self.ops = ops
        self.removed = removed
        implementations = try ops.map { try registry.op($0.type) }
    }

    /// Indices of the ops that compute `fetches`, in order (memoised per fetch list).
    func opsNeeded(for fetches: [String], available: Set<String>, program: Program) throws -> [Int] {
        if let cached = neededOps[fetches] { return cached }
        var producer: [String: Int] = [:]
        for (i, op) in ops.enumerated() { for name in op.outputNames { producer[name] = i } }
        var needed = Set<Int>(), stack = fetches
        var seen = Set<String>()
        while let name = stack.popLast() {
            guard seen.insert(name).inserted else { continue }
            guard let i = producer[name] else {
                if !available.contains(name) && !program.feeds.contains(name) && program.variable(name)?.persistable != true {
                    throw GraphError("var '\(name)' is neither fed, persistable nor computed by any op")
                }
                continue
            }
            if needed.insert(i).inserted { stack.append(contentsOf: ops[i].inputNames) }
        }
        let order = needed.sorted()
        neededOps[fetches] = order
        return order
    }
}
