import XCTest
@testable import SlimTensor

/// `Tensor.updateElementsInPlace`: the result is written over the tensor's own bytes only when no
/// other value holds them and both operands can be read in one order; the values are those of
/// `zipElements` in every case.
final class InPlaceUpdateTests: XCTestCase {
    /// `a` where `b > 0`, else 0 (a mask, as the straight-through gradient).
    static func masked(_ a: UnsafeMutableBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) {
        for i in a.indices { a[i] = b[i] > 0 ? a[i] : 0 }
    }

    func reference(_ a: Tensor, _ b: Tensor) -> [Float] { zip(a.floats, b.floats).map { $1 > 0 ? $0 : 0 } }

    func random(_ shape: [Int], _ rng: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    /// A convolution output (16 channels: blocked by oneDNN on AVX2 and AVX-512) of `x`.
    func blocked(_ x: Tensor, _ rng: inout SeededGenerator) -> Tensor {
        Kernels.conv2dForward(x, filter: random([16, 3, 3, 3], &rng), bias: nil, geometry: ConvGeometry(paddings: [1, 1]), training: true)
    }

    func testPlainTensorHeldOnceIsUpdatedInItsOwnBytes() {
        var rng = SeededGenerator(seed: 1)
        var a = random([3, 40], &rng)
        let b = random([3, 40], &rng)
        let expected = reference(a, b), bytes = a.storage.pointer
        XCTAssertTrue(a.updateElementsInPlace(with: b, Self.masked))
        XCTAssertEqual(a.storage.pointer, bytes, "no new buffer")
        XCTAssertEqual(a.floats, expected)
    }

    func testSharedBytesAreLeftAlone() {
        var rng = SeededGenerator(seed: 2)
        var a = random([3, 40], &rng)
        let copy = a, b = random([3, 40], &rng)
        XCTAssertFalse(a.updateElementsInPlace(with: b, Self.masked))
        XCTAssertEqual(a, copy, "unchanged")
        XCTAssertEqual(a.storage.pointer, copy.storage.pointer)
    }

    func testBlockedTensorsInOneLayoutAreUpdatedInTheirLayout() {
        var rng = SeededGenerator(seed: 3)
        let x = random([2, 3, 5, 5], &rng)
        var a = blocked(x, &rng)
        let b = blocked(x, &rng)
        XCTAssertNotNil(a.layout, "conv output stays blocked")
        let expected = reference(a, b)  // also caches a's plain copy, which the update must not leave stale
        let bytes = a.buffer.pointer
        XCTAssertTrue(a.updateElementsInPlace(with: b, Self.masked))
        XCTAssertEqual(a.buffer.pointer, bytes, "no new buffer")
        XCTAssertNotNil(a.layout)
        XCTAssertEqual(a.floats, expected)
    }

    func testPlainTensorWithBlockedOperandReadsItPlain() {
        var rng = SeededGenerator(seed: 4)
        let b = blocked(random([2, 3, 5, 5], &rng), &rng)
        var a = random(b.shape, &rng)
        let expected = reference(a, b), bytes = a.storage.pointer
        XCTAssertTrue(a.updateElementsInPlace(with: b, Self.masked))
        XCTAssertEqual(a.storage.pointer, bytes)
        XCTAssertEqual(a.floats, expected)
    }

    func testBlockedTensorWithPlainOperandIsLeftAlone() {
        var rng = SeededGenerator(seed: 5)
        var a = blocked(random([2, 3, 5, 5], &rng), &rng)
        let before = a.floats
        XCTAssertFalse(a.updateElementsInPlace(with: random(a.shape, &rng), Self.masked))
        XCTAssertEqual(a.floats, before)
    }
}
