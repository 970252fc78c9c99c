/// The op types the executor can run, by Paddle type name. Other modules add theirs with
/// `OpRegistry.shared.register(MyOp.self)` before building an `Executor`.
public final class OpRegistry: @unchecked Sendable {
    public static let shared = OpRegistry(builtins: true)

    private var table: [String: any Operator.Type] = [:]

    init(builtins: Bool) {
        if builtins { for op in OpRegistry.builtinOperators { register(op) } }
    }

    /// Adds (or replaces) the implementation of `op.type`.
    public func register(_ op: any Operator.Type) { table[op.type] = op }

    /// The implementation of `type`, or a `GraphError` listing the known types.
    public func op(_ type: String) throws -> any Operator.Type {
        if let op = table[type] { return op }
        throw GraphError("unknown op type '\(type)'", hints: ["known op types: \(types.joined(separator: ", "))"])
    }

    /// Registered type names, sorted.
    public var types: [String] { table.keys.sorted() }
}
