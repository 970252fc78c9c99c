import SlimGraph

/// Finds a program's channel groups (`ChannelGroup`): which activations share a channel axis
/// and which parameters must be pruned together, by one walk over the ops.
///
/// Channel-preserving ops join their input's and output's groups: batch norm, activations,
/// dropout, pooling, interpolation, element-wise ops with a per-channel or scalar parameter, a
/// depthwise conv, and an `elementwise_add` of two activations (a residual: both sides and the
/// sum share channels). A `conv2d` starts a new group at its output; a `mul` (fc) ends the
/// group of its input.
///
/// A `concat` along axis 1 keeps its inputs' groups apart: its output is a composite axis, the
/// inputs' channels one after another (a concat of concats flattens to all their inputs). What
/// reads the composite becomes a member of each input's group at that input's offset; when the
/// composite cannot be pruned (a reshape reads it, it is fetched), none of its inputs can.
///
/// Any other op touching a group (reshape, softmax over channels, a concat along another axis,
/// a residual add of a concat output and a conv's output, a feed or a fetched var) makes it
/// unprunable, with the reason.
public struct ChannelDependency {
    public let program: Program
    public private(set) var groups: [ChannelGroup] = []

    /// One input of a channel concat: the group of `variable`, `channels` wide.
    struct Segment: Equatable {
        var variable: String
        var channels: Int
    }

    private var parent: [String: String] = [:]
    private var reasons: [String: String] = [:]
    private var members: [String: [ChannelGroup.Member]] = [:]
    private var producers: [String: [String]] = [:]
    private var depthwise: [String: [Int]] = [:]
    /// The composite sets (concat outputs and what carries them) by root: their inputs in order.
    private var segments: [String: [Segment]] = [:]
    /// The concat op (index) that made each composite set, by root.
    private var concats: [String: Int] = [:]

    static let passThrough: Set<String> = ["relu", "relu6", "leaky_relu", "sigmoid", "tanh", "hard_swish", "hard_sigmoid",
                                           "swish", "dropout", "pool2d", "nearest_interp", "bilinear_interp", "scale", "clip"]
    static let elementwise: Set<String> = ["elementwise_add", "elementwise_sub", "elementwise_mul", "elementwise_div"]

    public init(program: Program) {
        self.program = program
        for name in program.feeds { mark(name, "it holds a feed's channels") }
        for (i, op) in program.ops.enumerated() { visit(op, at: i) }
        for name in program.fetches { mark(name, "'\(name)' is fetched") }
        groups = collect()
    }

    /// The group whose producers include the filter `name`.
    public func group(producedBy name: String) -> ChannelGroup? { groups.first { $0.producers.contains(name) } }

    private func isActivation(_ name: String) -> Bool {
        guard let v = program.variable(name) else { return false }
        return !v.persistable && v.shape.count >= 2
    }

    private mutating func visit(_ op: OpDesc, at i: Int) {
        let groupsAttr = op.int("groups", default: 1)
        switch op.type {
        case "conv2d", "depthwise_conv2d":
            guard let x = op.input("Input"), let w = op.input("Filter"), let out = op.output("Output"),
                  let f = program.variable(w)?.shape, f.count == 4 else { return touchAll(op) }
            let channels = program.variable(x)?.shape[1] ?? 0
            if groupsAttr == 1 {
                add(x, member: .init(name: w, axis: 1, block: 1))
                root(out)
                producers[find(out), default: []].append(w)
                add(out, member: .init(name: w, axis: 0, block: 1))
            } else if groupsAttr == channels && f[0] == channels && f[1] == 1 {
                union(x, out)
                add(x, member: .init(name: w, axis: 0, block: 1))
                depthwise[find(x), default: []].append(i)
            } else {
                touchAll(op, "grouped conv #\(i) (groups \(groupsAttr)) reads it")
            }
        case "batch_norm":
            guard let x = op.input("X"), let y = op.output("Y") else { return touchAll(op) }
            union(x, y)
            for slot in ["Scale", "Bias", "Mean", "Variance"] {
                if let p = op.input(slot) { add(x, member: .init(name: p, axis: 0, block: 1)) }
            }
            for slot in ["SavedMean", "SavedVariance"] {   // per-channel temporaries: resized, nothing to gather
                if let t = op.output(slot) { add(x, member: .init(name: t, axis: 0, block: 1)) }
            }
        case "concat":
            concatOp(op, at: i)
        case let t where Self.elementwise.contains(t):
            elementwiseOp(op, at: i)
        case let t where Self.passThrough.contains(t):
            guard let x = op.input("X") else { return touchAll(op) }
            for out in op.outputNames where isActivation(out) { union(x, out) }
        case "mul":
            guard let x = op.input("X"), let w = op.input("Y"), op.int("x_num_col_dims", default: 1) == 1,
                  let xs = program.variable(x)?.shape, xs.count >= 2 else { return touchAll(op) }
            add(x, member: .init(name: w, axis: 0, block: xs.dropFirst(2).reduce(1) { $0 * max($1, 1) }))
            for out in op.outputNames where isActivation(out) { mark(out, "it is an fc output") }
        default:
            touchAll(op)
        }
    }

