import XCTest
import SlimTensor

/// Seeded random tensors and closeness checks shared by the op tests.
enum OpTestValues {
    /// Uniform values in [lo, hi).
    static func random(_ shape: [Int], _ rng: inout SeededGenerator, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in lo + (hi - lo) * rng.nextUnitFloat() })
    }

    /// s32 labels [n, 1] in 0..<classes.
    static func labels(_ n: Int, classes: Int, _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: [n, 1], dtype: .s32, integers: (0..<n).map { _ in Int(rng.next() % UInt64(classes)) })
    }
}

/// Asserts `actual` equals `expected` element-wise within `tol` relative to the larger of 1 and max|expected|.
func assertClose(_ actual: Tensor?, _ expected: [Float], shape: [Int]? = nil, tol: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let actual else { return XCTFail("\(what): no value", file: file, line: line) }
    if let shape { XCTAssertEqual(actual.shape, shape, "\(what): shape", file: file, line: line) }
    let a = actual.floats
    guard a.count == expected.count else {
        return XCTFail("\(what): \(a.count) values, expected \(expected.count)", file: file, line: line)
    }
    let scale = max(expected.map(abs).max() ?? 1, 1)
    let worst = zip(a, expected).map { abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(worst, tol * scale, "\(what): max difference \(worst)", file: file, line: line)
}
