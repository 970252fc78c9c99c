import CDNNL
import XCTest
@testable import SlimTensor

/// Int8 kernels hand u8/s8/f32 results out in the layout their primitive chose (NHWC) and keep
/// weights reordered once per weight tensor: results must equal the all-plain path bit for bit,
/// and a packed weight must follow its tensor's values.
extension Int8KernelTests {
    /// 1x1 conv -> depthwise 3x3 conv -> 1x1 conv with f32 output and a residual, each with
    /// per-channel scales; `plain` makes every intermediate plain row-major.
    func int8Chain(_ x: Tensor, _ w1: Tensor, _ dw: Tensor, _ w3: Tensor, residual: Tensor, plain: Bool) -> [Tensor] {
        func p(_ t: Tensor) -> Tensor { plain ? t.plain() : t }
        let s1 = (0..<32).map { 0.002 + Float($0) * 0.0001 }, s2 = (0..<32).map { 0.01 + Float($0) * 0.0003 }
        let y1 = p(Kernels.conv2dInt8(x, filter: w1, bias: nil, geometry: ConvGeometry(), outputScales: s1,
                                      postOps: [.clip(lo: 0, hi: 127)], outputType: .u8))
        let y2 = p(Kernels.conv2dInt8(y1, filter: dw, bias: Tensor(shape: [32], floats: (0..<32).map { Float($0) - 16 }),
                                      geometry: ConvGeometry(paddings: [1, 1], groups: 32), outputScales: s2,
                                      postOps: [.clip(lo: 0, hi: 127)], outputType: .u8))
        let y3 = p(Kernels.conv2dInt8(y2, filter: w3, bias: nil, geometry: ConvGeometry(), outputScales: [0.001],
                                      postOps: [.sum(scale: 1), .relu], residual: residual, outputType: .f32))
        return [y1, y2, y3]
    }

    func testInt8ConvChainInNHWCEqualsThePlainChain() {
        let x = integers([2, 16, 6, 6], .u8, 0...127), w1 = integers([32, 16, 1, 1], .s8, -127...127)
        let dw = integers([32, 1, 3, 3], .s8, -127...127), w3 = integers([8, 32, 1, 1], .s8, -127...127)
        let residual = Tensor(shape: [2, 8, 6, 6], floats: (0..<576).map { Float($0 % 17) - 8 })
        let kept = int8Chain(x, w1, dw, w3, residual: residual, plain: false)
        let plain = int8Chain(x, w1, dw, w3, residual: residual, plain: true)
        XCTAssertNotNil(kept[0].layout, "a u8 conv output stays in the primitive's layout")
        for (i, (a, b)) in zip(kept, plain).enumerated() {
            XCTAssertEqual(a, b, "layer \(i + 1)")
            XCTAssertEqual(a.asFloats, b.asFloats, "layer \(i + 1) values")
        }
        XCTAssertEqual(residual.floats, (0..<576).map { Float($0 % 17) - 8 }, "the residual input is not modified")
    }

