import XCTest
@testable import SlimTensor

extension Int8KernelTests {
    func testConvInt8MatchesTheIntegerReference() {
        for (ci, t) in ConvKernelTests.cases.enumerated() {
            let v = Self.variants[ci % Self.variants.count], v2 = Self.variants[(ci + 3) % Self.variants.count]
            for variant in [v, v2] { checkConv(t, variant) }
        }
    }

    func checkConv(_ t: ConvKernelTests.Case, _ v: Variant) {
        let ref = ConvKernelTests.Ref(c: t)
        let g = ConvGeometry(strides: [t.stride, t.stride], paddings: [t.pad, t.pad], dilations: [t.dil, t.dil], groups: t.groups)
        let x = v.source == .u8 ? integers([t.n, t.c, t.h, t.w], .u8, 0...127) : integers([t.n, t.c, t.h, t.w], .s8, -128...127)
        let w = integers([t.o, t.c / t.groups, t.k, t.k], .s8, -127...127, even: v.source == .s8)
        let xs = x.asFloats.map(Int32.init), ws = w.asFloats.map(Int32.init)
        var acc = [Int32](repeating: 0, count: t.n * t.o * ref.oh * ref.ow)
        ref.forEach { xi, wi, yi, _ in acc[yi] += xs[xi] * ws[wi] }
        let maxAcc = Float(acc.map { abs($0) }.max() ?? 1)
        let plane = ref.oh * ref.ow
        let bias = Tensor(shape: [t.o], floats: (0..<t.o).map { _ in (rng.nextUnitFloat() - 0.5) * 0.4 * maxAcc })
        let target: Float = v.output == .s32 ? 3000 : 200
        let s = scales(v.perChannel, t.o, maxAcc: maxAcc, target: target)
        let hasSum = v.postOps.contains(.sum(scale: 0.75))
        let residual = hasSum ? integers([t.n, t.o, ref.oh, ref.ow], v.output, 0...255) : nil
        let res = residual?.asFloats
        let b = bias.floats
        let expected = acc.indices.map { i -> Float in
            let o = (i / plane) % t.o
            return Self.finish(acc[i], bias: b[o], scale: s[v.perChannel ? o : 0], postOps: v.postOps, residual: res?[i] ?? 0)
        }
        let y = Kernels.conv2dInt8(x, filter: w, bias: bias, geometry: g, outputScales: s, postOps: v.postOps,
                                   residual: residual, outputType: v.output)
        XCTAssertEqual(y.shape, [t.n, t.o, ref.oh, ref.ow])
        if let residual { XCTAssertEqual(residual.asFloats, res ?? [], "the residual input is not modified") }
        assertMatches(y, expected, v.output, "conv \(t) \(v)")
        if !hasSum {   // without bias too
            let noBias = acc.indices.map { i in Self.finish(acc[i], bias: 0, scale: s[v.perChannel ? (i / plane) % t.o : 0], postOps: v.postOps, residual: 0) }
            let y2 = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: g, outputScales: s, postOps: v.postOps, outputType: v.output)
            assertMatches(y2, noBias, v.output, "conv without bias \(t) \(v)")
        }
    }

    func testMatmulInt8MatchesTheIntegerReference() {
        for (ci, (m, k, n)) in [(1, 5, 3), (7, 33, 10), (16, 64, 20), (4, 200, 1)].enumerated() {
            for variant in [Self.variants[ci], Self.variants[ci + 2]] {
                let a = variant.source == .u8 ? integers([m, k], .u8, 0...127) : integers([m, k], .s8, -128...127)
                let w = integers([k, n], .s8, variant.source == .s8 ? -64...63 : -127...127)
                let av = a.asFloats.map(Int32.init), wv = w.asFloats.map(Int32.init)
                var acc = [Int32](repeating: 0, count: m * n)
                for i in 0..<m { for j in 0..<n { for p in 0..<k { acc[i * n + j] += av[i * k + p] * wv[p * n + j] } } }
                let maxAcc = Float(acc.map { abs($0) }.max() ?? 1)
                let bias = Tensor(shape: [n], floats: (0..<n).map { _ in (rng.nextUnitFloat() - 0.5) * 0.4 * maxAcc })
                let s = scales(variant.perChannel, n, maxAcc: maxAcc, target: variant.output == .s32 ? 3000 : 200)
                let residual = variant.postOps.contains(.sum(scale: 0.75)) ? integers([m, n], variant.output, 0...255) : nil
                let res = residual?.asFloats, b = bias.floats
                let expected = acc.indices.map { i in
                    Self.finish(acc[i], bias: b[i % n], scale: s[variant.perChannel ? i % n : 0], postOps: variant.postOps, residual: res?[i] ?? 0)
                }
                let y = Kernels.matmulInt8(a, w, bias: bias, outputScales: s, postOps: variant.postOps, residual: residual, outputType: variant.output)
                assertMatches(y, expected, variant.output, "matmul \(m)x\(k)x\(n) \(variant)")
            }
        }
    }

    func testPrimitivesAreCachedAcrossCalls() {
        let x = integers([2, 8, 6, 6], .u8, 0...127), w = integers([16, 8, 3, 3], .s8, -127...127)
        let a = integers([4, 32], .u8, 0...127), b = integers([32, 8], .s8, -127...127)
        func step(_ scale: Float) {
            _ = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(paddings: [1, 1]),
                                   outputScales: (0..<16).map { Float($0 + 1) * scale }, postOps: [.relu], outputType: .u8)
            _ = Kernels.matmulInt8(a, b, bias: nil, outputScales: [scale], outputType: .s8)
        }
        step(0.001)
        let before = PrimitiveCache.shared.creations
        for _ in 0..<3 { step(0.001) }
        XCTAssertEqual(PrimitiveCache.shared.creations, before)
    }

    func testQuantizeRoundsHalfAwayFromZeroAndClips() {
        let x = Tensor(shape: [10], floats: [0.5, -0.5, 1.5, 2.5, -2.5, 0.49, 200, -200, .nan, 63.5])
        XCTAssertEqual(Kernels.quantize(x, scale: 1, to: .s8).asFloats, [1, -1, 2, 3, -3, 0, 127, -127, 0, 64])
        XCTAssertEqual(Kernels.quantize(x, scale: 1, to: .u8).asFloats, [1, 0, 2, 3, 0, 0, 200, 0, 0, 64])
        XCTAssertEqual(Kernels.quantize(x, scale: 2, to: .u8, quantMax: 127).asFloats, [1, 0, 3, 5, 0, 1, 127, 0, 0, 127])
        XCTAssertEqual(Kernels.quantize(x, scale: 1, to: .s8, quantMin: -128).asFloats[7], -128)
        // Paddle: q = round(bin / s * clip(x, -s, s)), s = 3, bin = 127.
        let v = Tensor(shape: [4], floats: [1, -2.9, 3.5, 0.0118])
        XCTAssertEqual(Kernels.quantize(v, scale: 127 / 3, to: .s8).asFloats, [42, -123, 127, 0])
    }

    func testDequantizeMultipliesByTheStep() {
        XCTAssertEqual(Kernels.dequantize(Tensor(shape: [3], dtype: .s8, integers: [-127, 0, 64]), scale: 0.5).floats, [-63.5, 0, 32])
        XCTAssertEqual(Kernels.dequantize(Tensor(shape: [2], dtype: .u8, integers: [255, 1]), scale: 2).floats, [510, 2])
        XCTAssertEqual(Kernels.dequantize(Tensor(shape: [2], dtype: .s32, integers: [-70000, 3]), scale: 0.25).floats, [-17500, 0.75])
        let x = Tensor(shape: [5], floats: [0.3, -1, 0.999, 0, -0.02])
        let back = Kernels.dequantize(Kernels.quantize(x, scale: 127, to: .s8), scale: 1 / 127).floats
        for (a, b) in zip(back, x.floats) { XCTAssertEqual(a, b, accuracy: 0.5 / 127 + 1e-6) }
    }
}
