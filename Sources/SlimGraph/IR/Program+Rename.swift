extension Program {
    /// The program with var `old` renamed to `new` (declarations, op slots, feeds, fetches);
    /// `new` must not be declared.
    public func renaming(_ old: String, to new: String) -> Program {
        precondition(!has(new), "rename onto declared var \(new)")
        var p = self
        guard var v = p.variable(old) else { return p }
        p.removeVars([old])
        v.name = new
        p.declare(v)
        let swap = { (names: [String]) in names.map { $0 == old ? new : $0 } }
        for i in p.ops.indices {
            p.ops[i].inputs = p.ops[i].inputs.mapValues(swap)
            p.ops[i].outputs = p.ops[i].outputs.mapValues(swap)
        }
        p.feeds = swap(p.feeds)
        p.fetches = swap(p.fetches)
        return p
    }
}