    /// y[n, o, p] = Σ_c x[n, c, p] w[o, c]: a 1x1 convolution in exact integers.
    func conv1x1Reference(_ x: Tensor, _ w: Tensor) -> [Float] {
        let (n, c, plane, o) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3], w.shape[0])
        let xs = x.asFloats, ws = w.asFloats
        var y = [Float](repeating: 0, count: n * o * plane)
        for b in 0..<n { for oc in 0..<o { for ic in 0..<c { for q in 0..<plane {
            y[(b * o + oc) * plane + q] += xs[(b * c + ic) * plane + q] * ws[oc * c + ic]
        } } } }
        return y
    }

    func testPackedWeightsFollowTheirTensor() {
        let x = integers([2, 8, 4, 4], .u8, 0...127)
        func conv(_ w: Tensor) -> [Float] {
            Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(), outputScales: [1], outputType: .f32).floats
        }
        let w = integers([16, 8, 1, 1], .s8, -127...127)
        XCTAssertEqual(conv(w), conv1x1Reference(x, w))
        var changed = w
        changed.withUnsafeMutableElements(as: Int8.self) { for i in $0.indices { $0[i] = $0[i] / 2 + 1 } }
        XCTAssertEqual(conv(changed), conv1x1Reference(x, changed), "a written copy is a new weight")
        XCTAssertEqual(conv(w), conv1x1Reference(x, w), "the original keeps its packed form")
        for _ in 0..<12 {   // more weights through one primitive than it keeps packed
            let other = integers([16, 8, 1, 1], .s8, -127...127)
            XCTAssertEqual(conv(other), conv1x1Reference(x, other))
        }
        XCTAssertEqual(conv(w), conv1x1Reference(x, w))
    }

    func testPackedMatmulWeightsFollowTheirTensor() {
        let a = integers([3, 12], .u8, 0...127)
        func product(_ b: Tensor) -> [Float] {
            Kernels.matmulInt8(a, b, bias: nil, outputScales: [1], outputType: .f32).floats
        }
        func reference(_ b: Tensor) -> [Float] {
            let (av, bv) = (a.asFloats, b.asFloats)
            return (0..<3 * 5).map { i in (0..<12).reduce(0) { $0 + av[(i / 5) * 12 + $1] * bv[$1 * 5 + i % 5] } }
        }
        let b = integers([12, 5], .s8, -127...127)
        XCTAssertEqual(product(b), reference(b))
        var changed = b
        changed.withUnsafeMutableElements(as: Int8.self) { $0[0] = $0[0] == 7 ? 8 : 7 }
        XCTAssertEqual(product(changed), reference(changed))
        XCTAssertEqual(product(b), reference(b))
    }

    func testPrimitiveKeysTellScalesApart() {
        let x = integers([1, 4, 3, 3], .u8, 0...127), w = integers([4, 4, 1, 1], .s8, -127...127)
        let reference = conv1x1Reference(x, w)
        for scales in [[Float](repeating: 1, count: 4), [1, 2, 3, 4], [0.5, 1, 1, 1]] {
            let y = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(), outputScales: scales, outputType: .f32).floats
            XCTAssertEqual(y, reference.indices.map { reference[$0] * scales[($0 / 9) % 4] }, "scales \(scales)")
        }
        func key(_ scales: [Float], _ postOps: [PostOp] = []) -> Int8PrimitiveKey {
            Int8PrimitiveKey(shape: [0, 1], postOps: postOps, outputScales: scales)
        }
        XCTAssertNotEqual(key([0, 1]), key([-0.0, 1]), "scales compare bit for bit")
        XCTAssertEqual(key([.nan, 1]), key([.nan, 1]), "a NaN scale finds its own primitive again")
        XCTAssertNotEqual(key([1, 2, 3]), key([1, 5, 3]))
        XCTAssertNotEqual(key([1]), key([1, 1]))
        XCTAssertNotEqual(key([1], [.relu]), key([1], [.clip(lo: 0, hi: 6)]))
        XCTAssertNotEqual(key([1], [.clip(lo: 0, hi: 6)]), key([1], [.clip(lo: 0, hi: 7)]))
    }

    /// Small int8 calls run on one thread, larger ones on more; the caller's thread count is kept.
    func testInt8CallsRestoreTheThreadCount() throws {
        guard let before = Kernels.threads else { throw XCTSkip("no OpenMP runtime") }
        Kernels.setThreads(2)
        defer { Kernels.setThreads(before) }
        for (c, size) in [(8, 4), (128, 16)] {   // 4K and 4.2M multiply-adds
            let x = integers([1, c, size, size], .u8, 0...127), w = integers([c, c, 1, 1], .s8, -127...127)
            let y = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(), outputScales: [1], outputType: .f32)
            XCTAssertEqual(y.floats, conv1x1Reference(x, w), "\(c) channels")
            XCTAssertEqual(Kernels.threads, 2)
        }
    }

    /// An element-wise map keeps an unpadded layout (NHWC f32 -> NHWC u8, which the next int8
    /// convolution takes as it is) and makes a padded one plain; values equal the plain map's.
    func testMapElementsKeepsUnpaddedLayouts() {
        let x = integers([2, 8, 5, 5], .u8, 0...127), w = integers([16, 8, 3, 3], .s8, -127...127)
        let y = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(paddings: [1, 1]), outputScales: [0.01],
                                   outputType: .f32)
        func halve(_ t: Tensor) -> Tensor {
            t.mapElements(Float.self, to: .u8, as: UInt8.self) { src, dst in
                for i in src.indices { dst[i] = UInt8(min(max(src[i] / 2, 0), 127).rounded()) }
            }
        }
        let kept = halve(y), plain = halve(y.plain())
        XCTAssertNotNil(y.layout)
        XCTAssertNotNil(kept.layout, "an NHWC f32 tensor maps to an NHWC u8 one")
        XCTAssertNil(plain.layout)
        XCTAssertEqual(kept, plain)
        let w2 = integers([4, 16, 1, 1], .s8, -127...127)
        let next = Kernels.conv2dInt8(kept, filter: w2, bias: nil, geometry: ConvGeometry(), outputScales: [1], outputType: .f32)
        XCTAssertEqual(next.floats, conv1x1Reference(plain, w2))
        // A padded layout on every host: 6 channels forced into blocks of 8 (`nChw8c`), whatever
        // block oneDNN would pick here.
        var rng = SeededGenerator(seed: 5)
        let source = Tensor(shape: [1, 6, 4, 4], floats: (0..<96).map { _ in rng.nextUnitFloat() })
        let f = Kernels.converted(source, to: TensorLayout.make(MemoryDesc([1, 6, 4, 4], .f32, tag: dnnl_aBcd8b)))
        XCTAssertEqual(f.layout?.paddedChannels, 8)
        XCTAssertEqual(f.floats, source.floats)
        let padded = f.mapElements(Float.self, to: .f32, as: Float.self) { src, dst in for i in src.indices { dst[i] = src[i] * 2 } }
        XCTAssertNil(padded.layout, "a padded layout is mapped as plain")
        XCTAssertEqual(padded.floats, f.floats.map { $0 * 2 })
    }
}

