import SlimGraph
import SlimTensor

/// The quantizer -> dequantizer pair `QuantizationTransformPass` puts in front of one var `v`:
/// the two ops, the vars they create and the initial values of the persistable ones.
struct QuantizerInsertion {
    var ops: [OpDesc]
    var vars: [VarDesc]
    var initial: [String: Tensor]
    /// The var the quantized op reads instead of `v`.
    var dequantized: String

    /// Declares the vars in `program` and puts initial values missing from `params` (or of
    /// another shape or dtype there) into it.
    func declare(in program: inout Program, params: inout [String: Tensor]) throws {
        for v in vars {
            try program.declareNew(v)
            if let value = initial[v.name], params[v.name]?.shape != value.shape || params[v.name]?.dtype != value.dtype {
                params[v.name] = value
            }
        }
    }

    /// `fake_quantize_abs_max` -> `fake_dequantize_max_abs` for a weight, scale recomputed every run.
    static func weightAbsMax(_ v: VarDesc, bits: Int) -> QuantizerInsertion {
        let names = Names(v.name)
        let quant = OpDesc(type: FakeQuantizeAbsMaxOp.type, inputs: ["X": [v.name]],
                           outputs: ["Out": [names.quantized], "OutScale": [names.scale]],
                           attrs: ["bit_length": .int(bits)])
        return pair(v, quant, scaleShape: [1], persistentScale: false, bits: bits)
    }

    /// `fake_channel_wise_quantize_abs_max` -> `fake_channel_wise_dequantize_max_abs` for a conv filter.
    static func weightChannelWise(_ v: VarDesc, bits: Int) -> QuantizerInsertion {
        let names = Names(v.name)
        let quant = OpDesc(type: FakeChannelWiseQuantizeAbsMaxOp.type, inputs: ["X": [v.name]],
                           outputs: ["Out": [names.quantized], "OutScale": [names.scale]],
                           attrs: ["bit_length": .int(bits)])
        let dequant = OpDesc(type: FakeChannelWiseDequantizeMaxAbsOp.type,
                             inputs: ["X": [names.quantized], "Scales": [names.scale]],
                             outputs: ["Out": [names.dequantized]], attrs: ["quant_bits": .ints([bits])])
        return QuantizerInsertion(ops: [quant, dequant], vars: [
            VarDesc(name: names.quantized, shape: v.shape), VarDesc(name: names.scale, shape: [v.shape[0]]),
            VarDesc(name: names.dequantized, shape: v.shape),
        ], initial: [:], dequantized: names.dequantized)
    }

    /// The activation quantizer of `scheme` (with its state vars) -> `fake_dequantize_max_abs`.
    static func activation(_ v: VarDesc, scheme: QuantizationScheme) -> QuantizerInsertion {
        let n = Names(v.name), bits = scheme.activationBits, windowSize = scheme.windowSize
        var quant = OpDesc(type: FakeQuantizeAbsMaxOp.type, inputs: ["X": [v.name]],
                           outputs: ["Out": [n.quantized], "OutScale": [n.scale]], attrs: ["bit_length": .int(bits)])
        var state: [(VarDesc, Tensor)] = []
        switch scheme.activationQuantizeType {
        case .absMax:
            return pair(v, quant, scaleShape: [1], persistentScale: false, bits: bits)
        case .rangeAbsMax:
            let iter = QuantNames.iter(v.name), window = QuantNames.windowScales(v.name)
            quant.type = FakeQuantizeRangeAbsMaxOp.type
            quant.inputs.merge(["InScale": [n.scale], "Iter": [iter], "InScales": [window]]) { $1 }
            quant.outputs.merge(["OutScales": [window], "Iter": [iter]]) { $1 }
            quant.attrs.merge(["window_size": .int(windowSize), "is_test": .bool(false)]) { $1 }
            state = [(VarDesc(name: iter, shape: [1], dtype: .s32, persistable: true), Tensor(shape: [1], dtype: .s32)),
                     (VarDesc(name: window, shape: [windowSize], persistable: true), Tensor(shape: [windowSize]))]
        case .movingAverageAbsMax:
            let accum = QuantNames.accum(v.name), stateName = QuantNames.state(v.name)
            quant.type = FakeQuantizeMovingAverageAbsMaxOp.type
            quant.inputs.merge(["InScale": [n.scale], "InAccum": [accum], "InState": [stateName]]) { $1 }
            quant.outputs.merge(["OutAccum": [accum], "OutState": [stateName]]) { $1 }
            quant.attrs.merge(["moving_rate": .float(scheme.movingRate), "is_test": .bool(false)]) { $1 }
            state = [(VarDesc(name: accum, shape: [1], persistable: true), Tensor.filled(1, shape: [1])),
                     (VarDesc(name: stateName, shape: [1], persistable: true), Tensor.filled(1, shape: [1]))]
        }
        var insertion = pair(v, quant, scaleShape: [1], persistentScale: true, bits: bits)
        insertion.vars += state.map(\.0)
        for (desc, value) in state { insertion.initial[desc.name] = value }
        return insertion
    }

    /// `quant` followed by `fake_dequantize_max_abs(max_range = bin)`, with the quantized,
    /// scale and dequantized vars (a persistent scale starts at 0.001, as in Paddle).
    private static func pair(_ v: VarDesc, _ quant: OpDesc, scaleShape: [Int], persistentScale: Bool, bits: Int) -> QuantizerInsertion {
        let names = Names(v.name)
        let dequant = OpDesc(type: FakeDequantizeMaxAbsOp.type, inputs: ["X": [names.quantized], "Scale": [names.scale]],
                             outputs: ["Out": [names.dequantized]],
                             attrs: ["max_range": .float(Double(FakeQuant.bin(bits: bits)))])
        let scale = VarDesc(name: names.scale, shape: scaleShape, persistable: persistentScale)
        return QuantizerInsertion(
            ops: [quant, dequant],
            vars: [VarDesc(name: names.quantized, shape: v.shape), scale, VarDesc(name: names.dequantized, shape: v.shape)],
            initial: persistentScale ? [names.scale: Tensor.filled(0.001, shape: scaleShape)] : [:],
            dequantized: names.dequantized)
    }

    private struct Names {
        let quantized, scale, dequantized: String
        init(_ v: String) {
            quantized = QuantNames.quantized(v)
            scale = QuantNames.scale(v)
            dequantized = QuantNames.dequantized(v)
        }
    }
}