    /// A concat along axis 1 starts a composite set at its output: the inputs' segments in order
    /// (an input that is itself a composite contributes its segments).
    private mutating func concatOp(_ op: OpDesc, at i: Int) {
        guard let xs = op.inputs["X"], !xs.isEmpty, let out = op.output("Out"), isActivation(out),
              let rank = program.variable(out)?.shape.count else { return touchAll(op) }
        let axis = op.int("axis", default: 0)
        guard axis == 1 || axis == 1 - rank else { return touchAll(op, "concat #\(i) joins it along axis \(axis), not the channels") }
        var segs: [Segment] = []
        for x in xs {
            guard isActivation(x), let s = program.variable(x)?.shape, s.count == rank, s[1] > 0 else { return touchAll(op) }
            root(x)
            if let inner = segments[find(x)] { segs += inner } else { segs.append(Segment(variable: x, channels: s[1])) }
        }
        root(out)
        let r = find(out)
        segments[r] = segs
        concats[r] = i
    }

    private mutating func elementwiseOp(_ op: OpDesc, at i: Int) {
        guard let x = op.input("X"), let y = op.input("Y"), let out = op.output("Out"),
              let xs = program.variable(x)?.shape, let yv = program.variable(y) else { return touchAll(op) }
        if yv.persistable {
            let n = yv.shape.reduce(1, *)
            if n == 1 { union(x, out); return }
            if yv.shape.count == 1, xs.count >= 2, n == xs[1], op.int("axis", default: -1) == 1 {
                union(x, out)
                add(x, member: .init(name: y, axis: 0, block: 1))
                return
            }
            return touchAll(op, "\(op.type) #\(i) broadcasts \(y) over it")
        }
        guard yv.shape == xs else { return touchAll(op, "\(op.type) #\(i) broadcasts \(y) over it") }
        guard joinable(x, y) else { return touchAll(op, "\(op.type) #\(i) joins a concat's output with other channels") }
        union(x, y)
        union(x, out)
    }

    /// Whether the sets of `a` and `b` can become one: not when exactly one is a composite and
    /// the other has producers, or both are composites of different inputs.
    private mutating func joinable(_ a: String, _ b: String) -> Bool {
        root(a)
        root(b)
        let (ra, rb) = (find(a), find(b))
        guard ra != rb else { return true }
        switch (segments[ra], segments[rb]) {
        case (nil, nil): return true
        case let (sa?, sb?): return resolved(sa) == resolved(sb)
        case (nil, _?): return producers[ra, default: []].isEmpty
        case (_?, nil): return producers[rb, default: []].isEmpty
        }
    }

    private mutating func resolved(_ segs: [Segment]) -> [Segment] {
        segs.map { Segment(variable: find($0.variable), channels: $0.channels) }
    }

    /// Marks every activation the op reads or writes as unprunable.
    private mutating func touchAll(_ op: OpDesc, _ reason: String? = nil) {
        let why = reason ?? "op '\(op.type)' reads or writes it"
        for name in op.inputNames + op.outputNames where isActivation(name) { mark(name, why) }
    }

    // MARK: union-find over var names

    private mutating func find(_ name: String) -> String {
        var r = name
        while let p = parent[r], p != r { r = p }
        parent[name] = r
        return r
    }

    private mutating func root(_ name: String) { if parent[name] == nil { parent[name] = name } }

