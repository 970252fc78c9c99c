import SlimGraph
import SlimTensor

/// The edits `Int8LoweringPass` makes, collected chain by chain, then applied in one pass over
/// the ops (`emit`). Every replacement op takes the position of the op it replaces.
struct Int8Lowering {
    let graph: Int8Graph
    let nonNegative: Set<String>
    /// Activation quantizers by op index.
    let quantizers: [Int: ActivationQuantizer]
    /// `Out` vars of the quantizers that some chain reads.
    let chainInputs: Set<String>
    private(set) var replacements: [Int: OpDesc] = [:]
    private(set) var dropped = Set<Int>()
    /// Output renames of kept ops (the last op of a requantization path writes the quantizer's `Out`).
    private(set) var outputRenames: [Int: [String: String]] = [:]
    /// Ops that now run on integers (max pool as `int8_pool2d`, reshape, flatten: between a chain and its requantization).
    private(set) var integerOps = Set<Int>()
    /// Vars whose type becomes u8 or s8.
    private(set) var integerVars: [String: DType] = [:]
    /// The zero points of the asymmetric u8 vars among them (`int8_to_float` subtracts it).
    private(set) var zeroPoints: [String: Int] = [:]
    private(set) var newVars: [VarDesc] = []
    private(set) var newParams: [String: Tensor] = [:]
    /// Ops to run before op i (the `int8_quantize` of an integer concat's float inputs).
    private(set) var insertions: [Int: [OpDesc]] = [:]
    /// The concats that run on integers, by op index.
    let integerConcats: [Int: IntegerConcat]
    /// The residual adds that run on integers, by the op index of the chain fusing them.
    private(set) var integerResiduals: [Int: IntegerResidual] = [:]
    /// Projection shortcut chains (by op index): the quantizer whose units they write, and the var.
    private var projections: [Int: (quantizer: ActivationQuantizer, output: String)] = [:]
    /// Reads of float vars that integer residuals replace (var -> the fused adds), which no longer
    /// keep a chain from requantizing.
    private var replacedReads: [String: Set<Int>] = [:]
    /// Whether a convolution's asymmetric input subtracts its zero point in oneDNN (attr
    /// `input_shift` z: the source zero point, in s32) rather than through `-z Σ w` in the bias
    /// and padding with z (attr `input_zero_point`, `Int8ZeroPoint`). Only where u8 inputs are
    /// exact (VNNI).
    let sourceZeroPoints: Bool
    /// The same for depthwise convolutions alone (exact on every host: `Kernels.int8ShiftIsExact`).
    let depthwiseSourceZeroPoints: Bool

    init(graph: Int8Graph, quantizers: [ActivationQuantizer], chains: [Int8Chain], sourceZeroPoints: Bool = false,
         depthwiseSourceZeroPoints: Bool = false) {
        self.graph = graph
        self.sourceZeroPoints = sourceZeroPoints
        self.depthwiseSourceZeroPoints = depthwiseSourceZeroPoints
        nonNegative = NonNegativeVars.of(graph.program)
        self.quantizers = Dictionary(quantizers.map { ($0.index, $0) }) { a, _ in a }
        chainInputs = Set(chains.map(\.quantizer.output))
        let ends = Set(chains.filter { $0.scales != nil && $0.residual == nil }.map(\.end))
        integerConcats = IntegerConcat.all(in: graph, quantizers: self.quantizers, chainInputs: chainInputs, chainEnds: ends)
        planIntegerResiduals(chains)
    }

