import SlimGraph

/// Who writes and who reads each var of a program: the lookups the INT8 lowering matches
/// patterns with.
struct Int8Graph {
    let program: Program
    /// The op writing each var (the last one, in program order).
    private(set) var producer: [String: Int] = [:]
    /// The ops reading each var, in program order.
    private(set) var readers: [String: [Int]] = [:]
    let fetches: Set<String>

    init(_ program: Program) {
        self.program = program
        fetches = Set(program.fetches)
        for (i, op) in program.ops.enumerated() {
            for name in Set(op.inputNames) { readers[name, default: []].append(i) }
            for name in op.outputNames { producer[name] = i }
        }
    }

    var ops: [OpDesc] { program.ops }

    /// The one op reading `v`, when exactly one op does and `v` is not fetched (so the value can
    /// be fused away or change type).
    func soleReader(of v: String) -> Int? {
        guard !fetches.contains(v), let r = readers[v], r.count == 1 else { return nil }
        return r[0]
    }

    /// The var's declaration, when declared.
    func variable(_ name: String) -> VarDesc? { program.variable(name) }
}