extension Int8KernelTests {
    /// `signedParts` of an s8 conv output held channels-last: the parts stay channels-last (no
    /// reorder on either side) and equal the parts of the plain tensor; -128 gives 128; groups
    /// keep their positive channels before their negative ones (groups of 40, 20, 10 and 5
    /// channels: 16-byte vectors, the last one overlapping, 8-byte vectors, bytes).
    func testSignedPartsKeepChannelsLastAndMatchThePlainParts() throws {
        let x = integers([2, 6, 5, 4], .u8, 0...127), w = integers([40, 6, 1, 1], .s8, -127...127)
        let y = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: ConvGeometry(), outputScales: [0.01],
                                   postOps: [.clip(lo: -128, hi: 127)], outputType: .s8)
        XCTAssertTrue(y.isChannelsLast, "an int8 conv's s8 output is held channels-last")
        XCTAssertTrue(y.asFloats.contains(-128) && y.asFloats.contains { $0 > 0 }, "the test reaches -128 and positive values")
        for groups in [1, 2, 4, 8] {
            let held = Kernels.signedParts(y, groups: groups), plain = Kernels.signedParts(y.plain(), groups: groups)
            XCTAssertTrue(held.isChannelsLast)
            XCTAssertNil(plain.layout)
            XCTAssertEqual(held.shape, [2, 80, 5, 4])
            XCTAssertEqual(held.asFloats, plain.asFloats, "groups \(groups)")
            let v = y.asFloats, parts = held.asFloats, perGroup = 40 / groups, plane = 20
            for n in 0..<2 { for c in 0..<40 { for q in 0..<plane {
                let (g, l) = c.quotientAndRemainder(dividingBy: perGroup)
                let pos = ((n * 80) + g * 2 * perGroup + l) * plane + q, value = v[(n * 40 + c) * plane + q]
                XCTAssertEqual(parts[pos], max(value, 0))
                XCTAssertEqual(parts[pos + perGroup * plane], max(-value, 0))
            } } }
        }
    }
}