    /// Picks the residual adds that run on integers (`IntegerResidual`), last chain first: a chain
    /// requantizes only when every float add reading its output (the next block's shortcut) reads
    /// the integers instead, which is decided for the later chains first.
    private mutating func planIntegerResiduals(_ chains: [Int8Chain]) {
        let byEnd = Dictionary(chains.filter { $0.scales != nil }.map { ($0.end, $0) }) { a, _ in a }
        for c in chains.reversed() {
            guard let r = c.residual, c.scales != nil, IntegerResidual.allows(c.activation),
                  let add = c.fused.first(where: { graph.ops[$0].type == "elementwise_add" && graph.ops[$0].inputNames.contains(r) }),
                  graph.ops[add].bool(ConvertToInt8Pass.integerResidualAttr, default: false),
                  let (path, q) = requantization(after: c.end), let f = q.levelsPerUnit, q.zeroPoint == nil,
                  !path.contains(where: { integerConcats[$0] != nil }) else { continue }   // symmetric quantizers only
            let shortcut = quantizers.values
                .filter { $0.input == r && $0.index < c.position && $0.zeroPoint == nil && Int8Lowering.canRequantize(into: $0, graph: graph, chainInputs: chainInputs) }
                .min { $0.index < $1.index }
            if let qr = shortcut, let fr = qr.levelsPerUnit {
                integerResiduals[c.op] = IntegerResidual(input: qr.output, scale: f / fr)
                replacedReads[r, default: []].insert(add)
            } else if let p = byEnd[r], p.op != c.op, p.residual == nil, IntegerResidual.allows(p.activation), projections[p.op] == nil,
                      graph.soleReader(of: r) == add {
                let name = IntegerResidual.projectionName(r)
                integerResiduals[c.op] = IntegerResidual(input: name, scale: 1)
                projections[p.op] = (q, name)
            }
        }
    }

    /// The one op reading `v` (`Int8Graph.soleReader`), not counting the fused adds that read
    /// `v`'s integers instead (`replacedReads`).
    private func soleReader(of v: String) -> Int? {
        guard let replaced = replacedReads[v] else { return graph.soleReader(of: v) }
        guard !graph.fetches.contains(v) else { return nil }
        let readers = (graph.readers[v] ?? []).filter { !replaced.contains($0) }
        return readers.count == 1 ? readers[0] : nil
    }

    /// Replaces the chain's ops by one int8 op at the chain's last position; requantizes into the
    /// next quantizer when it can (with a residual only when it is summed as integers,
    /// `IntegerResidual`: the kernels add a residual of the output's size); a projection shortcut
    /// requantizes into the units of the add it feeds.
    mutating func lower(_ c: Int8Chain) {
        let op = graph.ops[c.op]
        guard let scales = c.scales else {
            replacements[c.op] = int8Op(op, c, epilogue: Int8Epilogue(outputScales: [1]), bias: nil, residual: nil, output: c.end)
            return
        }
        var epilogue = Int8Epilogue(outputScales: scales, activation: floatActivation(c))
        var output = c.end
        var residual = c.residual
        if let projection = projections[c.op], let f = projection.quantizer.levelsPerUnit {
            let (activation, type) = requantizedActivation(c, into: projection.quantizer, levelsPerUnit: f)
            epilogue = Int8Epilogue(outputScales: scales.map { $0 * f }, activation: activation, outputType: type)
            output = projection.output
            newVars.append(VarDesc(name: output, shape: graph.variable(c.end)?.shape ?? [], dtype: type))
        } else if c.residual == nil || integerResiduals[c.op] != nil, let (path, q) = requantization(after: c.end), let f = q.levelsPerUnit {
            var (activation, type) = requantizedActivation(c, into: q, levelsPerUnit: f)
            if path.contains(where: { integerConcats[$0] != nil }) { type = .s8 }   // the concat's inputs share one type
            // Hard swish does not commute with the factor f: it runs on real values, f after it.
            let unitScales = c.activation.map { if case .hardSwish = $0 { return true } else { return false } } ?? false
            epilogue = Int8Epilogue(outputScales: unitScales ? scales : scales.map { $0 * f }, activation: activation, outputType: type,
                                    outputZeroPoint: q.zeroPoint ?? 0)
            output = route(c.end, through: path, into: q, type: type)
            if let integer = integerResiduals[c.op] {
                epilogue.residualScale = integer.scale
                residual = integer.input
            }
        }
        var biasVar: String?
        // An asymmetric input's zero point z: the accumulator Σ x w less z Σ w is Σ (x - z) w (`Int8ZeroPoint`).
        let zeroShift = usesSourceZeroPoint(op) ? nil : c.weightSums.map { sums in sums.map { -Double(c.quantizer.zeroPoint ?? 0) * $0 } }
        if c.shift != nil || zeroShift != nil {
            let name = op.outputNames[0] + ".int8_bias"
            biasVar = name
            newVars.append(VarDesc(name: name, shape: [c.channels], persistable: true))
            let values = (0..<c.channels).map { o -> Float in
                let shifted = c.shift.map { $0[o] / scales[scales.count == 1 ? 0 : o] } ?? 0
                return zeroShift.map { Float(Double(shifted) + $0[o]) } ?? shifted
            }
            newParams[name] = Tensor(shape: [c.channels], floats: values)
        }
        dropped.formUnion([c.op] + c.fused)
        dropped.remove(c.position)
        replacements[c.position] = int8Op(op, c, epilogue: epilogue, bias: biasVar, residual: residual, output: output)
    }

