import XCTest
@testable import SlimTensor

/// concat, split and slice against index arithmetic written out in the test.
final class ConcatKernelTests: XCTestCase {
    var rng = SeededGenerator(seed: 51)

    func randomShape(rank: Int) -> [Int] { (0..<rank).map { _ in 1 + Int(rng.next() % 4) } }

    func random(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, floats: (0..<shape.reduce(1, *)).map { _ in rng.nextUnitFloat() * 2 - 1 })
    }

    /// Row-major multi-index of flat position i in `shape`.
    func index(_ i: Int, _ shape: [Int]) -> [Int] {
        var rest = i
        return shape.reversed().map { d in defer { rest /= d }; return rest % d }.reversed()
    }

    func flat(_ idx: [Int], _ shape: [Int]) -> Int { zip(idx, shape).reduce(0) { $0 * $1.1 + $1.0 } }

    func testConcatMatchesTheReferenceOnEveryAxis() {
        for rank in 1...4 {
            for axis in 0..<rank {
                let base = randomShape(rank: rank)
                let pieces = (0..<(2 + Int(rng.next() % 3))).map { _ -> Tensor in
                    var s = base
                    s[axis] = 1 + Int(rng.next() % 3)
                    return random(s)
                }
                let y = Kernels.concat(pieces, axis: axis - rank)   // negative axis
                var expected = [Float](repeating: .nan, count: y.count)
                var offset = 0
                for p in pieces {
                    let v = p.floats
                    for i in v.indices {
                        var idx = index(i, p.shape)
                        idx[axis] += offset
                        expected[flat(idx, y.shape)] = v[i]
                    }
                    offset += p.shape[axis]
                }
                XCTAssertEqual(y.shape[axis], offset)
                XCTAssertEqual(y.floats, expected, "rank \(rank) axis \(axis)")
                let back = Kernels.split(y, axis: axis, sizes: pieces.map { $0.shape[axis] })
                XCTAssertEqual(back, pieces, "split inverts concat, rank \(rank) axis \(axis)")
            }
        }
    }

    func testIntegerConcatAndEmptyPieces() {
        let a = Tensor(shape: [1, 2, 2], dtype: .u8, integers: [1, 2, 3, 4])
        let b = Tensor(shape: [1, 1, 2], dtype: .u8, integers: [250, 251])
        let empty = Tensor(shape: [1, 0, 2], dtype: .u8)
        let y = Kernels.concat([a, empty, b], axis: 1)
        XCTAssertEqual(y, Tensor(shape: [1, 3, 2], dtype: .u8, integers: [1, 2, 3, 4, 250, 251]))
        let s8 = Kernels.concat([Tensor(shape: [2, 1], dtype: .s8, integers: [-128, 5]), Tensor(shape: [2, 1], dtype: .s8, integers: [127, -1])], axis: 1)
        XCTAssertEqual(s8.asFloats, [-128, 127, 5, -1])
        XCTAssertEqual(Kernels.split(y, axis: 1, sizes: [2, 0, 1]).map(\.shape), [[1, 2, 2], [1, 0, 2], [1, 1, 2]])
    }

    func testSliceTakesARangeAlongAnAxis() {
        let x = Tensor(shape: [2, 3, 2], floats: (0..<12).map(Float.init))
        XCTAssertEqual(Kernels.slice(x, axis: 1, range: 1..<3).floats, [2, 3, 4, 5, 8, 9, 10, 11])
        XCTAssertEqual(Kernels.slice(x, axis: -1, range: 0..<1).floats, [0, 2, 4, 6, 8, 10])
        XCTAssertEqual(Kernels.slice(x, axis: 0, range: 1..<2).shape, [1, 3, 2])
    }

    func testPrimitivesAreCachedAcrossCalls() {
        let a = random([2, 3, 4, 4]), b = random([2, 5, 4, 4])
        _ = Kernels.concat([a, b], axis: 1)
        let before = PrimitiveCache.shared.creations
        for _ in 0..<4 { _ = Kernels.concat([a, b], axis: 1) }
        XCTAssertEqual(PrimitiveCache.shared.creations, before)
    }
}
