import XCTest
@testable import SlimTensor

/// Integer residuals: a sum post-op reading u8 or s8 shortcut values into a u8 output (the INT8
/// engine's residual adds, `IntegerResidual`), whatever layout the primitive chose for its output.
extension Int8KernelTests {
    /// v = 0.25 * acc, v += 0.5 * r (r read as the residual's type), clip to [0, 127], round to even.
    private func integerResidualReference(_ f32: Tensor, _ r: Tensor) -> [Float] {
        zip(f32.floats, r.asFloats).map { min(max(($0 + 0.5 * $1).rounded(.toNearestOrEven), 0), 127) }
    }

    func testConvSumsAnS8OrU8ResidualIntoAU8Output() {
        let x = integers([2, 8, 5, 5], .u8, 0...20), w = integers([16, 8, 3, 3], .s8, -9...9)
        let g = ConvGeometry(paddings: [1, 1])
        let plain = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: g, outputScales: [0.25], outputType: .f32)
        for type in [DType.s8, .u8] {
            let residual = integers([2, 16, 5, 5], type, type == .s8 ? -127...127 : 0...127)
            let kept = residual.asFloats
            let postOps: [PostOp] = [.sum(scale: 0.5), .clip(lo: 0, hi: 127)]
            let y = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: g, outputScales: [0.25], postOps: postOps,
                                       residual: residual, outputType: .u8)
            XCTAssertEqual(y.dtype, .u8)
            XCTAssertEqual(y.asFloats, integerResidualReference(plain, residual), "\(type) residual")
            XCTAssertEqual(residual.asFloats, kept, "the caller's residual is not written")
            // A residual held in the layout of an int8 convolution's output (as the engine passes it).
            let held = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: g, outputScales: [1], postOps: [.clip(lo: type == .s8 ? -127 : 0, hi: 127)],
                                          outputType: type)
            let z = Kernels.conv2dInt8(x, filter: w, bias: nil, geometry: g, outputScales: [0.25], postOps: postOps,
                                       residual: held, outputType: .u8)
            XCTAssertEqual(z.asFloats, integerResidualReference(plain, held), "\(type) residual in the primitive's layout")
        }
    }
}
