import XCTest
@testable import SlimTensor

/// `Int8KernelCall`: a kernel resolved once and run many times must compute what the one-shot
/// kernel computes for every input, weight tensor and bias it is run on.
extension Int8KernelTests {
    func testConvCallRunsManyInputsAndWeights() {
        let x0 = integers([2, 8, 4, 4], .u8, 0...127)
        let call = Kernels.conv2dInt8Call(x0, filterShape: [16, 8, 1, 1], hasBias: false, geometry: ConvGeometry(),
                                          outputScales: [1], outputType: .f32)
        XCTAssertEqual(call.outputShape, [2, 16, 4, 4])
        var w = integers([16, 8, 1, 1], .s8, -127...127)
        for step in 0..<4 {
            let x = step == 0 ? x0 : integers([2, 8, 4, 4], .u8, 0...127)
            if step == 2 { w.withUnsafeMutableElements(as: Int8.self) { for i in $0.indices { $0[i] = $0[i] / 2 + 1 } } }
            XCTAssertTrue(call.fits(x, weights: w, hasBias: false, hasResidual: false))
            XCTAssertEqual(call.run(x, weights: w, bias: nil, residual: nil).floats, conv1x1Reference(x, w), "step \(step)")
        }
        XCTAssertFalse(call.fits(integers([1, 8, 4, 4], .u8, 0...127), weights: w, hasBias: false, hasResidual: false))
        XCTAssertFalse(call.fits(x0, weights: w, hasBias: true, hasResidual: false))
    }

    func testCallsWithBiasAndResidualMatchTheOneShotKernels() {
        let x = integers([1, 8, 3, 3], .u8, 0...127), w = integers([4, 8, 3, 3], .s8, -127...127)
        let g = ConvGeometry(paddings: [1, 1])
        let residual = Tensor(shape: [1, 4, 3, 3], floats: (0..<36).map { Float($0 % 7) - 3 })
        let call = Kernels.conv2dInt8Call(x, filterShape: w.shape, hasBias: true, geometry: g, outputScales: [0.01, 0.02, 0.03, 0.04],
                                          postOps: [.sum(scale: 1), .relu], hasResidual: true, outputType: .f32)
        for shift in [0, 5] {
            let bias = Tensor(shape: [4], floats: [1, -2, 3, Float(-shift)])
            let want = Kernels.conv2dInt8(x, filter: w, bias: bias, geometry: g, outputScales: [0.01, 0.02, 0.03, 0.04],
                                          postOps: [.sum(scale: 1), .relu], residual: residual, outputType: .f32)
            XCTAssertEqual(call.run(x, weights: w, bias: bias, residual: residual).floats, want.floats)
        }
        let a = integers([3, 12], .u8, 0...127), b = integers([12, 5], .s8, -127...127)
        let bias = Tensor(shape: [5], floats: [1, 2, 3, 4, 5])
        let product = Kernels.matmulInt8Call(a, weightShape: b.shape, hasBias: true, outputScales: [0.5], outputType: .f32)
        XCTAssertEqual(product.run(a, weights: b, bias: bias, residual: nil).floats,
                       Kernels.matmulInt8(a, b, bias: bias, outputScales: [0.5], outputType: .f32).floats)
    }
}
