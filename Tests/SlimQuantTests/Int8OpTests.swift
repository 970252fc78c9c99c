import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// `int8_conv2d`, `int8_mul` and `int8_quantize` against scalar references.
final class Int8OpTests: XCTestCase {
    override func setUp() { Int8Ops.register() }

    private func convOp(_ e: Int8Epilogue, bias: Bool, stride: Int = 1, pad: Int = 1, groups: Int = 1, output: String = "y") -> OpDesc {
        var attrs = e.attrs
        attrs["strides"] = .ints([stride, stride])
        attrs["paddings"] = .ints([pad, pad])
        attrs["dilations"] = .ints([1, 1])
        attrs["groups"] = .int(groups)
        var inputs = ["Input": ["x"], "Filter": ["w"]]
        if bias { inputs["Bias"] = ["b"] }
        return OpDesc(type: "int8_conv2d", inputs: inputs, outputs: ["Output": [output]], attrs: attrs)
    }

    /// Runs int8_conv2d on seeded data and checks it against the reference.
    /// `extreme`: every input 127 and every weight ±127 (odd, so halved weights lose a bit; shifted
    /// to u8 255, each pair of products passes int16's range).
    private func checkConv(input: DType, _ e: Int8Epilogue, bias: Bool, groups: Int = 1, depthwise: Bool = false, extreme: Bool = false,
                           weights: ClosedRange<Int> = -127...127, inputs: ClosedRange<Int>? = nil, name: String = "y",
                           seed: UInt64, file: StaticString = #filePath, line: UInt = #line) throws {
        let groups = depthwise ? 6 : groups
        let xs = [2, depthwise ? 6 : 4, 6, 5], ws = [6, depthwise ? 1 : 4 / groups, 3, 3]
        let xv = extreme ? Array(repeating: 127, count: xs.reduce(1, *))
            : Int8Reference.integers(xs.reduce(1, *), inputs ?? (input == .u8 ? 0...127 : depthwise ? -128...127 : -127...127), seed: seed)
        let wv = extreme ? (0..<ws.reduce(1, *)).map { $0 / 9 % 2 == 0 ? weights.upperBound : weights.lowerBound }
            : Int8Reference.integers(ws.reduce(1, *), weights, seed: seed + 1)
        var g = SeededGenerator(seed: seed + 2)
        let bv = (0..<6).map { _ in Float.random(in: -2000...2000, using: &g) }
        var state = ["w": Tensor(shape: ws, dtype: .s8, integers: wv)]
        if bias { state["b"] = Tensor(shape: [6], floats: bv) }
        let h = try OpHarness(convOp(e, bias: bias, stride: 2, groups: groups, output: name), feeds: ["x": Tensor(shape: xs, dtype: input, integers: xv)],
                              state: state)
        let y = try XCTUnwrap(h.run(["x": Tensor(shape: xs, dtype: input, integers: xv)], mode: .eval)[name])
        let (acc, shape) = Int8Reference.conv(xv, xs, wv, ws, stride: 2, pad: 1, groups: groups)
        XCTAssertEqual(y.shape, shape, file: file, line: line)
        XCTAssertEqual(y.dtype, e.outputType, file: file, line: line)
        let ref = Int8Reference.epilogue(acc, bias: bias ? bv : nil, e, channels: 6, inner: shape[2] * shape[3])
        Int8Reference.assertMatches(y, ref, file: file, line: line)
    }

    func testConvUnsignedInputPerChannelScalesBiasRelu() throws {
        let scales: [Float] = [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .u8, Int8Epilogue(outputScales: scales, activation: .relu), bias: true, seed: 1)
        try checkConv(input: .u8, Int8Epilogue(outputScales: [0.0013]), bias: false, seed: 2)
    }

