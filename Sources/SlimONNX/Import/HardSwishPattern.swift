import SlimGraph
import SlimTensor

/// Hard swish written out in elementary ops, as exporters emit it for opsets without
/// `HardSwish` (Paddle2ONNX's MobileNetV3, PyTorch below opset 14):
/// `Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)`, imported as `elementwise_add` (x, 3) -> `relu6` ->
/// `elementwise_mul` (x and the relu6, either order) -> `elementwise_div` (by 6). Each such chain
/// whose intermediate results feed nothing else becomes one `hard_swish` op (the same function,
/// one pass over the tensor instead of four, and a convolution before it fuses it as a post-op);
/// the constants 3 and 6 go when nothing else reads them. `Mul(x, HardSigmoid(x, 1/6, 1/2))`
/// (`slim export` and PyTorch below opset 14) becomes `hard_swish` too.
enum HardSwishPattern {
    static func rewrite(_ program: inout Program, params: [String: Tensor]) -> Int {
        var uses: [String: Int] = [:]
        for op in program.ops { for name in op.inputs.values.joined() { uses[name, default: 0] += 1 } }
        for name in program.fetches { uses[name, default: 0] += 1 }
        var producer: [String: Int] = [:]
        for (i, op) in program.ops.enumerated() { for name in op.outputs.values.joined() { producer[name] = i } }

        var removed = Set<Int>(), replaced = 0
        for (d, div) in program.ops.enumerated() where div.type == "elementwise_div" {
            guard let chain = match(d, program: program, params: params, uses: uses, producer: producer),
                  removed.isDisjoint(with: chain.ops) else { continue }
            removed.formUnion(chain.ops.filter { $0 != d })
            program.ops[d] = OpDesc(type: "hard_swish", inputs: ["X": [chain.x]], outputs: ["Out": div.outputs["Out"] ?? []],
                                    attrs: ["threshold": .float(6), "scale": .float(6), "offset": .float(3)])
            replaced += 1
        }
        for (m, mul) in program.ops.enumerated() where mul.type == "elementwise_mul" && !removed.contains(m) {
            guard let gate = sigmoidGate(m, program: program, uses: uses, producer: producer), !removed.contains(gate.op) else { continue }
            removed.insert(gate.op)
            program.ops[m] = OpDesc(type: "hard_swish", inputs: ["X": [gate.x]], outputs: ["Out": mul.outputs["Out"] ?? []],
                                    attrs: ["threshold": .float(6), "scale": .float(6), "offset": .float(3)])
            replaced += 1
        }
        guard replaced > 0 else { return 0 }
        program.ops = program.ops.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        var read = Set(program.fetches).union(program.feeds)
        for op in program.ops { read.formUnion(op.inputs.values.joined()); read.formUnion(op.outputs.values.joined()) }
        program.removeVars(Set(program.vars.map(\.name)).subtracting(read))
        return replaced
    }

    struct Chain {
        var x: String
        var ops: [Int]
    }

    /// The chain ending in `div`, when every link matches and its inner results have one reader.
    private static func match(_ d: Int, program: Program, params: [String: Tensor], uses: [String: Int],
                              producer: [String: Int]) -> Chain? {
        let div = program.ops[d]
        func single(_ op: OpDesc, _ slot: String) -> String? {
            guard let names = op.inputs[slot], names.count == 1 else { return nil }
            return names[0]
        }
        func inner(_ name: String) -> Int? { uses[name] == 1 && !program.fetches.contains(name) ? producer[name] : nil }
        func isConstant(_ name: String?, _ value: Float) -> Bool {
            guard let name, program.variable(name)?.persistable == true, let t = params[name], t.count > 0 else { return false }
            return t.floats.allSatisfy { $0 == value }
        }
        guard let m = single(div, "X"), isConstant(single(div, "Y"), 6), plainAxis(div),
              let mi = inner(m), program.ops[mi].type == "elementwise_mul", plainAxis(program.ops[mi]),
              let a = single(program.ops[mi], "X"), let b = single(program.ops[mi], "Y") else { return nil }
        for (x, r) in [(a, b), (b, a)] {
            guard let ri = inner(r), program.ops[ri].type == "relu6", program.ops[ri].float("threshold", default: 6) == 6,
                  let s = single(program.ops[ri], "X"),
                  let si = inner(s), program.ops[si].type == "elementwise_add", plainAxis(program.ops[si]),
                  single(program.ops[si], "X") == x, isConstant(single(program.ops[si], "Y"), 3) else { continue }
            return Chain(x: x, ops: [si, ri, mi, d])
        }
        return nil
    }

    /// `Mul(x, HardSigmoid(x, 1/6, 1/2))`, hard swish as `slim export` and PyTorch write it below
    /// opset 14: the gate op and x when op `m` is that product and the gate feeds nothing else.
    private static func sigmoidGate(_ m: Int, program: Program, uses: [String: Int], producer: [String: Int]) -> (op: Int, x: String)? {
        let mul = program.ops[m]
        guard plainAxis(mul), let a = mul.inputs["X"], let b = mul.inputs["Y"], a.count == 1, b.count == 1 else { return nil }
        for (x, g) in [(a[0], b[0]), (b[0], a[0])] {
            guard uses[g] == 1, !program.fetches.contains(g), let gi = producer[g], program.ops[gi].type == "hard_sigmoid",
                  program.ops[gi].inputs["X"] == [x], abs(program.ops[gi].float("slope", default: 0.2) - 1.0 / 6) < 1e-6,
                  abs(program.ops[gi].float("offset", default: 0.5) - 0.5) < 1e-7 else { continue }
            return (gi, x)
        }
        return nil
    }

    /// An elementwise op with the default broadcast (trailing dims).
    private static func plainAxis(_ op: OpDesc) -> Bool { op.int("axis", default: -1) == -1 }
}
