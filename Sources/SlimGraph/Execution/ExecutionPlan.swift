/// A list of ops an executor can run, with their implementations and, per fetch list, the
/// `RunSchedule` of the ops a run needs (memoised).
final class ExecutionPlan {
    let ops: [OpDesc]
    let implementations: [any Operator.Type]
    /// Vars of the program this plan does not compute (fused away).
    let removed: Set<String>
    /// Per op: what its implementation derived once from the desc (`OpContext.memo`).
    let memos: [OpMemo]
    private var schedules: [[String]: RunSchedule] = [:]
    /// The schedule of the last run, found without hashing its fetch list.
    private var last: (fetches: [String], schedule: RunSchedule)?

    init(ops: [OpDesc], removed: Set<String> = [], registry: OpRegistry) throws {
        self.ops = ops
        self.removed = removed
        implementations = try ops.map { try registry.op($0.type) }
        memos = ops.map { _ in OpMemo() }
    }

    /// The schedule computing `fetches` (memoised per fetch list; `available`, the names fed or in
    /// the scope, is evaluated only the first time).
    func schedule(for fetches: [String], available: () -> Set<String>, program: Program) throws -> RunSchedule {
        if let last, last.fetches == fetches { return last.schedule }
        if let cached = schedules[fetches] {
            last = (fetches, cached)
            return cached
        }
        let made = RunSchedule(plan: self, ops: try opsNeeded(for: fetches, available: available(), program: program),
                               fetches: fetches, program: program)
        schedules[fetches] = made
        last = (fetches, made)
        return made
    }

    /// Indices of the ops that compute `fetches`, in order.
    private func opsNeeded(for fetches: [String], available: Set<String>, program: Program) throws -> [Int] {
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
        return needed.sorted()
    }
}
