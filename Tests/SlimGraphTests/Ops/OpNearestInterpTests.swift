import XCTest
@testable import SlimGraph
import SlimTensor

/// nearest_interp against hand-worked index maps (both align_corners modes, scale, out_h/out_w,
/// OutSize) and its scatter backward.
final class OpNearestInterpTests: XCTestCase {
    func op(_ attrs: [String: Attribute], outSize: Bool = false) -> OpDesc {
        OpDesc(type: "nearest_interp", inputs: ["X": ["x"]].merging(outSize ? ["OutSize": ["size"]] : [:]) { a, _ in a },
               outputs: ["Out": ["out"]], attrs: attrs.merging(["interp_method": .string("nearest")]) { a, _ in a })
    }

    /// scale 2 copies each pixel into a 2x2 block; backward sums each block.
    func testScaleTwoUpsample() throws {
        let x = Tensor(shape: [1, 2, 2, 3], floats: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        let dOut = Tensor(shape: [1, 2, 4, 6], floats: (0..<48).map(Float.init))
        for align in [false, true] {
            let run = try OpHarness.run(op(["scale": .float(2), "align_corners": .bool(align)]), values: ["x": x], upstream: ["out": dOut])
            let plane0: [Float] = [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6]
            assertClose(run.outputs["out"], plane0 + plane0.map { $0 + 6 }, shape: [1, 2, 4, 6], tol: 0, "forward align \(align)")
            // dX[c, i, j] = sum of dOut[c, 2i..2i+1, 2j..2j+1] with dOut[c, r, s] = 24c + 6r + s.
            var dx: [Float] = []
            for c in 0..<2 { for i in 0..<2 { for j in 0..<3 { dx.append(Float(96 * c + 48 * i + 8 * j + 14)) } } }
            assertClose(run.grads["x"], dx, shape: x.shape, tol: 0, "backward align \(align)")
        }
    }

    /// The INT8 engine's s8 and u8 activations are copied as they are (same index map, same type).
    func testIntegerInputsKeepTheirType() throws {
        for dtype in [DType.s8, .u8] {
            let values = dtype == .s8 ? [-127, -1, 0, 5, 127, 64] : [0, 1, 128, 255, 7, 9]
            let x = Tensor(shape: [1, 1, 2, 3], dtype: dtype, integers: values)
            let run = try OpHarness.run(op(["scale": .float(2)]), values: ["x": x])
            let out = try XCTUnwrap(run.outputs["out"])
            XCTAssertEqual(out.dtype, dtype)
            XCTAssertEqual(out.shape, [1, 1, 4, 6])
            let row0 = values[0..<3].flatMap { [$0, $0] }, row1 = values[3..<6].flatMap { [$0, $0] }
            XCTAssertEqual(out.asFloats, (row0 + row0 + row1 + row1).map(Float.init), "\(dtype)")
        }
    }

    /// 3 -> 5 along each axis: ratio 3/5 without align_corners reads 0,0,1,1,2; ratio 1/2 with it
    /// reads round-half-up(k/2) = 0,1,1,2,2.
    func testNonIntegerRatios() throws {
        let x = Tensor(shape: [1, 1, 3, 3], floats: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        func expected(_ idx: [Int]) -> [Float] { idx.flatMap { r in idx.map { c in Float(r * 3 + c + 1) } } }
        let plain = try OpHarness.run(op(["out_h": .int(5), "out_w": .int(5), "align_corners": .bool(false)]), values: ["x": x])
        assertClose(plain.outputs["out"], expected([0, 0, 1, 1, 2]), shape: [1, 1, 5, 5], tol: 0, "align_corners false")
        let aligned = try OpHarness.run(op(["out_h": .int(5), "out_w": .int(5)]), values: ["x": x])
        assertClose(aligned.outputs["out"], expected([0, 1, 1, 2, 2]), shape: [1, 1, 5, 5], tol: 0, "align_corners default true")
    }

    /// OutSize wins over scale and out_h/out_w.
    func testOutSizeInputWins() throws {
        let x = Tensor(shape: [1, 1, 2, 2], floats: [1, 2, 3, 4])
        let size = Tensor(shape: [2], dtype: .s32, integers: [4, 2])
        let run = try OpHarness.run(op(["scale": .float(3), "out_h": .int(7), "out_w": .int(7), "align_corners": .bool(false)], outSize: true),
                                    values: ["x": x, "size": size])
        assertClose(run.outputs["out"], [1, 2, 1, 2, 3, 4, 3, 4], shape: [1, 1, 4, 2], tol: 0, "OutSize [4, 2]")
    }

    func testMissingSizeAndOtherMethodsThrow() {
        XCTAssertThrowsError(try NearestInterpOp.inferShapes(op([:]), inputs: ["X": [[1, 1, 2, 2]]]))
        var bilinear = op(["scale": .float(2)])
        bilinear.attrs["interp_method"] = .string("bilinear")
        XCTAssertThrowsError(try NearestInterpOp.inferShapes(bilinear, inputs: ["X": [[1, 1, 2, 2]]]))
        XCTAssertEqual(try NearestInterpOp.inferShapes(op(["scale": .float(2)]), inputs: ["X": [[-1, 3, 5, 7]]])["Out"], [[-1, 3, 10, 14]])
        XCTAssertThrowsError(try NearestInterpOp.inferShapes(op(["scale": .float(1e30)]), inputs: ["X": [[-1, 3, 5, 7]]]))
        XCTAssertThrowsError(try NearestInterpOp.inferShapes(op(["scale": .float(.infinity)]), inputs: ["X": [[-1, 3, 5, 7]]]))
    }
}

extension GradientCheckTests {
    /// L = mean(nearest_interp(x, scale 2) · W) against finite differences.
    func testNearestInterpGradientsMatchFiniteDifferences() throws {
        var s = Sketch()
        s.parameter("x", [1, 2, 3, 3])
        s.parameter("w", [36, 2])
        try s.op("nearest_interp", ["X": ["x"]], ["Out": ["up"]], ["scale": .float(2), "align_corners": .bool(false)])
        try s.op("reshape2", ["X": ["up"]], ["Out": ["flat"], "XShape": ["flat.shape"]], ["shape": .ints([2, 36])])
        try s.op("mul", ["X": ["flat"], "Y": ["w"]], ["Out": ["h"]])
        try s.op("mean", ["X": ["h"]], ["Out": ["loss"]])
        s.program.fetches = ["loss"]
        try checkGradients(s, feeds: [:])
    }
}
