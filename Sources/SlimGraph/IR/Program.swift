import SlimTensor

/// A program: one block of vars and ops in topological order, with the feed and fetch var names.
///
/// A value type: passes take a program and return (or mutate) a copy, deterministically.
public struct Program: Codable, Hashable, Sendable {
    /// Vars in declaration order.
    public private(set) var vars: [VarDesc]
    public var ops: [OpDesc]
    public var feeds: [String]
    public var fetches: [String]
    private var index: [String: Int]

    public init(vars: [VarDesc] = [], ops: [OpDesc] = [], feeds: [String] = [], fetches: [String] = []) {
        self.vars = []
        self.ops = ops
        self.feeds = feeds
        self.fetches = fetches
        index = [:]
        for v in vars { declare(v) }
    }

    private enum CodingKeys: String, CodingKey { case vars, ops, feeds, fetches }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(vars: try c.decode([VarDesc].self, forKey: .vars), ops: try c.decode([OpDesc].self, forKey: .ops),
                  feeds: try c.decode([String].self, forKey: .feeds), fetches: try c.decode([String].self, forKey: .fetches))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(vars, forKey: .vars)
        try c.encode(ops, forKey: .ops)
        try c.encode(feeds, forKey: .feeds)
        try c.encode(fetches, forKey: .fetches)
    }

    /// The var named `name`, if declared.
    public func variable(_ name: String) -> VarDesc? { index[name].map { vars[$0] } }

    /// Whether a var named `name` is declared.
    public func has(_ name: String) -> Bool { index[name] != nil }

    /// Declares `v`, or replaces the declaration of the same name in place.
    public mutating func declare(_ v: VarDesc) {
        if let i = index[v.name] { vars[i] = v } else { index[v.name] = vars.count; vars.append(v) }
    }

    /// Changes the declaration of `name` (which must exist).
    public mutating func update(_ name: String, _ body: (inout VarDesc) -> Void) {
        guard let i = index[name] else { preconditionFailure("update of undeclared var \(name)") }
        body(&vars[i])
        precondition(vars[i].name == name, "update must not rename a var")
    }

    /// Removes the declarations of `names` (ops are not touched).
    public mutating func removeVars(_ names: Set<String>) {
        vars.removeAll { names.contains($0.name) }
        index = Dictionary(uniqueKeysWithValues: vars.enumerated().map { ($1.name, $0) })
    }

    /// Persistable vars, in declaration order.
    public var persistables: [VarDesc] { vars.filter(\.persistable) }

    /// Trainable vars, in declaration order.
    public var trainables: [VarDesc] { vars.filter(\.trainable) }
}