    /// Runs each integer concat on s8 values in its quantizer's units: the float inputs quantized
    /// by an `int8_quantize` before it, the output written as the quantizer's `Out`, the quantizer
    /// dropped. Call after every chain is lowered (the chains requantize the other inputs).
    mutating func lowerConcats() {
        for (i, concat) in integerConcats.sorted(by: { $0.key < $1.key }) {
            let q = concat.quantizer, original = graph.ops[i]
            var op = replacements[i] ?? original
            var renames: [String: String] = [:]
            for v in concat.floatInputs {
                let name = IntegerConcat.quantizedName(v)
                renames[v] = name
                newVars.append(VarDesc(name: name, shape: graph.variable(v)?.shape ?? [], dtype: .s8))
                insertions[i, default: []].append(OpDesc(type: Int8QuantizeOp.type, inputs: ["X": [v], "InScale": graph.ops[q.index].inputs["InScale"] ?? []],
                                                         outputs: ["Out": [name]],
                                                         attrs: ["bit_length": .int(q.bits), "out_dtype": .string(DType.s8.rawValue)]))
            }
            op.renameInputs(renames)
            replacements[i] = op
            if let out = original.output("Out") { outputRenames[i] = [out: q.output] }
            dropped.insert(q.index)
            integerVars[q.output] = .s8
            integerOps.insert(i)
        }
    }

    /// Replaces each quantizer that a chain reads (and no chain requantizes into) by
    /// `int8_quantize`: u8 when its input is provably non-negative, s8 otherwise.
    mutating func lowerQuantizers() {
        for (i, q) in quantizers.sorted(by: { $0.key < $1.key }) where chainInputs.contains(q.output) && !dropped.contains(i) {
            let type: DType = q.zeroPoint != nil || nonNegative.contains(q.input) ? .u8 : .s8
            var inputs = ["X": [q.input]], outputs = ["Out": [q.output]]
            if q.staticScale != nil {
                inputs["InScale"] = graph.ops[i].inputs["InScale"]
                if let (mul, x, gate) = channelGate(before: q) {
                    inputs["X"] = [x]
                    inputs["Multiplier"] = [gate]
                    dropped.insert(mul)
                }
            } else {
                outputs["OutScale"] = [q.scaleVar]
            }
            var attrs: [String: Attribute] = ["bit_length": .int(q.bits), "out_dtype": .string(type.rawValue)]
            if let z = q.zeroPoint {
                attrs["zero_point"] = .int(z)
                zeroPoints[q.output] = z
            }
            replacements[i] = OpDesc(type: Int8QuantizeOp.type, inputs: inputs, outputs: outputs, attrs: attrs)
            integerVars[q.output] = type
        }
    }

    /// The `elementwise_mul` of a squeeze-and-excitation gate that only `q` reads: `X` [N, C, H, W]
    /// times `Y` [N, C, 1, 1] (MobileNetV3's blocks). Its quantizer takes both (`int8_quantize`'s
    /// `Multiplier`) and the mul goes: the gated f32 tensor is never written.
    private func channelGate(before q: ActivationQuantizer) -> (op: Int, x: String, gate: String)? {
        guard let m = graph.producer[q.input], m < q.index, !dropped.contains(m), replacements[m] == nil, soleReader(of: q.input) == q.index
        else { return nil }
        let op = graph.ops[m]
        guard op.type == "elementwise_mul", Set(op.attrs.keys).isSubset(of: ["axis"]), op.outputNames == [q.input],
              let x = op.input("X"), let y = op.input("Y"), x != y,
              let xs = graph.variable(x)?.shape, let ys = graph.variable(y)?.shape, graph.variable(q.input)?.persistable == false,
              graph.variable(x)?.dtype == .f32, graph.variable(y)?.dtype == .f32,
              xs.count == 4, ys.count == 4, ys[2] == 1, ys[3] == 1, xs[1] > 0, ys[1] == xs[1], ys[0] == xs[0] else { return nil }
        return (m, x, y)
    }

