import SlimTensor

extension Program {
    /// Checks the program against `registry`:
    /// - every op type is registered;
    /// - every op input is a feed, a persistable var or the output of an earlier op, and every
    ///   var an op, feed or fetch names is declared;
    /// - shapes: each op's `inferShapes`, given the declared shapes of its inputs, agrees with the
    ///   declared shapes of its outputs (same rank; each dim equal, `-1` standing for an unknown
    ///   batch matches anything). Output slots `inferShapes` does not return are not checked, and
    ///   an op whose `inferShapes` throws "not implemented" is skipped;
    /// - dtypes where the contract fixes them (`Label` inputs, but soft labels, and `accuracy`'s counts are s32).
    /// - Throws: `GraphError` naming the op (index and type) and the var.
    public func verify(registry: OpRegistry = .shared) throws {
        var defined = Set(feeds).union(persistables.map(\.name))
        for name in feeds where !has(name) { throw GraphError("feed '\(name)' is not a declared var") }
        for (i, op) in ops.enumerated() {
            let implementation = try registry.op(op.type)
            for name in op.inputNames {
                guard has(name) else { throw GraphError("op #\(i) '\(op.type)' reads undeclared var '\(name)'") }
                guard defined.contains(name) else {
                    throw GraphError("op #\(i) '\(op.type)' reads var '\(name)' before any op writes it (dangling var)")
                }
            }
            for name in op.outputNames {
                guard has(name) else { throw GraphError("op #\(i) '\(op.type)' writes undeclared var '\(name)'") }
                defined.insert(name)
            }
            try checkDTypes(of: op, at: i)
            try checkShapes(of: op, at: i, implementation: implementation)
        }
        for name in fetches where !defined.contains(name) {
            throw GraphError("fetch '\(name)' is never computed")
        }
    }

    /// Slots whose dtype the op contract fixes: (op type or nil for any, input?, slot, dtype).
    private static let fixedDTypes: [(type: String?, input: Bool, slot: String, dtype: DType)] = [
        (nil, true, "Label", .s32),
        ("accuracy", false, "Correct", .s32),
        ("accuracy", false, "Total", .s32),
    ]

    private func checkDTypes(of op: OpDesc, at i: Int) throws {
        // A soft label (cross_entropy's, as in Paddle) is a distribution: f32.
        let softLabel = op.bool("soft_label", default: false)
        for rule in Program.fixedDTypes where (rule.type == nil || rule.type == op.type) && !(softLabel && rule.slot == "Label") {
            for name in (rule.input ? op.inputs : op.outputs)[rule.slot] ?? [] {
                guard let v = variable(name), v.dtype != rule.dtype else { continue }
                throw GraphError("op #\(i) '\(op.type)' \(rule.input ? "input" : "output") \(rule.slot) '\(name)' is \(v.dtype)",
                                 hints: ["\(rule.slot) must be \(rule.dtype)"])
            }
        }
    }

    private func checkShapes(of op: OpDesc, at i: Int, implementation: any Operator.Type) throws {
        let inputShapes = op.inputs.mapValues { names in names.map { variable($0)?.shape ?? [] } }
        let inferred: [String: [[Int]]]
        do {
            inferred = try implementation.inferShapes(op, inputs: inputShapes)
        } catch let error as GraphError where error.description.lowercased().contains("not implemented") {
            return
        } catch let error as GraphError {
            throw GraphError("op #\(i) '\(op.type)': shape inference failed: \(error.message)",
                             hints: error.hints + ["input shapes: \(describe(inputShapes))"])
        }
        for slot in op.outputs.keys.sorted() {
            guard let shapes = inferred[slot], let names = op.outputs[slot] else { continue }
            guard shapes.count == names.count else {
                throw GraphError("op #\(i) '\(op.type)' declares \(names.count) vars in output \(slot), shape inference gives \(shapes.count)")
            }
            for (name, shape) in zip(names, shapes) {
                guard let declared = variable(name)?.shape, !Program.shapesAgree(declared, shape) else { continue }
                throw GraphError("op #\(i) '\(op.type)' output \(slot) '\(name)' is declared \(declared), but its inputs give \(shape)",
                                 hints: ["input shapes: \(describe(inputShapes))"])
            }
        }
    }

    /// Same rank and each dim equal, `-1` (unknown batch) matching any dim.
    static func shapesAgree(_ a: [Int], _ b: [Int]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || $0 == -1 || $1 == -1 }
    }

    private func describe(_ shapes: [String: [[Int]]]) -> String {
        shapes.keys.sorted().map { "\($0)=\(shapes[$0] ?? [])" }.joined(separator: ", ")
    }
}
