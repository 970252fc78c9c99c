import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// The vectorized fake quantization against the scalar formulas it replaced, bit for bit: random
/// values, exact ties of `x * (bin / s)`, their neighbours, values outside `[-s, s]`, zeros of
/// both signs, infinities, NaN, and degenerate scales.
final class FakeQuantKernelTests: XCTestCase {
    /// The scalar formulas as they were: `round(clip(x, -g, g) * (bin / g))` per element, `q * s * 1 / range`,
    /// `max(m, abs(x))`, and the straight-through mask.
    enum Reference {
        static func quantize(_ x: [Float], scales: [Float], bits: Int) -> [Float] {
            let bin = FakeQuant.bin(bits: bits), block = x.count / scales.count
            return x.enumerated().map { i, v in
                let s = FakeQuant.guarded(scales[i / block])
                return (min(max(v, -s), s) * (bin / s)).rounded(.toNearestOrAwayFromZero)
            }
        }
        static func dequantize(_ q: [Float], scales: [Float], range: Float) -> [Float] {
            let block = q.count / scales.count
            return q.enumerated().map { i, v in range == 0 ? 0 : v * scales[i / block] * 1 / range }
        }
        static func absMax(_ x: [Float]) -> Float { x.reduce(Float(0)) { max($0, abs($1)) } }
        static func straightThrough(_ g: [Float], _ x: [Float], scales: [Float]) -> [Float] {
            let block = x.count / scales.count
            return x.indices.map { i in abs(x[i]) <= FakeQuant.guarded(scales[i / block]) ? g[i] : 0 }
        }
    }

    /// `count` values around the scale `s` with factor `bin / s`: uniform in [-2s, 2s], exact ties
    /// `(k + 0.5) / factor`, their float neighbours, and special values.
    static func values(count: Int, scale s: Float, bin: Float, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        let factor = bin / FakeQuant.guarded(s), span = s.isFinite && s > 0 ? 2 * s : 2
        let special: [Float] = [0, -0.0, .infinity, -.infinity, .nan, s, -s, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, 1e-40]
        return (0..<count).map { i in
            switch i % 5 {
            case 0: return special[(i / 5) % special.count]
            case 1, 2:
                let k = Float(Int.random(in: -Int(bin) - 1 ... Int(bin), using: &g))
                let tie = (k + 0.5) / factor
                return [tie, tie.nextUp, tie.nextDown][i % 3]
            default: return Float.random(in: -span...span, using: &g)
            }
        }
    }

    func assertBitIdentical(_ a: [Float], _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where x.bitPattern != y.bitPattern && !(x.isNaN && y.isNaN) {
            XCTFail("\(what): element \(i): \(x) (\(x.bitPattern)) vs \(y) (\(y.bitPattern))", file: file, line: line)
            return
        }
    }

    func testPerTensorQuantizeAndDequantizeMatchTheScalarFormula() {
        let scales: [Float] = [1, 0.7, 127, 12.7, 3e-3, 0, -1, .nan, .infinity, 1e-45, 1e-30, 32767]
        for bits in [1, 2, 4, 8, 16] {
            let bin = FakeQuant.bin(bits: bits)
            for (k, s) in scales.enumerated() {
                for count in [37, 1000] {
                    let x = Self.values(count: count, scale: s, bin: bin, seed: UInt64(bits * 100 + k))
                    let t = Tensor(shape: [count], floats: x)
                    let q = Reference.quantize(x, scales: [s], bits: bits)
                    let what = "bits \(bits) scale \(s) count \(count)"
                    assertBitIdentical(FakeQuant.quantize(t, scales: [s], bits: bits).floats, q, "quantize, " + what)
                    assertBitIdentical(FakeQuant.quantizeDequantize(t, scales: [s], bits: bits).floats,
                                       Reference.dequantize(q, scales: [s], range: bin), "quantize-dequantize, " + what)
                }
            }
        }
    }

