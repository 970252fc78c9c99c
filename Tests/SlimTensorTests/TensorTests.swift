import XCTest
@testable import SlimTensor

final class TensorTests: XCTestCase {
    func testCopyOnWriteLeavesTheOriginalUnchanged() {
        let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        var b = a
        b.withUnsafeMutableFloats { $0[0] = 42 }
        XCTAssertEqual(a.floats, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(b.floats, [42, 2, 3, 4, 5, 6])
        XCTAssertFalse(a.storage === b.storage)
    }

    func testReshapeSharesStorageUntilWritten() {
        let a = Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])
        let r = a.reshaped([3, 2])
        XCTAssertTrue(a.storage === r.storage)
        XCTAssertEqual(r.shape, [3, 2])
        XCTAssertEqual(a, a.reshaped([2, 3]))
        XCTAssertNotEqual(a, r)
    }

    func testIntegerTensorsKeepTheirValues() {
        let s8 = Tensor(shape: [3], dtype: .s8, integers: [-127, 0, 127])
        XCTAssertEqual(s8.asFloats, [-127, 0, 127])
        XCTAssertEqual(s8.byteCount, 3)
        let s32 = Tensor(shape: [2], dtype: .s32, integers: [-5, 70000])
        XCTAssertEqual(s32.asFloats, [-5, 70000])
    }

    func testSeededGeneratorIsDeterministicAndRestorable() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        let saved = a
        let next = (0..<3).map { _ in a.next() }
        var restored = saved
        XCTAssertEqual(next, (0..<3).map { _ in restored.next() })
        var c = SeededGenerator(seed: 8)
        XCTAssertNotEqual(first[0], c.next())
    }

    func testUnitFloatsStayInRange() {
        var g = SeededGenerator(seed: 1)
        let xs = (0..<10_000).map { _ in g.nextUnitFloat() }
        XCTAssertTrue(xs.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = xs.reduce(0, +) / Float(xs.count)
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)
    }
}
