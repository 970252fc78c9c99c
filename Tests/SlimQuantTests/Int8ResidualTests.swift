import SlimGraph
import SlimQuant
import SlimTensor
import XCTest

/// Residual adds summed on integers (`IntegerResidual`): a conv whose residual add (+ ReLU) is
/// followed by a static quantizer writes that quantizer's u8 directly, with the shortcut's integers
/// read by oneDNN's sum post-op; the shortcut's rounding is the only new difference from the frozen
/// float program.
final class Int8ResidualTests: XCTestCase {
    /// ResNet-14 (cifar: stem, 2 identity blocks, a projection and an identity block twice) after a
    /// few QAT steps: no float add is left; the last block's output feeds the float average pool, so
    /// that block keeps its f32 residual, and so does the block before it (its output is that f32
    /// residual); the first four blocks' second convs write u8 at run time, reading the u8 block
    /// input or the projection conv's s8, with no `int8_quantize` between them; predictions agree
    /// with the frozen float program.
    func testResNetBlocksSumIntegers() throws {
        let data = TemplateData(shape: [2, 8, 8], classes: 5, seed: 23)
        let model = try ResNet(numClasses: 5, depth: 14, variant: .cifar).build(inputShape: [2, 8, 8], seed: 6)
        let p = try Int8Pipeline(model, data: data, steps: 20, integerResiduals: true)
        let types = p.loweredTypes
        XCTAssertFalse(types.contains("elementwise_add"), "\(types)")
        XCTAssertEqual(types.filter { $0 == "int8_quantize" }.count, 3, "the image, the last block's input, the fc's input: \(types)")
        XCTAssertEqual(types.firstIndex(of: "int8_quantize"), 0)
        XCTAssertEqual(types.dropFirst().firstIndex(of: "int8_quantize"), 14, "13 convs (stem, four blocks, block 5) first: \(types)")
        let sums = p.lowered.ops.filter { $0.inputs["ResidualData"] != nil }
        XCTAssertEqual(sums.count, 6, "one fused add per block")
        let integer: Set<DType> = [.u8, .s8]
        let integerSums = sums.filter { integer.contains(p.lowered.variable($0.inputs["ResidualData"]![0])?.dtype ?? .f32) }
        XCTAssertEqual(integerSums.count, 4)
        let projections = integerSums.filter { p.lowered.variable($0.inputs["ResidualData"]![0])?.dtype == .s8 }
        XCTAssertEqual(projections.count, 1, "the first projection shortcut writes s8")

        let images = data.batch(64, seed: 24).images
        let outputs = integerSums.map { $0.outputs["Output"]![0] }
        let (f, q) = try p.run(images, fetches: [p.output, "fc_0.tmp_1"] + outputs)
        for (k, name) in outputs.enumerated() {
            let value = try XCTUnwrap(q[name], name)
            XCTAssertEqual(value.dtype, .u8, name)   // as the kernel wrote it (whatever layout it chose)
            // The frozen program's integers of the same quantizer. The first block differs by the
            // shortcut's rounding alone (half a level of the block input, under one output level
            // here); later blocks also carry the earlier blocks' differences.
            let a = try XCTUnwrap(f[name], name).floats, b = value.asFloats
            let far = zip(a, b).filter { abs($0 - $1) > 1 }.count, off = zip(a, b).filter { $0 != $1 }.count
            print("\(name): \(off) of \(a.count) differ, \(far) by more than 1")
            if k == 0 { XCTAssertEqual(far, 0, name) }
        }
        let probs = agreement(try XCTUnwrap(f[p.output]), try XCTUnwrap(q[p.output]))
        print("int8 vs frozen: top-1 agreement \(probs.agree), max |dp| \(probs.maxDiff)")
        XCTAssertGreaterThanOrEqual(probs.agree, 62.0 / 64)
        XCTAssertLessThanOrEqual(probs.maxDiff, 0.05)
    }
}