    func testPerChannelQuantizeAbsMaxAndStraightThroughMatchTheScalarFormula() {
        var g = SeededGenerator(seed: 7)
        for bits in [2, 8] {
            let bin = FakeQuant.bin(bits: bits)
            let channels = 5, block = 3 * 7
            let x = (0..<channels).flatMap { c in Self.values(count: block, scale: Float(c) * 0.3, bin: bin, seed: UInt64(c)) }
            let t = Tensor(shape: [channels, 3, 7], floats: x)
            let finite = x.map { $0.isNaN ? 0 : $0 }
            let scales = (0..<channels).map { c in Reference.absMax(Array(finite[c * block ..< (c + 1) * block])) }
            XCTAssertEqual(FakeQuant.channelAbsMax(Tensor(shape: [channels, 3, 7], floats: finite), channels: channels), scales)
            let q = Reference.quantize(x, scales: scales, bits: bits)
            assertBitIdentical(FakeQuant.quantize(t, scales: scales, bits: bits).floats, q, "per-channel quantize, bits \(bits)")
            assertBitIdentical(FakeQuant.quantizeDequantize(t, scales: scales, bits: bits).floats,
                               Reference.dequantize(q, scales: scales, range: bin), "per-channel quantize-dequantize, bits \(bits)")
            let grad = (0..<x.count).map { _ in Float.random(in: -1...1, using: &g) }
            assertBitIdentical(FakeQuant.straightThrough(Tensor(shape: t.shape, floats: grad), input: t, scales: scales).floats,
                               Reference.straightThrough(grad, x, scales: scales), "per-channel straight-through, bits \(bits)")
        }
    }

    func testAbsMaxAndPerTensorStraightThroughMatchTheScalarFormula() {
        var g = SeededGenerator(seed: 3)
        for count in [0, 1, 15, 16, 17, 1001] {
            let x = Self.values(count: count, scale: 0.9, bin: 127, seed: UInt64(count))
            let grad = (0..<count).map { _ in Float.random(in: -1...1, using: &g) }
            let t = Tensor(shape: [count], floats: x)
            XCTAssertEqual(FakeQuant.absMax(t).bitPattern, Reference.absMax(x).bitPattern, "count \(count)")
            for s: Float in [0.9, 0, .nan, 1e-45] {
                assertBitIdentical(FakeQuant.straightThrough(Tensor(shape: [count], floats: grad), input: t, scales: [s]).floats,
                                   Reference.straightThrough(grad, x, scales: [s]), "straight-through, count \(count) scale \(s)")
            }
        }
    }

    func testDequantizersAndObserverMaximumMatchTheScalarFormula() {
        let x = Self.values(count: 2 * 6 * 5, scale: 100, bin: 127, seed: 11)
        let scales: [Float] = [0.5, 3e-3, 7, 1e-30, 2, 0.1]
        for (axis, shape) in [(0, [6, 2, 5]), (1, [2, 6, 5])] {
            let inner = shape[(axis + 1)...].reduce(1, *)
            let reference = x.indices.map { i in x[i] * scales[(i / inner) % 6] * 0.25 / 16129 }
            assertBitIdentical(FakeQuant.dequantize(Tensor(shape: shape, floats: x), scales: scales, axis: axis, extra: 0.25, range: 16129).floats,
                               reference, "per-channel dequantize, axis \(axis)")
        }
        assertBitIdentical(FakeQuant.dequantize(Tensor(shape: [x.count], floats: x), scales: [0.3], axis: 0, range: 127).floats,
                           x.map { $0 * 0.3 * 1 / 127 }, "per-tensor dequantize")
        var observer = AbsMaxObserver()
        observer.observe(Tensor(shape: [x.count], floats: x))
        var m: Float = 0
        for v in x where v.isFinite { m = max(m, abs(v)) }
        XCTAssertEqual(observer.scale.bitPattern, m.bitPattern)
    }