    private mutating func union(_ a: String, _ b: String) {
        root(a)
        root(b)
        let (ra, rb) = (find(a), find(b))
        guard ra != rb else { return }
        parent[rb] = ra
        if let r = reasons.removeValue(forKey: rb), reasons[ra] == nil { reasons[ra] = r }
        members[ra, default: []] += members.removeValue(forKey: rb) ?? []
        producers[ra, default: []] += producers.removeValue(forKey: rb) ?? []
        depthwise[ra, default: []] += depthwise.removeValue(forKey: rb) ?? []
        if let s = segments.removeValue(forKey: rb), segments[ra] == nil { segments[ra] = s }
        if let c = concats.removeValue(forKey: rb), concats[ra] == nil { concats[ra] = c }
    }

    private mutating func add(_ name: String, member: ChannelGroup.Member) {
        root(name)
        members[find(name), default: []].append(member)
    }

    private mutating func mark(_ name: String, _ reason: String) {
        guard isActivation(name) else { return }
        root(name)
        let r = find(name)
        if reasons[r] == nil { reasons[r] = reason }
    }

    // MARK: groups

    private mutating func collect() -> [ChannelGroup] {
        var byRoot: [String: [String]] = [:]
        for v in program.vars where parent[v.name] != nil { byRoot[find(v.name), default: []].append(v.name) }
        let order = Dictionary(program.vars.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        propagateCompositeReasons()
        // Each composite hands what reads it to its inputs' groups, at their offsets.
        var shared: [String: (members: [ChannelGroup.Member], vars: [ChannelGroup.Member], depthwise: [Int])] = [:]
        for (r, segs) in segments {
            var offset = 0
            for s in segs {
                let g = find(s.variable)
                if segments[g] == nil {
                    shared[g, default: ([], [], [])].members += (members[r] ?? []).map { m in
                        var m = m
                        m.offset += offset * m.block
                        return m
                    }
                    shared[g, default: ([], [], [])].vars += (byRoot[r] ?? []).map { .init(name: $0, axis: 1, block: 1, offset: offset) }
                    shared[g, default: ([], [], [])].depthwise += depthwise[r] ?? []
                }
                offset += s.channels
            }
        }
        var result: [ChannelGroup] = []
        for (r, vars) in byRoot where segments[r] == nil {
            let prods = (producers[r] ?? []).sorted { order[$0, default: 0] < order[$1, default: 0] }
            guard let key = prods.first, let first = vars.first, let channels = program.variable(first)?.shape[1] else { continue }
            var seen = Set<ChannelGroup.Member>()
            let ms = ((members[r] ?? []) + (shared[r]?.members ?? [])).filter { seen.insert($0).inserted }
            let concatVars = (shared[r]?.vars ?? []).sorted { (order[$0.name, default: 0], $0.offset) < (order[$1.name, default: 0], $1.offset) }
            result.append(ChannelGroup(key: key, channels: channels, producers: prods, members: ms,
                                       vars: vars.sorted { order[$0, default: 0] < order[$1, default: 0] }, concatVars: concatVars,
                                       depthwiseOps: (depthwise[r] ?? []) + (shared[r]?.depthwise ?? []), unsupported: reasons[r]))
        }
        return result.sorted { order[$0.key, default: 0] < order[$1.key, default: 0] }
    }

    /// A composite that cannot be pruned makes each of its inputs' groups unprunable (and a
    /// composite input of a composite, in turn, its own inputs).
    private mutating func propagateCompositeReasons() {
        // An input whose set became a composite after the concat read it (a residual add of a
        // producer-less input and a concat output) keeps its channels whole.
        for (r, segs) in segments {
            for s in segs {
                let g = find(s.variable)
                if g != r, segments[g] != nil, reasons[g] == nil { reasons[g] = "concat #\(concats[r] ?? -1) reads it as one input" }
            }
        }
        var changed = true
        while changed {
            changed = false
            for (r, segs) in segments {
                guard let why = reasons[r] else { continue }
                for s in segs {
                    let g = find(s.variable)
                    guard reasons[g] == nil else { continue }
                    reasons[g] = "concat #\(concats[r] ?? -1) joins it into channels that cannot be pruned: \(why)"
                    changed = true
                }
            }
        }
    }
}
