extension OpRegistry {
    /// The ops SlimGraph itself implements (one file each in `Ops/`).
    static let builtinOperators: [any Operator.Type] = []
}
