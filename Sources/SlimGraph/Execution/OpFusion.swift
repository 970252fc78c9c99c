/// The ops an executor runs for a program: pairs that oneDNN computes as one primitive become one
/// op, using Paddle's own slots and attrs for the fused forms. The program itself is unchanged.
///
/// - `conv2d` / `depthwise_conv2d` whose `Output` feeds only an `elementwise_add` (axis 1) of a
///   persistable `[O]` var: the convolution with that var as its `Bias` input (added inside the
///   convolution; its gradient comes from the convolution's backward-weights instead of a reduction).
/// - `batch_norm` whose `Y` feeds only a `relu`: the batch norm with `fuse_with_relu`.
///
/// - any pair a registered `OpRegistry.PairFusion` fuses (SlimQuant's quantizer + dequantizer).
///
/// The var between the two ops is no longer computed (`removed`): a run that fetches it runs the
/// unfused ops. Only the built-in implementations and registered fusions are fused.
struct OpFusion {
    private(set) var ops: [OpDesc]
    private(set) var removed: Set<String> = []

    /// - Parameter inference: also fuse the pairs only eval-mode runs may fuse (`fuseForInference`).
    init(_ program: Program, registry: OpRegistry, inference: Bool = false) {
        ops = program.ops
        let fusable = Self.fusableVars(program)
        fusePairs { Self.fuse($0, $1, program: program, registry: registry, fusable: fusable) }
        if inference {
            fusePairs { Self.fuseForInference($0, $1, program: program, registry: registry, fusable: fusable) }
        }
    }

    /// Replaces each adjacent pair `fuse` fuses by its fused op (repeatedly: a fused op may fuse
    /// with the next one too), noting the vars no longer computed.
    private mutating func fusePairs(_ fuse: (OpDesc, OpDesc) -> (OpDesc, [String])?) {
        var i = 0
        while i + 1 < ops.count {
            if let (fused, gone) = fuse(ops[i], ops[i + 1]) {
                removed.formUnion(gone)
                ops[i] = fused
                ops.remove(at: i + 1)
            } else {
                i += 1
            }
        }
    }

    /// Vars written by one op, read by exactly one op, neither persistable, fed nor fetched.
    static func fusableVars(_ program: Program) -> Set<String> {
        var readers: [String: Int] = [:], writers: [String: Int] = [:]
        for op in program.ops {
            for name in op.inputNames { readers[name, default: 0] += 1 }
            for name in op.outputNames { writers[name, default: 0] += 1 }
        }
        let pinned = Set(program.feeds + program.fetches)
        return Set(writers.keys.filter { name in
            writers[name] == 1 && readers[name] == 1 && !pinned.contains(name) && program.variable(name)?.persistable != true
        })
    }

    /// The fused form of `first` followed by `second` and the var between them, or nil.
    private static func fuse(_ first: OpDesc, _ second: OpDesc, program: Program, registry: OpRegistry,
                             fusable: Set<String>) -> (OpDesc, [String])? {
        func builtin(_ op: OpDesc, _ type: any Operator.Type) -> Bool { isBuiltin(op, type, registry) }
        switch (first.type, second.type) {
        case ("conv2d", "elementwise_add") where builtin(first, Conv2DOp.self) && builtin(second, ElementwiseAddOp.self),
             ("depthwise_conv2d", "elementwise_add") where builtin(first, DepthwiseConv2DOp.self) && builtin(second, ElementwiseAddOp.self):
            guard first.inputs["Bias"] == nil, let v = first.output("Output"), fusable.contains(v), first.outputs["Output"]?.count == 1,
                  second.inputs["X"] == [v], second.int("axis", default: -1) == 1, let b = second.inputs["Y"], b.count == 1,
                  let bias = program.variable(b[0]), bias.persistable, let filter = first.input("Filter"),
                  let w = program.variable(filter)?.shape, w.count == 4, bias.shape == [w[0]], let out = second.outputs["Out"] else { return nil }
            var fused = first
            fused.inputs["Bias"] = b
            fused.outputs["Output"] = out
            return (fused, [v])
        case ("batch_norm", "relu") where builtin(first, BatchNormOp.self) && builtin(second, ReluOp.self):
            guard !first.bool("fuse_with_relu", default: false), let v = first.output("Y"), fusable.contains(v),
                  first.outputs["Y"]?.count == 1, second.inputs["X"] == [v], let out = second.outputs["Out"] else { return nil }
            var fused = first
            fused.attrs["fuse_with_relu"] = .bool(true)
            fused.outputs["Y"] = out
            return (fused, [v])
        default:
            for fusion in registry.fusions {
                if let (fused, between) = fusion(first, second), fusable.contains(between) { return (fused, [between]) }
            }
            return nil
        }
    }

    /// Whether `registry` runs `op` with the built-in implementation `type`.
    static func isBuiltin(_ op: OpDesc, _ type: any Operator.Type, _ registry: OpRegistry) -> Bool {
        (try? registry.op(op.type)).map { ObjectIdentifier($0) == ObjectIdentifier(type) } ?? false
    }
}