    /// The chain's activation in the units of the quantizer `q` it requantizes into (`f = bin / s`
    /// levels per unit), ending in the clip to `q`'s integer range, and the output type: u8 when
    /// nothing below 0 survives (ReLU, ReLU6, a leaky ReLU of slope 0), else s8. Hard swish
    /// (down to -3/8) is computed on real values, then scaled by `f` and clipped.
    private func requantizedActivation(_ c: Int8Chain, into q: ActivationQuantizer, levelsPerUnit f: Float) -> (Int8Epilogue.Activation, DType) {
        if let z = q.zeroPoint {
            // Asymmetric u8: centred levels -z...255-z (the epilogue adds z after the clip).
            let (lo, hi) = (Float(-z), Float(255 - z))
            switch c.activation {
            case nil: return (.clip(lo: lo, hi: hi), .u8)
            case .relu?: return (.clip(lo: 0, hi: hi), .u8)
            case let .relu6(t)?: return (.clip(lo: 0, hi: min(hi, t * f)), .u8)
            case let .leakyRelu(alpha)?: return (.leakyReluClip(alpha: alpha, lo: alpha > 0 ? lo : 0, hi: hi), .u8)
            case .hardSwish?: return (.hardSwishRequantized(levelsPerUnit: f, lo: lo, hi: hi), .u8)
            case let .hardSigmoid(slope, offset)?: return (.hardSigmoid(slope: slope, offset: offset * f, hi: min(hi, f)), .u8)
            }
        }
        switch c.activation {
        case nil: return (.clip(lo: -q.bin, hi: q.bin), .s8)
        case .relu?: return (.clip(lo: 0, hi: q.bin), .u8)
        case let .relu6(t)?: return (.clip(lo: 0, hi: min(q.bin, t * f)), .u8)
        case let .leakyRelu(alpha)?:
            let lo: Float = alpha > 0 ? -q.bin : 0
            return (.leakyReluClip(alpha: alpha, lo: lo, hi: q.bin), lo >= 0 ? .u8 : .s8)
        case .hardSwish?: return (.hardSwishRequantized(levelsPerUnit: f, lo: -q.bin, hi: q.bin), .s8)
        // On v * f: slope * (v f) + offset f = f * (slope v + offset), then [0, f] (within [0, bin]).
        case let .hardSigmoid(slope, offset)?: return (.hardSigmoid(slope: slope, offset: offset * f, hi: min(q.bin, f)), .u8)
        }
    }

    /// The chain's activation as a float-output epilogue activation.
    private func floatActivation(_ c: Int8Chain) -> Int8Epilogue.Activation {
        switch c.activation {
        case nil: return .none
        case .relu?: return .relu
        case let .relu6(t)?: return .clip(lo: 0, hi: t)
        case let .leakyRelu(alpha)?: return .leakyRelu(alpha: alpha)
        case .hardSwish?: return .hardSwish
        case let .hardSigmoid(slope, offset)?: return .hardSigmoid(slope: slope, offset: offset, hi: 1)
        }
    }

    /// Ops between `end` and a static quantizer that commute with quantization (max pooling,
    /// reshapes), each the sole reader of the previous value; nil when there is no such quantizer.
    private func requantization(after end: String) -> ([Int], ActivationQuantizer)? {
        var v = end, path: [Int] = []
        while let r = soleReader(of: v) {
            if let q = quantizers[r], q.input == v {
                return Int8Lowering.canRequantize(into: q, graph: graph, chainInputs: chainInputs) ? (path, q) : nil
            }
            let op = graph.ops[r]
            if let concat = integerConcats[r], !concat.floatInputs.contains(v), let out = op.output("Out") {
                path.append(r)   // the concat's quantizer ends the walk next
                v = out
                continue
            }
            guard Int8Lowering.commutesWithQuantization(op), op.input("X") == v, let out = op.output("Out") else { return nil }
            path.append(r)
            v = out
        }
        return nil
    }