    /// A channel that weight decay has driven to ~1e-38 (seen in a trained detector): `bin / s`
    /// overflows to infinity, which made the channel's fake-quant output infinity and NaN and the
    /// next training step's loss NaN. The scale is raised to `minimumScale`: finite outputs, the
    /// tiny weights quantize to 0, the other channel is untouched.
    func testTinyChannelScaleGivesFiniteOutputs() {
        let tiny: Float = 2.8339092e-38
        let x = Tensor(shape: [2, 4], floats: [tiny, -tiny, 0, tiny / 2, 0.5, -0.25, 0.125, 0])
        let scales = FakeQuant.channelAbsMax(x, channels: 2)
        XCTAssertEqual(scales, [tiny, 0.5])
        let out = FakeQuant.quantizeDequantize(x, scales: scales, bits: 8).floats
        XCTAssertTrue(out.allSatisfy(\.isFinite), "\(out)")
        XCTAssertEqual(Array(out[0..<4]), [0, 0, 0, 0])
        XCTAssertEqual(Array(out[4...]), Reference.quantize(Array(x.floats[4...]), scales: [0.5], bits: 8).map { $0 * 0.5 / 127 })
        let q = FakeQuant.quantize(x, scales: scales, bits: 8).floats
        XCTAssertTrue(q.allSatisfy(\.isFinite), "\(q)")
        XCTAssertEqual(FakeQuant.guarded(tiny), FakeQuant.minimumScale)
    }

    func testLargeTensorsSplitAcrossThreadsGiveTheSameBits() {
        let previous = Kernels.threads ?? 1
        Kernels.setThreads(2)
        defer { Kernels.setThreads(previous) }
        let count = 3 * (1 << 15) + 5
        var x = Self.values(count: count, scale: 0.8, bin: 127, seed: 5)
        x[count - 2] = 50  // the maximum in the last chunk
        let t = Tensor(shape: [count], floats: x)
        let s = FakeQuant.absMax(t)
        XCTAssertEqual(s.bitPattern, Reference.absMax(x).bitPattern)
        let q = Reference.quantize(x, scales: [0.8], bits: 8)
        assertBitIdentical(FakeQuant.quantizeDequantize(t, scales: [0.8], bits: 8).floats,
                           Reference.dequantize(q, scales: [0.8], range: 127), "quantize-dequantize over threads")
        let grad = x.map { $0.isNaN ? 1 : -$0 }
        assertBitIdentical(FakeQuant.straightThrough(Tensor(shape: [count], floats: grad), input: t, scales: [0.8]).floats,
                           Reference.straightThrough(grad, x, scales: [0.8]), "straight-through over threads")
        assertBitIdentical(FakeQuant.dequantize(t, scales: [0.3], axis: 0, range: 127).floats, x.map { $0 * 0.3 * 1 / 127 }, "dequantize over threads")
    }

    /// The asymmetric uint8 round trip (`quantizeAsymmetric`, ONNX Runtime's grid): the scalar
    /// `clamp(rne(x * 127 / s), -z, 255 - z) * s / 127` (NaN 0) bit for bit, ties to even, the
    /// range ends and special values, on one thread and split over two. The level is an integer,
    /// as in ONNX's QuantizeLinear / DequantizeLinear: -0 comes back as +0.
    func testAsymmetricRoundTripMatchesTheScalarFormula() {
        let previous = Kernels.threads ?? 1
        Kernels.setThreads(2)
        defer { Kernels.setThreads(previous) }
        for (s, z) in [(Float(1.5), 0), (0.3, 128), (12.7, 255), (0.05, 37)] {
            let k = 127 / FakeQuant.guarded(s), factor = s / 127
            for count in [1000, 3 * (1 << 15) + 5] {
                let x = Self.values(count: count, scale: s * 2, bin: 127, seed: UInt64(z + count))
                let expected = x.map { v -> Float in
                    let c = v * k
                    return Float(Int(c.isNaN ? 0 : min(max(c.rounded(.toNearestOrEven), Float(-z)), Float(255 - z)))) * factor
                }
                let t = Tensor(shape: [count], floats: x)
                assertBitIdentical(FakeQuant.quantizeAsymmetric(t, scale: s, zeroPoint: z, dequantized: true).floats, expected,
                                   "scale \(s) zero point \(z) count \(count)")
            }
        }
    }
}
