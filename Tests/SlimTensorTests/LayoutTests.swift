import XCTest
@testable import SlimTensor

/// Tensors held in oneDNN blocked layouts between kernels: they read as plain everywhere, and a
/// chain of kernels on them computes what the same chain on plain tensors computes.
final class LayoutTests: XCTestCase {
    func random(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    func assertClose(_ a: Tensor, _ b: Tensor, _ what: String, tol: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, what, file: file, line: line)
        let (x, y) = (a.floats, b.floats)
        let worst = zip(x, y).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tol, "\(what): worst relative difference \(worst)", file: file, line: line)
    }

    /// A convolution output with 16 channels (blocked by oneDNN on AVX2 and AVX-512).
    func blockedTensor(_ rng: inout SeededGenerator) -> (blocked: Tensor, input: Tensor, filter: Tensor) {
        let x = random([2, 3, 5, 5], &rng), w = random([16, 3, 3, 3], &rng)
        let y = Kernels.conv2dForward(x, filter: w, bias: nil, geometry: ConvGeometry(paddings: [1, 1]), training: true)
        return (y, x, w)
    }

    func testBlockedTensorsReadWriteAndCompareAsPlain() {
        var rng = SeededGenerator(seed: 1)
        let (y, _, _) = blockedTensor(&rng)
        XCTAssertNotNil(y.layout, "conv output should stay in the primitive's blocked layout")
        let plain = Tensor(shape: y.shape, floats: y.floats)
        XCTAssertNil(plain.layout)
        XCTAssertEqual(y, plain)
        XCTAssertEqual(y.byteCount, plain.byteCount)
        XCTAssertEqual(y.reshaped([2, 16 * 25]).floats, plain.floats)
        XCTAssertNil(y.reshaped([2, 16 * 25]).layout)
        XCTAssertNotNil(y.reshaped(y.shape).layout)
        var changed = y
        changed.withUnsafeMutableFloats { $0[0] += 1 }
        XCTAssertNil(changed.layout)
        XCTAssertEqual(y, plain, "writing a copy leaves the original unchanged")
        XCTAssertEqual(changed.floats[0], plain.floats[0] + 1)
        XCTAssertEqual(Array(changed.floats[1...]), Array(plain.floats[1...]))
    }

    /// Forward and backward of conv -> batch norm -> relu -> max pool -> + bias -> depthwise conv,
    /// once with layouts kept between kernels and once with every intermediate made plain.
    func chain(_ x: Tensor, _ w: Tensor, _ dw: Tensor, _ bias: Tensor, _ dOut: Tensor, plain: Bool) -> [String: Tensor] {
        func p(_ t: Tensor) -> Tensor { plain ? t.plain() : t }
        let one = Tensor.filled(1, shape: [16]), zero = Tensor(shape: [16])
        let pool = PoolGeometry(kind: .max, kernel: [2, 2], strides: [2, 2]), dwGeometry = ConvGeometry(paddings: [1, 1], groups: 16)
        let c = p(Kernels.conv2dForward(x, filter: w, bias: nil, geometry: ConvGeometry(paddings: [1, 1]), training: true))
        let bn = Kernels.batchNormTraining(c, scale: one, shift: zero, epsilon: 1e-5)
        let r = p(Kernels.eltwiseForward(p(bn.output), .relu))
        let (pooled, workspace) = Kernels.pool2dForward(r, geometry: pool, training: true)
        let biased = p(Kernels.add(p(pooled), bias, axis: 1))
        let out = p(Kernels.conv2dForward(biased, filter: dw, bias: nil, geometry: dwGeometry, training: true))
        let dBiased = p(Kernels.conv2dBackwardData(dOut, filter: dw, inputShape: biased.shape, geometry: dwGeometry))
        let dDw = Kernels.conv2dBackwardWeights(biased, dOut, filterShape: dw.shape, geometry: dwGeometry, withBias: false).filter
        let dBias = Kernels.reduceSum(dBiased, to: [1, 16, 1, 1])
        let dR = p(Kernels.pool2dBackward(dBiased, inputShape: r.shape, geometry: pool, workspace: workspace))
        let dBn = p(Kernels.eltwiseBackward(dR, input: p(bn.output), .relu))
        let bnGrads = Kernels.batchNormBackward(dBn, input: c, scale: one, mean: bn.mean, variance: bn.variance, epsilon: 1e-5)
        let dC = p(bnGrads.input)
        let dX = Kernels.conv2dBackwardData(dC, filter: w, inputShape: x.shape, geometry: ConvGeometry(paddings: [1, 1]))
        let dW = Kernels.conv2dBackwardWeights(x, dC, filterShape: w.shape, geometry: ConvGeometry(paddings: [1, 1]), withBias: false).filter
        let sum = Kernels.add(out, out)
        return ["out": out, "sum": sum, "dDw": dDw, "dBias": dBias, "dScale": bnGrads.scale, "dShift": bnGrads.shift, "dX": dX, "dW": dW]
    }

    func testKernelChainsAgreeWithAndWithoutBlockedLayouts() throws {
        var rng = SeededGenerator(seed: 2)
        let x = random([2, 3, 8, 8], &rng), w = random([16, 3, 3, 3], &rng), dw = random([16, 1, 3, 3], &rng)
        let bias = random([16], &rng), dOut = random([2, 16, 4, 4], &rng)
        let blocked = chain(x, w, dw, bias, dOut, plain: false), plain = chain(x, w, dw, bias, dOut, plain: true)
        XCTAssertNotNil(try XCTUnwrap(blocked["out"]).layout)
        XCTAssertNotNil(try XCTUnwrap(blocked["sum"]).layout)
        for (name, value) in plain.sorted(by: { $0.key < $1.key }) { assertClose(try XCTUnwrap(blocked[name], name), value, name) }
        let out = try XCTUnwrap(plain["out"])
        assertClose(try XCTUnwrap(blocked["sum"]), Tensor(shape: out.shape, floats: out.floats.map { $0 * 2 }), "out + out")
    }

    /// A detector's route on convolution outputs: nearest 2x upsample and concat along channels
    /// keep oneDNN's channel blocks (the block read from the layout: 8 on AVX2, 16 on AVX-512) and
    /// give exactly what they give on plain tensors; pieces that are not whole blocks, or not all
    /// blocked, give the same values through the other paths.
    func testRouteOnChannelBlocksStaysBlockedAndExact() throws {
        var rng = SeededGenerator(seed: 9)
        func conv(_ x: Tensor, _ channels: Int) -> Tensor {
            Kernels.conv2dForward(x, filter: random([channels, x.shape[1], 3, 3], &rng), bias: nil, geometry: ConvGeometry(paddings: [1, 1]),
                                  training: false)
        }
        let probe = conv(random([2, 3, 4, 5], &rng), 16)
        let block = try XCTUnwrap(probe.layout?.denseChannelBlock, "a 16-channel conv output is held in dense channel blocks")
        print("LayoutTests: oneDNN ISA \(Kernels.isaName), route channel block \(block)")
        let small = conv(random([2, 3, 3, 4], &rng), 2 * block), large = conv(random([2, 5, 6, 8], &rng), block)
        XCTAssertEqual(small.layout?.denseChannelBlock, block)
        let rows = [0, 0, 1, 1, 2, 2], cols = [0, 0, 1, 1, 2, 2, 3, 3]
        let up = try XCTUnwrap(Kernels.gatherPixelsInLayout(small, rows: rows, cols: cols), "f32 channel blocks gather in place")
        XCTAssertEqual(up.layout?.denseChannelBlock, block, "the upsampled pixels keep the blocks")
        let s = small.floats
        var expected = [Float]()
        for p in 0..<(2 * 2 * block) { for r in rows { for c in cols { expected.append(s[p * 12 + r * 4 + c]) } } }
        XCTAssertEqual(up.shape, [2, 2 * block, 6, 8])
        XCTAssertEqual(up.floats, expected, "nearest 2x upsample in blocks")
        XCTAssertNil(Kernels.gatherPixelsInLayout(small.plain(), rows: rows, cols: cols), "plain tensors take the plain loop")

        let joined = Kernels.concat([up, large], axis: 1)
        XCTAssertEqual(joined.layout?.denseChannelBlock, block, "the concatenation keeps the blocks")
        XCTAssertEqual(joined, Kernels.concat([up.plain(), large.plain()], axis: 1), "same values as the plain concat")
        let (u, l) = (up.floats, large.floats)
        var images = [Float]()
        for n in 0..<2 {
            let upImage: Int = 2 * block * 48, largeImage: Int = block * 48
            images += u[(n * upImage)..<((n + 1) * upImage)]
            images += l[(n * largeImage)..<((n + 1) * largeImage)]
        }
        XCTAssertEqual(joined.floats, images, "each image's channels of the first piece, then the second's")
        XCTAssertEqual(Kernels.concat([up, large.plain()], axis: 1), joined, "a blocked and a plain piece")
        let six = conv(random([2, 5, 6, 8], &rng), 6)   // 6 channels: a padded block
        XCTAssertEqual(Kernels.concat([up, six], axis: 1).floats, Kernels.concat([up.plain(), six.plain()], axis: 1).floats, "a padded piece")
        XCTAssertEqual(Kernels.concat([large, large], axis: 2 - 4).floats, Kernels.concat([large.plain(), large.plain()], axis: 2).floats,
                       "blocked pieces joined along rows")
    }

    func testAddOfDifferentLayoutsAndReduceSumPatterns() {
        var rng = SeededGenerator(seed: 3)
        let (y, _, _) = blockedTensor(&rng)
        let plain = Tensor(shape: y.shape, floats: y.floats)
        let doubled = y.floats.map { $0 * 2 }
        XCTAssertEqual(Kernels.add(y, plain).floats, doubled)
        XCTAssertEqual(Kernels.add(plain, y).floats, doubled)
        let v = y.floats
        var channels = [Float](repeating: 0, count: 16), total: Float = 0
        for (i, value) in v.enumerated() { channels[(i / 25) % 16] += value; total += value }
        for input in [y, plain] {
            assertClose(Kernels.reduceSum(input, to: [16, 1, 1]), Tensor(shape: [16, 1, 1], floats: channels), "per channel")
            assertClose(Kernels.reduceSum(input, to: [1, 16, 1, 1]), Tensor(shape: [1, 16, 1, 1], floats: channels), "per channel 4-D")
            assertClose(Kernels.reduceSum(input, to: [1]), Tensor(shape: [1], floats: [total]), "total")
        }
        let m = random([5, 3, 4], &rng), mv = m.floats
        var rows = [Float](repeating: 0, count: 3), corners = [Float](repeating: 0, count: 12)
        for (i, value) in mv.enumerated() { rows[(i / 4) % 3] += value; corners[i % 12] += value }
        assertClose(Kernels.reduceSum(m, to: [3, 1]), Tensor(shape: [3, 1], floats: rows), "middle axis")
        assertClose(Kernels.reduceSum(m, to: [3, 4]), Tensor(shape: [3, 4], floats: corners), "two kept axes")
        XCTAssertEqual(Kernels.reduceSum(Tensor(shape: [0, 3]), to: [3]).floats, [0, 0, 0])
    }

    /// 6 channels in oneDNN's channel blocks (8 on AVX2, 16 on AVX-512: read from the layout): pooling
    /// runs on the padded view and its results read back as 6.
    func paddedChain(_ x: Tensor, _ w: Tensor, _ w2: Tensor, _ dOut: Tensor, plain: Bool) throws -> [String: Tensor] {
        func p(_ t: Tensor) -> Tensor { plain ? t.plain() : t }
        let g = ConvGeometry(paddings: [1, 1]), pool = PoolGeometry(kind: .max, kernel: [2, 2], strides: [2, 2])
        let c = p(Kernels.conv2dForward(x, filter: w, bias: nil, geometry: g, training: true))
        let r = p(Kernels.eltwiseForward(c, .relu))
        let (pooled, workspace) = Kernels.pool2dForward(r, geometry: pool, training: true)
        let avg = Kernels.pool2dForward(r, geometry: PoolGeometry(kind: .avg, kernel: [3, 3], strides: [2, 2], paddings: [1, 1]), training: false).output
        let out = Kernels.conv2dForward(p(pooled), filter: w2, bias: nil, geometry: g, training: true)
        let dPooled = p(Kernels.conv2dBackwardData(dOut, filter: w2, inputShape: pooled.shape, geometry: g))
        let dR = p(Kernels.pool2dBackward(dPooled, inputShape: r.shape, geometry: pool, workspace: workspace))
        let dC = p(Kernels.eltwiseBackward(dR, input: c, .relu))
        let dW = Kernels.conv2dBackwardWeights(x, dC, filterShape: w.shape, geometry: g, withBias: true)
        return ["pooled": pooled, "avg": avg, "out": out, "dR": dR, "dW": dW.filter, "dB": try XCTUnwrap(dW.bias, "conv2dBackwardWeights withBias: true")]
    }

    func testPaddedChannelBlocksAgreeWithPlain() throws {
        var rng = SeededGenerator(seed: 4)
        let x = random([2, 1, 8, 8], &rng), w = random([6, 1, 3, 3], &rng), w2 = random([16, 6, 3, 3], &rng), dOut = random([2, 16, 4, 4], &rng)
        let blocked = try paddedChain(x, w, w2, dOut, plain: false), plain = try paddedChain(x, w, w2, dOut, plain: true)
        let pooled = try XCTUnwrap(blocked["pooled"])
        let block = try XCTUnwrap(pooled.layout?.channelBlock, "pooled 6-channel output stays channel-blocked")
        print("LayoutTests: oneDNN ISA \(Kernels.isaName), channel block \(block)")
        XCTAssertEqual(pooled.layout?.paddedChannels, roundUp(6, to: block), "pooled 6-channel output keeps its padding")
        for (name, value) in plain.sorted(by: { $0.key < $1.key }) { assertClose(try XCTUnwrap(blocked[name], name), value, name) }
    }

    func testDepthwiseBackwardWeightsOnMapsSmallerThanTheFilter() throws {
        var rng = SeededGenerator(seed: 6)
        let g = ConvGeometry(paddings: [1, 1], groups: 16)
        let (blockedInput, _, _) = blockedTensor(&rng)
        let x = Kernels.pool2dForward(blockedInput, geometry: PoolGeometry(kind: .max, kernel: [2, 2], strides: [2, 2]), training: false).output
        XCTAssertEqual(x.shape, [2, 16, 2, 2])
        XCTAssertNotNil(x.layout)
        let w = random([16, 1, 3, 3], &rng), dy = random([2, 16, 2, 2], &rng)
        let blocked = Kernels.conv2dBackwardWeights(x, dy, filterShape: w.shape, geometry: g, withBias: true)
        let plain = Kernels.conv2dBackwardWeights(x.plain(), dy, filterShape: w.shape, geometry: g, withBias: true)
        var expected = [Float](repeating: 0, count: 16 * 9)
        let (xv, dv) = (x.floats, dy.floats)
        for n in 0..<2 { for c in 0..<16 { for oy in 0..<2 { for ox in 0..<2 { for ky in 0..<3 { for kx in 0..<3 {
            let (iy, ix) = (oy + ky - 1, ox + kx - 1)
            guard (0..<2).contains(iy), (0..<2).contains(ix) else { continue }
            expected[c * 9 + ky * 3 + kx] += xv[((n * 16 + c) * 2 + iy) * 2 + ix] * dv[((n * 16 + c) * 2 + oy) * 2 + ox]
        } } } } } }
        assertClose(blocked.filter, Tensor(shape: w.shape, floats: expected), "blocked input")
        assertClose(plain.filter, Tensor(shape: w.shape, floats: expected), "plain input")
        assertClose(try XCTUnwrap(blocked.bias), try XCTUnwrap(plain.bias), "bias")
    }

    /// Convolutions and eltwise outputs skip the zero fill of padded layouts: they must write the
    /// padding themselves. Their output buffer is made to come back from the pool full of NaNs.
    func testConvolutionAndEltwiseWriteThePaddingOfTheirOutputs() throws {
        try XCTSkipIf(BufferPool.shared.capacityBytes < 1 << 20, "needs the buffer pool (SLIM_BUFFER_POOL_MB)")
        var rng = SeededGenerator(seed: 7)
        let x = random([8, 1, 48, 48], &rng), w = random([6, 1, 3, 3], &rng), g = ConvGeometry(paddings: [1, 1])
        func poisonNextBuffer(_ byteCount: Int) {
            let s = TensorStorage(uninitializedByteCount: byteCount)
            s.pointer.initializeMemory(as: Float.self, repeating: .nan, count: byteCount / 4)
        }
        let probe = Kernels.conv2dForward(x, filter: w, bias: nil, geometry: g, training: true)
        // The block size is oneDNN's choice for this host (8 on AVX2, 16 on AVX-512): read it.
        let block = try XCTUnwrap(probe.layout?.channelBlock, "a 6-channel training conv output is channel-blocked")
        let padded = roundUp(6, to: block)
        print("LayoutTests: oneDNN ISA \(Kernels.isaName), channel block \(block), 6 channels padded to \(padded)")
        XCTAssertEqual(probe.layout?.paddedChannels, padded)
        /// The padding lanes 6..<block of each block of `block` floats (one channel block: N, H, W, c).
        func paddingLanes(_ t: Tensor) -> [Float] {
            let p = t.buffer.pointer.assumingMemoryBound(to: Float.self)
            return stride(from: 0, to: t.buffer.byteCount / 4, by: block).flatMap { base in (6..<block).map { p[base + $0] } }
        }
        let bytes = probe.buffer.byteCount
        XCTAssertGreaterThanOrEqual(bytes, BufferPool.shared.minimumBytes)
        poisonNextBuffer(bytes)
        let poisoned = Tensor(uninitializedShape: probe.shape, layout: probe.layout, zeroPadding: false)
        XCTAssertTrue(paddingLanes(poisoned).allSatisfy { $0.isNaN }, "the pool hands the poisoned buffer back")
        _ = consume poisoned
        poisonNextBuffer(bytes)
        let y = Kernels.conv2dForward(x, filter: w, bias: random([6], &rng), geometry: g, training: true)
        poisonNextBuffer(bytes)
        let r = Kernels.eltwiseForward(y, .relu)
        poisonNextBuffer(bytes)
        let dr = Kernels.eltwiseBackward(y, input: y, .relu)
        let dx = Kernels.conv2dBackwardData(Kernels.conv2dForward(y, filter: random([6, 6, 3, 3], &rng), bias: nil, geometry: g, training: true),
                                            filter: random([6, 6, 3, 3], &rng), inputShape: y.shape, geometry: g)
        for (name, t) in [("conv", y), ("relu", r), ("relu backward", dr), ("conv backward data", dx)] {
            XCTAssertEqual(t.layout?.paddedChannels, padded, name)
            XCTAssertTrue(paddingLanes(t).allSatisfy { $0 == 0 }, "\(name) leaves its padding unwritten")
        }
    }

    func roundUp(_ n: Int, to block: Int) -> Int { (n + block - 1) / block * block }
}
