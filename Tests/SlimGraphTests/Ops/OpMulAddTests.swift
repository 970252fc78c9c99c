import XCTest
@testable import SlimGraph
import SlimTensor

/// mul (x_num_col_dims flattening) and elementwise_add (axis broadcast) against scalar references.
final class OpMulAddTests: XCTestCase {
    /// c[m, n] = sum_k a[m, k] * b[k, n] on row-major arrays.
    static func matmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    static func transpose(_ a: [Float], rows: Int, cols: Int) -> [Float] {
        (0..<cols * rows).map { a[($0 % rows) * cols + $0 / rows] }
    }

    func checkMul(x xShape: [Int], y yShape: [Int], xCols: Int, yCols: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random(xShape, &rng), y = OpTestValues.random(yShape, &rng)
        let m = xShape[..<xCols].reduce(1, *), k = xShape[xCols...].reduce(1, *), n = yShape[yCols...].reduce(1, *)
        let outShape = Array(xShape[..<xCols]) + Array(yShape[yCols...])
        let dOut = OpTestValues.random(outShape, &rng)
        let op = OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]],
                        attrs: ["x_num_col_dims": .int(xCols), "y_num_col_dims": .int(yCols)])
        let run = try OpHarness.run(op, values: ["x": x, "y": y], upstream: ["out": dOut])
        assertClose(run.outputs["out"], Self.matmul(x.floats, y.floats, m: m, k: k, n: n), shape: outShape, "mul forward")
        let yT = Self.transpose(y.floats, rows: k, cols: n), xT = Self.transpose(x.floats, rows: m, cols: k)
        assertClose(run.grads["x"], Self.matmul(dOut.floats, yT, m: m, k: n, n: k), shape: xShape, "mul dX")
        assertClose(run.grads["y"], Self.matmul(xT, dOut.floats, m: k, k: m, n: n), shape: yShape, "mul dY")
    }

    func testMulFlattensAtTheColumnDims() throws {
        try checkMul(x: [4, 6], y: [6, 3], xCols: 1, yCols: 1, seed: 1)
        try checkMul(x: [2, 3, 2, 2], y: [12, 5], xCols: 1, yCols: 1, seed: 2)   // fc on a feature map
        try checkMul(x: [2, 3, 4], y: [4, 5], xCols: 2, yCols: 1, seed: 3)
        try checkMul(x: [1, 7], y: [7, 2], xCols: 1, yCols: 1, seed: 4)          // batch 1
        try checkMul(x: [3, 4], y: [2, 2, 3], xCols: 1, yCols: 2, seed: 5)
    }

    func testMulInferShapes() throws {
        let op = OpDesc(type: "mul", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]])
        XCTAssertEqual(try MulOp.inferShapes(op, inputs: ["X": [[-1, 16, 2, 2]], "Y": [[64, 10]]])["Out"], [[-1, 10]])
        XCTAssertThrowsError(try MulOp.inferShapes(op, inputs: ["X": [[-1, 16, 2, 2]], "Y": [[60, 10]]]))
        var bad = op
        bad.attrs["x_num_col_dims"] = .int(4)
        XCTAssertThrowsError(try MulOp.inferShapes(bad, inputs: ["X": [[-1, 16, 2, 2]], "Y": [[64, 10]]]))
    }

    func checkAdd(x xShape: [Int], y yShape: [Int], axis: Int, seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let x = OpTestValues.random(xShape, &rng), y = OpTestValues.random(yShape, &rng), dOut = OpTestValues.random(xShape, &rng)
        let op = OpDesc(type: "elementwise_add", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(axis)])
        let run = try OpHarness.run(op, values: ["x": x, "y": y], upstream: ["out": dOut])
        // Y's index for each X index: Y dims sit at `start`, broadcast dims (size 1) contribute 0.
        let start = axis < 0 ? xShape.count - yShape.count : axis
        let xs = x.floats, ys = y.floats, ds = dOut.floats
        var out = [Float](repeating: 0, count: x.count), dy = [Float](repeating: 0, count: y.count)
        for i in 0..<x.count {
            var rest = i, yi = 0, yStride = 1
            for d in stride(from: xShape.count - 1, through: 0, by: -1) {
                let coord = rest % xShape[d]
                rest /= xShape[d]
                if d >= start && d < start + yShape.count {
                    let yd = yShape[d - start]
                    yi += (yd == 1 ? 0 : coord) * yStride
                    yStride *= yd
                }
            }
            out[i] = xs[i] + ys[yi]
            dy[yi] += ds[i]
        }
        assertClose(run.outputs["out"], out, shape: xShape, "add forward \(xShape) + \(yShape) axis \(axis)")
        assertClose(run.grads["x"], ds, shape: xShape, "add dX")
        assertClose(run.grads["y"], dy, shape: yShape, "add dY \(xShape) + \(yShape) axis \(axis)")
    }

    func testElementwiseAddBroadcastsAtTheAxis() throws {
        try checkAdd(x: [4, 5], y: [5], axis: -1, seed: 1)            // fc bias
        try checkAdd(x: [2, 3, 4, 4], y: [3], axis: 1, seed: 2)       // conv bias
        try checkAdd(x: [2, 3, 4, 4], y: [2, 3, 4, 4], axis: -1, seed: 3)
        try checkAdd(x: [2, 3, 4, 5], y: [3, 4], axis: 1, seed: 4)
        try checkAdd(x: [2, 3, 4, 5], y: [3, 1], axis: 1, seed: 5)
        try checkAdd(x: [1, 6], y: [1, 6], axis: 0, seed: 6)
    }

    func testElementwiseAddInferShapesRejectsMismatches() throws {
        let op = OpDesc(type: "elementwise_add", inputs: ["X": ["x"], "Y": ["y"]], outputs: ["Out": ["out"]], attrs: ["axis": .int(1)])
        XCTAssertEqual(try ElementwiseAddOp.inferShapes(op, inputs: ["X": [[-1, 8, 4, 4]], "Y": [[8]]])["Out"], [[-1, 8, 4, 4]])
        XCTAssertThrowsError(try ElementwiseAddOp.inferShapes(op, inputs: ["X": [[-1, 8, 4, 4]], "Y": [[6]]]))
        XCTAssertThrowsError(try ElementwiseAddOp.inferShapes(op, inputs: ["X": [[-1, 8]], "Y": [[8, 1, 1]]]))
    }
}