    func testConvSignedInputIsExact() throws {
        let scales: [Float] = [0.001, -0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .s8, Int8Epilogue(outputScales: scales), bias: true, seed: 3)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0009], activation: .relu), bias: true, seed: 4)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0009], activation: .relu), bias: false, groups: 2, seed: 5)
        // Depthwise with signed inputs, -128 and the extremes included: exact on every CPU (without
        // VNNI oneDNN's own s8 depthwise kernel halves the weights, so slim feeds u8 `v + 128` with
        // a source zero point of 128).
        try checkConv(input: .s8, Int8Epilogue(outputScales: scales), bias: true, depthwise: true, seed: 41)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.002], activation: .hardSwish), bias: false, depthwise: true, seed: 42)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0001]), bias: false, depthwise: true, extreme: true, seed: 43)
    }

    /// 7-bit weights (`weight_bits: 7`) with s8 inputs: without VNNI one convolution on the doubled
    /// filter (`Int8EvenWeights`), not the two-part split; exact with -128, inputs of 127 against the
    /// levels 63 and -64 (a pair of products at int16's edge), bias, per-channel scales of both
    /// signs, a leaky-ReLU post-op and an s8 output. A filter with one 8-bit level keeps the split.
    func testConvSignedInputWithSevenBitWeightsIsExactWithoutTheSplit() throws {
        let scales: [Float] = [0.001, -0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .s8, Int8Epilogue(outputScales: scales), bias: true, weights: -64...63, inputs: -128...127, name: "w7a", seed: 51)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0009], activation: .leakyRelu(alpha: 0.1)), bias: true, groups: 2,
                      weights: -64...63, inputs: -128...127, name: "w7b", seed: 52)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0001]), bias: false, extreme: true, weights: -64...63, name: "w7c", seed: 53)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.01], activation: .clip(lo: -127, hi: 127), outputType: .s8), bias: true,
                      weights: -64...63, inputs: -128...127, name: "w7d", seed: 54)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0001]), bias: true, extreme: true, weights: -64...64, name: "w8", seed: 55)
        for name in ["w7a", "w7b", "w7c", "w7d"] { XCTAssertEqual(InferenceEngine.ranOnSignedSplit(name), false, name) }
        XCTAssertEqual(InferenceEngine.ranOnSignedSplit("w8"), !Kernels.int8IsExact)
    }

    func testConvRequantizesIntoIntegerRange() throws {
        try checkConv(input: .u8, Int8Epilogue(outputScales: [0.01], activation: .clip(lo: 0, hi: 127), outputType: .u8), bias: true, seed: 6)
        try checkConv(input: .u8, Int8Epilogue(outputScales: [0.01], activation: .clip(lo: -127, hi: 127), outputType: .s8), bias: true, seed: 7)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.01], activation: .clip(lo: 0, hi: 40.5), outputType: .u8), bias: true, seed: 8)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.01], activation: .clip(lo: -127, hi: 127), outputType: .s8), bias: false, seed: 9)
    }

    /// YOLOv3's leaky_relu(0.1) as the conv's post-op (oneDNN eltwise_relu with alpha), in f32 and
    /// requantized to s8 with the clip after it; the epilogue survives its attrs.
    func testConvLeakyReluPostOp() throws {
        let scales: [Float] = [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .u8, Int8Epilogue(outputScales: scales, activation: .leakyRelu(alpha: 0.1)), bias: true, seed: 21)
        try checkConv(input: .s8, Int8Epilogue(outputScales: [0.0009], activation: .leakyRelu(alpha: 0.1)), bias: false, groups: 2, seed: 22)
        let requantized = Int8Epilogue(outputScales: [0.01], activation: .leakyReluClip(alpha: 0.1, lo: -127, hi: 127), outputType: .s8)
        try checkConv(input: .u8, requantized, bias: true, seed: 23)
        for e in [requantized, Int8Epilogue(outputScales: [0.5], activation: .leakyRelu(alpha: 0.1))] {
            XCTAssertEqual(try Int8Epilogue(OpDesc(type: Int8Conv2DOp.type, attrs: e.attrs)), e)
        }
    }

    /// MobileNetV3's hard swish as the conv's post-op: in f32, and requantized to s8 with the
    /// levels-per-unit factor after it (it does not commute with the factor); attrs round-trip.
    func testConvHardSwishPostOp() throws {
        let scales: [Float] = [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .u8, Int8Epilogue(outputScales: scales, activation: .hardSwish), bias: true, seed: 24)
        let requantized = Int8Epilogue(outputScales: [0.002], activation: .hardSwishRequantized(levelsPerUnit: 25, lo: -127, hi: 127),
                                       outputType: .s8)
        try checkConv(input: .s8, requantized, bias: true, seed: 25)
        for e in [requantized, Int8Epilogue(outputScales: [0.5], activation: .hardSwish)] {
            XCTAssertEqual(try Int8Epilogue(OpDesc(type: Int8Conv2DOp.type, attrs: e.attrs)), e)
        }
    }

    /// A squeeze-and-excitation gate's hard sigmoid as the conv's post-ops (linear, then clip),
    /// in f32 and requantized to u8; attrs round-trip.
    func testConvHardSigmoidPostOp() throws {
        let scales: [Float] = [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007]
        try checkConv(input: .u8, Int8Epilogue(outputScales: scales, activation: .hardSigmoid(slope: 0.2, offset: 0.5, hi: 1)), bias: true, seed: 26)
        let requantized = Int8Epilogue(outputScales: [0.05], activation: .hardSigmoid(slope: 0.2, offset: 0.5 * 100, hi: 100), outputType: .u8)
        try checkConv(input: .s8, requantized, bias: true, seed: 27)
        XCTAssertEqual(try Int8Epilogue(OpDesc(type: Int8Conv2DOp.type, attrs: requantized.attrs)), requantized)
    }

    func testConvAddsResidualBeforeActivation() throws {
        for (input, seed) in [(DType.u8, UInt64(41)), (.s8, 42)] {
            let xs = [2, 4, 5, 5], ws = [3, 4, 3, 3]
            let xv = Int8Reference.integers(xs.reduce(1, *), input == .u8 ? 0...127 : -127...127, seed: seed)
            let wv = Int8Reference.integers(ws.reduce(1, *), -127...127, seed: seed + 1)
            var g = SeededGenerator(seed: seed + 2)
            let (acc, shape) = Int8Reference.conv(xv, xs, wv, ws, stride: 1, pad: 1, groups: 1)
            let rv = (0..<acc.count).map { _ in Float.random(in: -20...20, using: &g) }
            let e = Int8Epilogue(outputScales: [0.001, 0.002, -0.0005], activation: .relu)
            var op = convOp(e, bias: true)
            op.inputs["ResidualData"] = ["r"]
            let x = Tensor(shape: xs, dtype: input, integers: xv), r = Tensor(shape: shape, floats: rv)
            let h = try OpHarness(op, feeds: ["x": x, "r": r],
                                  state: ["w": Tensor(shape: ws, dtype: .s8, integers: wv), "b": Tensor(shape: [3], floats: [100, -50, 7])])
            let y = try XCTUnwrap(h.run(["x": x, "r": r], mode: .eval)["y"])
            let plain = Int8Reference.epilogue(acc, bias: [100, -50, 7], Int8Epilogue(outputScales: e.outputScales), channels: 3, inner: 25)
            Int8Reference.assertMatches(y, zip(plain, rv).map { max($0 + Double($1), 0) })
        }
    }

    private func checkMul(input: DType, _ e: Int8Epilogue, weights: ClosedRange<Int> = -127...127, name: String = "y", seed: UInt64,
                          file: StaticString = #filePath, line: UInt = #line) throws {
        let xs = [3, 2, 2, 5], (k, n) = (20, 7)
        let xv = Int8Reference.integers(xs.reduce(1, *), input == .u8 ? 0...127 : -128...127, seed: seed)
        let wv = Int8Reference.integers(k * n, weights, seed: seed + 1)
        var g = SeededGenerator(seed: seed + 2)
        let bv = (0..<n).map { _ in Float.random(in: -3000...3000, using: &g) }
        var attrs = e.attrs
        attrs["x_num_col_dims"] = .int(1)
        let op = OpDesc(type: "int8_mul", inputs: ["X": ["x"], "Y": ["w"], "Bias": ["b"]], outputs: ["Out": [name]], attrs: attrs)
        let x = Tensor(shape: xs, dtype: input, integers: xv)
        let h = try OpHarness(op, feeds: ["x": x], state: ["w": Tensor(shape: [k, n], dtype: .s8, integers: wv), "b": Tensor(shape: [n], floats: bv)])
        let y = try XCTUnwrap(h.run(["x": x], mode: .eval)[name])
        XCTAssertEqual(y.shape, [3, n], file: file, line: line)
        let ref = Int8Reference.epilogue(Int8Reference.matmul(xv, wv, m: 3, k: k, n: n), bias: bv, e, channels: n, inner: 1)
        Int8Reference.assertMatches(y, ref, file: file, line: line)
    }

    func testMulUnsignedAndSignedInputs() throws {
        let scales: [Float] = [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007, 0.004]
        try checkMul(input: .u8, Int8Epilogue(outputScales: scales, activation: .relu), seed: 11)
        try checkMul(input: .s8, Int8Epilogue(outputScales: [0.0015]), seed: 12)
        try checkMul(input: .u8, Int8Epilogue(outputScales: [0.02], activation: .clip(lo: 0, hi: 127), outputType: .u8), seed: 13)
        try checkMul(input: .s8, Int8Epilogue(outputScales: [0.02], activation: .clip(lo: -127, hi: 127), outputType: .s8), seed: 14)
        // 7-bit weights: without VNNI the s8 input goes to oneDNN's matmul as it is (`Int8EvenWeights`).
        try checkMul(input: .s8, Int8Epilogue(outputScales: [0.0015]), weights: -64...63, name: "m7a", seed: 15)
        try checkMul(input: .s8, Int8Epilogue(outputScales: [0.02], activation: .clip(lo: -127, hi: 127), outputType: .s8), weights: -64...63,
                     name: "m7b", seed: 16)
        try checkMul(input: .s8, Int8Epilogue(outputScales: [0.0015]), weights: -64...64, name: "m8", seed: 17)
        for name in ["m7a", "m7b"] { XCTAssertEqual(InferenceEngine.ranOnSignedSplit(name), false, name) }
        XCTAssertEqual(InferenceEngine.ranOnSignedSplit("m8"), !Kernels.int8IsExact)
    }

    func testQuantizeMatchesFakeQuantizer() throws {
        var g = SeededGenerator(seed: 21)
        let x = Tensor(shape: [2, 3, 4], floats: (0..<24).map { _ in Float.random(in: -2...2, using: &g) })
        let op = OpDesc(type: "int8_quantize", inputs: ["X": ["x"], "InScale": ["s"]], outputs: ["Out": ["q"]],
                        attrs: ["bit_length": .int(8), "out_dtype": .string("s8")])
        let h = try OpHarness(op, feeds: ["x": x], state: ["s": Tensor(shape: [1], floats: [1.5])])
        let q = try XCTUnwrap(h.run(["x": x], mode: .eval)["q"])
        XCTAssertEqual(q.dtype, .s8)
        XCTAssertEqual(q.asFloats, FakeQuant.quantize(x, scales: [1.5], bits: 8).floats)

        let dynamic = OpDesc(type: "int8_quantize", inputs: ["X": ["x"]], outputs: ["Out": ["q"], "OutScale": ["s"]],
                             attrs: ["bit_length": .int(7), "out_dtype": .string("u8")])
        let relu = Tensor(shape: x.shape, floats: x.floats.map { max($0, 0) })
        let out = try OpHarness(dynamic, feeds: ["x": relu]).run(["x": relu], mode: .eval)
        XCTAssertEqual(out["q"]?.dtype, .u8)
        XCTAssertEqual(out["q"]?.asFloats, FakeQuant.quantize(relu, scales: [FakeQuant.absMax(relu)], bits: 7).floats)
        XCTAssertEqual(out["s"]?.floats, [FakeQuant.absMax(relu)])
    }

    /// A tensor large enough to be split over two threads quantizes to the bytes of the fake
    /// quantizer's formula (ties and the range ends included).
    /// Elements in a tensor large enough to be split over two threads.
    private static let splitCount = 3 * (1 << 15) + 7

    /// `int8_quantize` of `values` (bit_length 8, InScale 1.5, out_dtype `outType`) on two threads.
    private func quantizedOnTwoThreads(_ values: [Float], outType: String) throws -> Tensor {
        let previous = Kernels.threads ?? 1
        Kernels.setThreads(2)
        defer { Kernels.setThreads(previous) }
        let x = Tensor(shape: [values.count], floats: values)
        let op = OpDesc(type: "int8_quantize", inputs: ["X": ["x"], "InScale": ["s"]], outputs: ["Out": ["q"]],
                        attrs: ["bit_length": .int(8), "out_dtype": .string(outType)])
        return try XCTUnwrap(try OpHarness(op, feeds: ["x": x], state: ["s": Tensor(shape: [1], floats: [1.5])]).run(["x": x], mode: .eval)["q"])
    }

    func testQuantizeSplitAcrossThreadsMatchesFakeQuantizer() throws {
        var g = SeededGenerator(seed: 22)
        let count = Self.splitCount
        let values = (0..<count).map { i in i % 7 == 0 ? Float(i % 255 - 127) / 127 * 1.5 + 0.5 / 127 * 1.5 : Float.random(in: -2...2, using: &g) }
        let q = try quantizedOnTwoThreads(values, outType: "s8")
        XCTAssertEqual(q.asFloats, FakeQuant.quantize(Tensor(shape: [count], floats: values), scales: [1.5], bits: 8).floats)
        // NaN, infinities and -0 in the 16-lane part and in the scalar tail: 0, the range ends, 0.
        var special = values
        for base in [32, count - 5] {
            (special[base], special[base + 1], special[base + 2], special[base + 3]) = (.nan, .infinity, -.infinity, -0.0)
        }
        let r = try quantizedOnTwoThreads(special, outType: "s8").asFloats
        for base in [32, count - 5] { XCTAssertEqual(Array(r[base ..< base + 4]), [0, 127, -127, 0], "at \(base)") }
    }

    /// The u8 form (after a ReLU: lower end 0, no zero point) over two threads: the fake
    /// quantizer's levels with negatives at 0, ties half away from zero; NaN, infinities and -0 in
    /// the 16-lane part and in the tail give 0, 127, 0, 0.
    func testUnsignedQuantizeMatchesFakeQuantizerClampedAtZero() throws {
        var g = SeededGenerator(seed: 23)
        let count = Self.splitCount
        var values = (0..<count).map { i in i % 5 == 0 ? (Float(i % 128) + 0.5) * 1.5 / 127 : Float.random(in: -1...2, using: &g) }
        for base in [48, count - 5] {
            (values[base], values[base + 1], values[base + 2], values[base + 3]) = (.nan, .infinity, -.infinity, -0.0)
        }
        let q = try quantizedOnTwoThreads(values, outType: "u8")
        XCTAssertEqual(q.dtype, .u8)
        let expected = FakeQuant.quantize(Tensor(shape: [count], floats: values), scales: [1.5], bits: 8).floats.map { $0.isNaN ? 0 : max(0, $0) }
        let got = q.asFloats
        for base in [48, count - 5] { XCTAssertEqual(Array(got[base ..< base + 4]), [0, 127, 0, 0], "at \(base)") }
        let ordinary = (0..<count).filter { i in ![48, count - 5].contains { (i - $0) >= 0 && (i - $0) < 4 } }
        XCTAssertEqual(ordinary.map { got[$0] }, ordinary.map { expected[$0] })
        XCTAssertTrue(ordinary.contains { i in i % 5 == 0 && got[i] == Float(i % 128 + 1) }, "ties round up")
    }

    /// `int8_quantize` with a `Multiplier` [N, C, 1, 1] quantizes `X * Multiplier` (the product in
    /// f32, as `elementwise_mul`) to the fake quantizer's levels: on a plain input split over two
    /// threads (a chunk boundary inside an image), and on an int8 convolution's f32 output in the
    /// layout oneDNN chose for it (channels-last where it picks NHWC), with C not a multiple of 16.
    func testGatedQuantizeMatchesMultiplyThenFakeQuantizer() throws {
        let previous = Kernels.threads ?? 1
        Kernels.setThreads(2)
        defer { Kernels.setThreads(previous) }
        func gate(_ n: Int, _ c: Int, seed: UInt64) -> Tensor {
            var g = SeededGenerator(seed: seed)
            return Tensor(shape: [n, c, 1, 1], floats: (0..<(n * c)).map { _ in Float.random(in: 0...1.5, using: &g) })
        }
        func expected(_ x: Tensor, _ m: Tensor, out: String) -> [Float] {
            let levels = FakeQuant.quantize(Kernels.multiply(x, m, axis: -1), scales: [1.5], bits: 8).floats
            return out == "u8" ? levels.map { max($0, 0) } : levels
        }
        let op = OpDesc(type: "int8_quantize", inputs: ["X": ["x"], "InScale": ["s"], "Multiplier": ["m"]], outputs: ["Out": ["q"]],
                        attrs: ["bit_length": .int(8), "out_dtype": .string("s8")])
        var g = SeededGenerator(seed: 24)
        let xs = [2, 40, 30, 30]
        let x = Tensor(shape: xs, floats: (0..<xs.reduce(1, *)).map { _ in Float.random(in: -2...2, using: &g) })
        let m = gate(2, 40, seed: 25)
        let h = try OpHarness(op, feeds: ["x": x, "m": m], state: ["s": Tensor(shape: [1], floats: [1.5])])
        XCTAssertEqual(try XCTUnwrap(h.run(["x": x, "m": m], mode: .eval)["q"]).asFloats, expected(x, m, out: "s8"))
        XCTAssertThrowsError(try h.run(["x": x, "m": gate(1, 40, seed: 26)], mode: .eval), "one factor per image and channel")

        // An int8 convolution writing f32 (19 channels), then the gated quantizer of its output.
        let (cs, ws) = ([3, 5, 6, 7], [19, 5, 1, 1])
        let xv = Int8Reference.integers(cs.reduce(1, *), 0...127, seed: 27), wv = Int8Reference.integers(ws.reduce(1, *), -127...127, seed: 28)
        var conv = convOp(Int8Epilogue(outputScales: [0.001]), bias: false, pad: 0)
        conv.inputs["Input"] = ["c"]
        let quantize = OpDesc(type: "int8_quantize", inputs: ["X": ["y"], "InScale": ["s"], "Multiplier": ["m"]], outputs: ["Out": ["q"]],
                              attrs: ["bit_length": .int(8), "out_dtype": .string("u8")])
        let program = Program(vars: [VarDesc(name: "c", shape: [-1, 5, 6, 7], dtype: .u8), VarDesc(name: "m", shape: [-1, 19, 1, 1]),
                                     VarDesc(name: "w", shape: ws, dtype: .s8, persistable: true), VarDesc(name: "s", shape: [1], persistable: true),
                                     VarDesc(name: "y", shape: [-1, 19, 6, 7]), VarDesc(name: "q", shape: [-1, 19, 6, 7], dtype: .u8)],
                              ops: [conv, quantize], feeds: ["c", "m"], fetches: ["y", "q"])
        let m2 = gate(3, 19, seed: 29), c = Tensor(shape: cs, dtype: .u8, integers: xv)
        let out = try Executor(program: program).run(feeds: ["c": c, "m": m2], scope: Scope(["w": Tensor(shape: ws, dtype: .s8, integers: wv),
                                                                                          "s": Tensor(shape: [1], floats: [1.5])]), mode: .eval)
        let y = try XCTUnwrap(out["y"]), q = try XCTUnwrap(out["q"])
        print("int8_conv2d f32 output held channels-last: \(y.channelsLastOrPlain().channelsLast)")
        XCTAssertEqual(q.dtype, .u8)
        XCTAssertEqual(q.asFloats, expected(Tensor(shape: y.shape, floats: y.floats), m2, out: "u8"))
    }

    func testMaxPoolOnIntegers() throws {
        let values = Int8Reference.integers(2 * 3 * 5 * 5, -127...127, seed: 31)
        let x = Tensor(shape: [2, 3, 5, 5], dtype: .s8, integers: values)
        let op = OpDesc(type: "int8_pool2d", inputs: ["X": ["x"]], outputs: ["Out": ["y"]],
                        attrs: ["pooling_type": .string("max"), "ksize": .ints([2, 2]), "strides": .ints([2, 2]), "paddings": .ints([0, 0])])
        let y = try XCTUnwrap(OpHarness(op, feeds: ["x": x]).run(["x": x], mode: .eval)["y"])
        XCTAssertEqual(y.dtype, .s8)
        XCTAssertEqual(y.shape, [2, 3, 2, 2])
        var expected: [Float] = []
        for plane in 0..<6 { for oy in 0..<2 { for ox in 0..<2 {
            let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { values[plane * 25 + (2 * oy + $0.0) * 5 + 2 * ox + $0.1] }
            expected.append(Float(try XCTUnwrap(window.max())))
        } } }
        XCTAssertEqual(y.asFloats, expected)
        var padded = op
        padded.attrs["ksize"] = .ints([3, 3])
        padded.attrs["paddings"] = .ints([1, 1])
        let u = Tensor(shape: [2, 3, 5, 5], dtype: .u8, integers: values.map { $0 + 127 })
        let z = try XCTUnwrap(OpHarness(padded, feeds: ["x": u]).run(["x": u], mode: .eval)["y"])
        let f32 = Tensor(shape: [2, 3, 5, 5], floats: u.asFloats)
        let g = PoolGeometry(kind: .max, kernel: [3, 3], strides: [2, 2], paddings: [1, 1])
        XCTAssertEqual(z.asFloats, Kernels.pool2dForward(f32, geometry: g, training: false).output.floats, "as oneDNN's f32 max pooling")
        var avg = op
        avg.attrs["pooling_type"] = .string("avg")
        XCTAssertThrowsError(try Int8Pool2DOp.inferShapes(avg, inputs: ["X": [[2, 3, 5, 5]]]))
    }

    func testQuantizeRoundsTiesAwayFromZeroAsFakeQuant() throws {
        let values: [Float] = [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999997, -0.49999997, 126.5, -126.5, 127.4, 128, 300, -300, 0, -0.0, 3.7, -3.7]
        let x = Tensor(shape: [values.count], floats: values)
        let op = OpDesc(type: "int8_quantize", inputs: ["X": ["x"], "InScale": ["s"]], outputs: ["Out": ["q"]],
                        attrs: ["bit_length": .int(8), "out_dtype": .string("s8")])
        let q = try XCTUnwrap(OpHarness(op, feeds: ["x": x], state: ["s": Tensor(shape: [1], floats: [127])]).run(["x": x], mode: .eval)["q"])
        XCTAssertEqual(q.asFloats, FakeQuant.quantize(x, scales: [127], bits: 8).floats)
        XCTAssertEqual(Array(q.asFloats.prefix(5)), [1, 2, 3, -1, -3])
        // Every tie n + 0.5 of the range and the floats on either side of it, in both signs, in
        // the vector loop and in its remainder.
        let ties = (-130...130).flatMap { n -> [Float] in let t = Float(n) + 0.5; return [t.nextDown, t, t.nextUp] }
        let all = Tensor(shape: [ties.count], floats: ties)
        let levels = try XCTUnwrap(OpHarness(op, feeds: ["x": all], state: ["s": Tensor(shape: [1], floats: [127])]).run(["x": all], mode: .eval)["q"])
        XCTAssertEqual(levels.asFloats, FakeQuant.quantize(all, scales: [127], bits: 8).floats)
    }

    /// An s8 tensor stored as u8 `v + 128`: `input_zero_point` 128 with `-128 Σ w[o]` in `Bias`
    /// (padding then holds the value 0), or on VNNI `input_shift` 128, gives the s8 convolution's
    /// output, and `out_zero_point` 128
    /// writes the s8 result plus 128 (rounded first, so exactly). Values above 127 are exact only
    /// with VNNI; without it the input is shifted back to s8 (`Int8ZeroPoint`), so both hosts check
    /// the full range.
    func testConvZeroPointsStoreSignedAsUnsigned() throws {
        let xs = [2, 4, 6, 5], ws = [6, 4, 3, 3]
        let signed = Int8Reference.integers(xs.reduce(1, *), -127...127, seed: 31)
        let wv = Int8Reference.integers(ws.reduce(1, *), -127...127, seed: 32)
        let e = Int8Epilogue(outputScales: [0.01], activation: .leakyReluClip(alpha: 0.1, lo: -127, hi: 127), outputType: .s8)
        var shifted = e
        shifted.outputType = .u8
        shifted.outputZeroPoint = 128
        var op = convOp(shifted, bias: true, stride: 2)
        op.attrs["input_zero_point"] = .int(128)
        let block = ws[1...].reduce(1, *)
        let bias = (0..<6).map { o in Float(-128 * wv[(o * block)..<((o + 1) * block)].reduce(0, +)) }
        let x = Tensor(shape: xs, dtype: .u8, integers: signed.map { $0 + 128 })
        let h = try OpHarness(op, feeds: ["x": x], state: ["w": Tensor(shape: ws, dtype: .s8, integers: wv), "b": Tensor(shape: [6], floats: bias)])
        let y = try XCTUnwrap(h.run(["x": x], mode: .eval)["y"])
        let (acc, shape) = Int8Reference.conv(signed, xs, wv, ws, stride: 2, pad: 1, groups: 1)
        let ref = Int8Reference.epilogue(acc, bias: nil, e, channels: 6, inner: shape[2] * shape[3])
        XCTAssertEqual(y.dtype, .u8)
        XCTAssertEqual(y.shape, shape)
        Int8Reference.assertMatches(Tensor(shape: shape, dtype: .s8, integers: y.asFloats.map { Int($0) - 128 }), ref)
        // Later runs reuse the corrected bias (without VNNI) while weights and bias are the same,
        // and correct new ones: here the weights negated, and a bias of their own plus a shift.
        XCTAssertEqual(try XCTUnwrap(h.run(["x": x], mode: .eval)["y"]).asFloats, y.asFloats)
        let shift: [Float] = [300, -200, 150, -450, 0, 700]
        h.scope["w"] = Tensor(shape: ws, dtype: .s8, integers: wv.map { -$0 })
        h.scope["b"] = Tensor(shape: [6], floats: (0..<6).map { -bias[$0] + shift[$0] })
        let negated = try XCTUnwrap(h.run(["x": x], mode: .eval)["y"])
        let (negatedAcc, _) = Int8Reference.conv(signed, xs, wv.map { -$0 }, ws, stride: 2, pad: 1, groups: 1)
        Int8Reference.assertMatches(Tensor(shape: shape, dtype: .s8, integers: negated.asFloats.map { Int($0) - 128 }),
                                    Int8Reference.epilogue(negatedAcc, bias: shift, e, channels: 6, inner: shape[2] * shape[3]))
        if Kernels.int8IsExact {
            // `input_shift` 128: oneDNN subtracts the 128 in the s32 accumulator, no bias needed.
            var shiftOp = convOp(shifted, bias: false, stride: 2)
            shiftOp.attrs["input_shift"] = .int(128)
            let hs = try OpHarness(shiftOp, feeds: ["x": x], state: ["w": Tensor(shape: ws, dtype: .s8, integers: wv)])
            let ys = try XCTUnwrap(hs.run(["x": x], mode: .eval)["y"])
            Int8Reference.assertMatches(Tensor(shape: shape, dtype: .s8, integers: ys.asFloats.map { Int($0) - 128 }), ref)
        }
        var bad = e.attrs
        bad["out_zero_point"] = .int(128)
        XCTAssertThrowsError(try Int8Epilogue(OpDesc(type: Int8Conv2DOp.type, attrs: bad)), "a zero point needs a u8 output")
    }

    /// A depthwise convolution reads an s8 tensor stored as u8 `v + 128` with `input_shift` 128 on
    /// every host: oneDNN's depthwise kernel multiplies in 32 bits, so u8 up to 255 is exact even
    /// without VNNI (-128, the extremes and the zero padding of a 5x5 kernel on 3 rows included;
    /// a strided 3x3 too). Other convolutions take the shift only where u8 above 127 is exact (VNNI).
    func testDepthwiseConvShiftedInputIsExactOnEveryHost() throws {
        let c = 6, xs = [2, 6, 3, 7]
        for (extreme, k, stride, seed) in [(false, 5, 1, UInt64(51)), (true, 5, 1, 53), (false, 3, 2, 55), (true, 3, 2, 57)] {
            let ws = [c, 1, k, k], pad = k / 2
            let signed = extreme ? Array(repeating: 127, count: xs.reduce(1, *)) : Int8Reference.integers(xs.reduce(1, *), -128...127, seed: seed)
            let wv = extreme ? (0..<ws.reduce(1, *)).map { $0 / (k * k) % 2 == 0 ? 127 : -127 }
                : Int8Reference.integers(ws.reduce(1, *), -127...127, seed: seed + 1)
            let bv = (0..<c).map { Float($0 * 700) - 2000 }
            let e = Int8Epilogue(outputScales: [0.0003, -0.0002, 0.0005, 0.0001, 0.0004, 0.0002],
                                 activation: .hardSwishRequantized(levelsPerUnit: 20, lo: -127, hi: 127), outputType: .s8)
            var op = convOp(e, bias: true, stride: stride, pad: pad, groups: c)
            op.attrs["input_shift"] = .int(128)
            let x = Tensor(shape: xs, dtype: .u8, integers: signed.map { $0 + 128 })
            let h = try OpHarness(op, feeds: ["x": x], state: ["w": Tensor(shape: ws, dtype: .s8, integers: wv), "b": Tensor(shape: [c], floats: bv)])
            let y = try XCTUnwrap(h.run(["x": x], mode: .eval)["y"])
            let (acc, shape) = Int8Reference.conv(signed, xs, wv, ws, stride: stride, pad: pad, groups: c)
            XCTAssertEqual(y.shape, shape)
            Int8Reference.assertMatches(y, Int8Reference.epilogue(acc, bias: bv, e, channels: c, inner: shape[2] * shape[3]))
        }
        XCTAssertTrue(Kernels.int8ShiftIsExact(inputChannels: 6, filterShape: [6, 1, 5, 5], groups: 6))
        XCTAssertEqual(Kernels.int8ShiftIsExact(inputChannels: 6, filterShape: [6, 3, 3, 3], groups: 2), Kernels.int8IsExact)
        XCTAssertEqual(Kernels.int8ShiftIsExact(inputChannels: 6, filterShape: [12, 1, 3, 3], groups: 6), Kernels.int8IsExact,
                       "a channel multiplier is not depthwise")
    }

    /// An asymmetric u8 input (`input_zero_point` z, `-z Σ w` in the bias, padding z) of a
    /// depthwise convolution, values up to 255: exact on every host (without VNNI it runs on the
    /// padded u8 as it is, not shifted to s8 and split).
    func testDepthwiseConvAsymmetricInputIsExact() throws {
        let c = 6, z = 100, xs = [2, 6, 5, 7], ws = [6, 1, 3, 3]
        let levels = Int8Reference.integers(xs.reduce(1, *), -z...(255 - z), seed: 61)
        let wv = Int8Reference.integers(ws.reduce(1, *), -127...127, seed: 62)
        let e = Int8Epilogue(outputScales: [0.001, 0.002, 0.0005, 0.003, 0.0011, 0.0007])
        var op = convOp(e, bias: true, groups: c)
        op.attrs["input_zero_point"] = .int(z)
        let bias = (0..<c).map { o in Float(-z * wv[(o * 9)..<((o + 1) * 9)].reduce(0, +)) }
        let x = Tensor(shape: xs, dtype: .u8, integers: levels.map { $0 + z })
        let h = try OpHarness(op, feeds: ["x": x], state: ["w": Tensor(shape: ws, dtype: .s8, integers: wv), "b": Tensor(shape: [c], floats: bias)])
        let y = try XCTUnwrap(h.run(["x": x], mode: .eval)["y"])
        let (acc, shape) = Int8Reference.conv(levels, xs, wv, ws, stride: 1, pad: 1, groups: c)
        Int8Reference.assertMatches(y, Int8Reference.epilogue(acc, bias: nil, e, channels: c, inner: shape[2] * shape[3]))
    }

    func testBadAttrsThrow() throws {
        let x = Tensor(shape: [1, 4, 6, 5], dtype: .u8)
        var op = convOp(Int8Epilogue(outputScales: [1, 2]), bias: false)
        let h = try OpHarness(op, feeds: ["x": x], state: ["w": Tensor(shape: [6, 4, 3, 3], dtype: .s8)])
        XCTAssertThrowsError(try h.run(["x": x], mode: .eval))
        op.attrs["out_dtype"] = .string("s32")
        XCTAssertThrowsError(try Int8Epilogue(op))
        op.attrs["out_dtype"] = .string("u8")
        op.attrs["activation"] = .string("gelu")
        XCTAssertThrowsError(try Int8Epilogue(op))
    }
}
