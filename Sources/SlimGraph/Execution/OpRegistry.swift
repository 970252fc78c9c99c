/// The op types the executor can run, by Paddle type name. Other modules add theirs with
/// `OpRegistry.shared.register(MyOp.self)` before building an `Executor`.
public final class OpRegistry: @unchecked Sendable {
    public static let shared = OpRegistry(builtins: true)

    private var table: [String: any Operator.Type] = [:]
    private var pairFusions: [String: PairFusion] = [:]

    /// A rewrite of two adjacent ops into one that an executor runs instead (`OpFusion`): the
    /// fused op and the var between the two, or nil to leave the pair alone. The executor fuses
    /// only when that var is written by the first op and read by the second alone, and is neither
    /// persistable, fed nor fetched.
    public typealias PairFusion = @Sendable (_ first: OpDesc, _ second: OpDesc) -> (op: OpDesc, between: String)?

    /// A registry of the built-in ops (add others with `register`), apart from `shared`.
    public convenience init() { self.init(builtins: true) }

    init(builtins: Bool) {
        if builtins { for op in OpRegistry.builtinOperators { register(op) } }
    }

    /// Adds (or replaces) the implementation of `op.type`.
    public func register(_ op: any Operator.Type) { table[op.type] = op }

    /// Adds (or replaces) the pair fusion called `name` (e.g. a module's own ops fused).
    public func registerFusion(named name: String, _ fusion: @escaping PairFusion) { pairFusions[name] = fusion }

    /// The registered pair fusions, in the order of their names.
    var fusions: [PairFusion] { pairFusions.sorted { $0.key < $1.key }.map(\.value) }

    /// The implementation of `type`, or a `GraphError` listing the known types.
    public func op(_ type: String) throws -> any Operator.Type {
        if let op = table[type] { return op }
        throw GraphError("unknown op type '\(type)'", hints: ["known op types: \(types.joined(separator: ", "))"])
    }

    /// Registered type names, sorted.
    public var types: [String] { table.keys.sorted() }
}