    /// Whether an op can write quantizer `q`'s integers in its place: a static scale, read by
    /// int8 ops (`chainInputs`), not fetched.
    static func canRequantize(into q: ActivationQuantizer, graph: Int8Graph, chainInputs: Set<String>) -> Bool {
        q.staticScale != nil && chainInputs.contains(q.output) && !graph.fetches.contains(q.output)
    }

    /// Whether `round(f(x) * k) == f(round(x * k))` for every x: max pooling (monotonic), reshapes
    /// and nearest interpolation (copies).
    static func commutesWithQuantization(_ op: OpDesc) -> Bool {
        switch op.type {
        case "reshape2", "flatten2", "nearest_interp": return true
        case "pool2d": return op.string("pooling_type", default: "max") == "max"
        default: return false
        }
    }

    /// Makes `end` and the path's values integers, the path's last op write the quantizer's
    /// `Out`, and drops the quantizer; returns the var the int8 op writes.
    private mutating func route(_ end: String, through path: [Int], into q: ActivationQuantizer, type: DType) -> String {
        dropped.insert(q.index)
        integerVars[q.output] = type
        if let z = q.zeroPoint {
            zeroPoints[q.output] = z
            zeroPoints[end] = z
            for p in path { graph.ops[p].output("Out").map { zeroPoints[$0] = z } }
        }
        guard let last = path.last, let lastOut = graph.ops[last].output("Out") else { return q.output }
        integerVars[end] = type
        for p in path.dropLast() { graph.ops[p].output("Out").map { integerVars[$0] = type } }
        integerOps.formUnion(path)
        for p in path where graph.ops[p].type == "pool2d" {
            var pool = graph.ops[p]
            pool.type = Int8Pool2DOp.type
            replacements[p] = pool
        }
        outputRenames[last] = [lastOut: q.output]
        return end
    }

    /// Whether `op`'s asymmetric input is left to oneDNN's source zero point (`sourceZeroPoints`,
    /// convolutions; `depthwiseSourceZeroPoints`, depthwise ones).
    private func usesSourceZeroPoint(_ op: OpDesc) -> Bool {
        guard op.type != "mul" else { return false }
        if sourceZeroPoints { return true }
        guard depthwiseSourceZeroPoints, let x = op.input("Input").flatMap(graph.variable), x.shape.count == 4,
              let w = op.input("Filter").flatMap(graph.variable) else { return false }
        return Kernels.isDepthwise(inputChannels: x.shape[1], filterShape: w.shape, groups: op.int("groups", default: 1))
    }

    /// The `int8_conv2d` / `int8_mul` op of a chain.
    private func int8Op(_ op: OpDesc, _ c: Int8Chain, epilogue: Int8Epilogue, bias: String?, residual: String?, output: String) -> OpDesc {
        let isMul = op.type == "mul"
        let slots = isMul ? ("X", "Y", "Out") : ("Input", "Filter", "Output")
        var inputs = [slots.0: [c.quantizer.output], slots.1: [c.weight]]
        if let bias { inputs["Bias"] = [bias] }
        if let residual { inputs["ResidualData"] = [residual] }
        let geometry = isMul ? ["x_num_col_dims", "y_num_col_dims"] : ["strides", "paddings", "dilations", "groups"]
        var attrs = epilogue.attrs
        for name in geometry { attrs[name] = op.attrs[name] }
        if let z = c.quantizer.zeroPoint { attrs[usesSourceZeroPoint(op) ? "input_shift" : "input_zero_point"] = .int(z) }
        return OpDesc(type: isMul ? Int8MulOp.type : Int8Conv2DOp.type, inputs: inputs, outputs: [slots.2: [output]], attrs: attrs)
    }
}
