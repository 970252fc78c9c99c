@testable import SlimGraph
import SlimTensor
import XCTest

/// `SLIM_CHECK_NAN_INF`'s scan: finite values pass, the first NaN or infinity is reported with
/// the op, the var, the element and the shape; integer tensors are not scanned.
final class NonFiniteCheckTests: XCTestCase {
    func testFiniteValuesPass() throws {
        try NonFiniteCheck.check(Tensor(shape: [2, 2], floats: [0, -1, 3e38, -1e-45]), name: "x", op: "relu", index: 3, pass: "forward")
        try NonFiniteCheck.check(Tensor(shape: [2], dtype: .s32, integers: [1, 2]), name: "i", op: "cast", index: 0, pass: "forward")
    }

    func testFirstNonFiniteElementIsNamed() {
        let t = Tensor(shape: [1, 3], floats: [1, .infinity, .nan])
        XCTAssertThrowsError(try NonFiniteCheck.check(t, name: "w.quantized", op: "fake_quantize_abs_max", index: 49, pass: "forward")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("op #49 'fake_quantize_abs_max' (forward) wrote inf to 'w.quantized' at element 1 of shape [1, 3]"), message)
        }
        XCTAssertThrowsError(try NonFiniteCheck.check(t, name: "x@GRAD", op: "relu", pass: "backward")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("op 'relu' (backward) wrote inf to 'x@GRAD'"), message)
        }
    }
}
