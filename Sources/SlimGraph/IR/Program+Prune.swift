extension Program {
    /// The part of the program that computes `fetches` from `feeds` and the persistable vars:
    /// only the ops needed (in program order), only the vars they, the feeds and the fetches use
    /// (in declaration order). Used to save inference models (PaddleSlim's `save_in_nodes` ->
    /// `save_out_nodes`). Ops that compute a feed are cut off: the feed's value comes from outside.
    ///
    /// Walks the ops backwards, keeping an op when it writes a var still needed and adding its
    /// inputs (other than feeds) to the needed set, as Paddle's `prune` does.
    /// - Throws: `GraphError` for an unknown feed or fetch name (with similar names), no fetches,
    ///   or a fetch that needs a var that is neither fed, persistable nor computed from them.
    public func pruned(feeds: [String], fetches: [String]) throws -> Program {
        guard !fetches.isEmpty else { throw GraphError("pruning needs at least one fetch var") }
        for (role, names) in [("feed", feeds), ("fetch", fetches)] {
            for name in names where !has(name) { throw unknownVar(name, role: role) }
        }
        let feedSet = Set(feeds)
        var needed = Set(fetches).subtracting(feedSet)
        var kept: [Int] = []
        for (i, op) in ops.enumerated().reversed() where op.outputNames.contains(where: needed.contains) {
            kept.append(i)
            needed.formUnion(op.inputNames.filter { !feedSet.contains($0) })
        }
        kept.reverse()
        let usedNames = used(by: kept, feeds: feedSet, fetches: fetches)
        let result = Program(vars: vars.filter { usedNames.contains($0.name) },
                             ops: kept.map { ops[$0] }, feeds: feeds, fetches: fetches)
        try result.checkComputable()
        return result
    }

    private func used(by kept: [Int], feeds: Set<String>, fetches: [String]) -> Set<String> {
        var names = feeds.union(fetches)
        for i in kept { names.formUnion(ops[i].inputNames); names.formUnion(ops[i].outputNames) }
        return names
    }

    /// Every op input and fetch is a feed, a persistable var or computed by an earlier op.
    private func checkComputable() throws {
        var defined = Set(feeds).union(persistables.map(\.name))
        let hint = "add it to the feeds, or fetch vars that do not depend on it"
        for (i, op) in ops.enumerated() {
            if let missing = op.inputNames.first(where: { !defined.contains($0) }) {
                throw GraphError("op '\(op.type)' (#\(i) of the pruned program) needs '\(missing)', which is neither fed, persistable nor computed",
                                 hints: [hint])
            }
            defined.formUnion(op.outputNames)
        }
        if let missing = fetches.first(where: { !defined.contains($0) }) {
            throw GraphError("fetch '\(missing)' is neither fed, persistable nor computed by any op", hints: [hint])
        }
    }

    /// "unknown feed 'imgae'" with the closest declared var names and the program's own feeds
    /// or fetches.
    private func unknownVar(_ name: String, role: String) -> GraphError {
        let limit = max(2, name.count / 3)
        let scored: [(name: String, distance: Int)] = vars.map { ($0.name, Program.editDistance($0.name, name)) }
        let ranked = scored.filter { $0.distance <= limit }
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .prefix(3).map(\.name)
        var hints = ranked.isEmpty ? [] : ["did you mean \(ranked.map { "'\($0)'" }.joined(separator: " or "))?"]
        let own = role == "feed" ? self.feeds : self.fetches
        hints.append("the program's \(role == "feed" ? "feeds" : "fetches") are [\(own.joined(separator: ", "))]")
        return GraphError("unknown \(role) '\(name)': the program declares no such var", hints: hints)
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var previous = row[0]
            row[0] = i + 1
            for (j, cb) in b.enumerated() {
                let substitute = previous + (ca == cb ? 0 : 1)
                previous = row[j + 1]
                row[j + 1] = min(substitute, row[j] + 1, previous + 1)
            }
        }
        return row[b.count]
    }
}
