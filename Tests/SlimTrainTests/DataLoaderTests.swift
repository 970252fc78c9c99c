import SlimTensor
import XCTest
@testable import SlimTrain

/// Sample `i` is a 1x2x2 image filled with `i`, label `i % 3`; optionally fails at one index.
private struct CountingDataset: Dataset {
    var count: Int
    var failAt: Int?
    var imageShape: [Int] { [1, 2, 2] }
    var classNames: [String]? { nil }

    func sample(_ i: Int) throws -> Sample {
        if i == failAt { throw DataError.malformed(path: "sample-\(i)", reason: "broken on purpose") }
        return Sample(pixels: .floats([Float](repeating: Float(i), count: 4)), label: i % 3)
    }
}

final class DataLoaderTests: XCTestCase {
    private func fashionTransforms() throws -> [any Transform] {
        [ToTensor(), try RandomCrop(size: ImageSize(28), padding: 2), try RandomFlip(prob: 0.5), try Normalize(mean: [0.5], std: [0.5])]
    }

    private func batches(_ loader: DataLoader, _ n: Int) throws -> [Batch] {
        try (0..<n).map { _ in try loader.next() }
    }

    func testSameSeedSameBatchesWithAndWithoutPrefetch() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 100)
        let direct = try DataLoader(dataset: data, batchSize: 16, transforms: fashionTransforms(), seed: 7, prefetch: 0)
        let prefetched = try DataLoader(dataset: data, batchSize: 16, transforms: fashionTransforms(), seed: 7, prefetch: 4)
        let a = try batches(direct, 14), b = try batches(prefetched, 14)  // more than two passes of 6 batches
        XCTAssertEqual(a, b)
        XCTAssertEqual(a[0].images.shape, [16, 1, 28, 28])
        XCTAssertEqual(a[0].labels.shape, [16, 1])
        XCTAssertEqual(a[0].labels.dtype, .s32)
        XCTAssertNotEqual(a[0].indices, a[6].indices, "pass 1 has a new order")
        XCTAssertEqual(Set(a[0..<6].flatMap(\.indices)).count, 96, "one pass visits distinct samples")
        XCTAssertEqual(direct.state, LoaderState(pass: 2, offset: 32))
        XCTAssertEqual(prefetched.state, direct.state)

        let other = try DataLoader(dataset: data, batchSize: 16, transforms: fashionTransforms(), seed: 8)
        XCTAssertNotEqual(try other.next(), a[0])
    }

    func testResumeFromSavedStateGivesTheSameNextBatches() throws {
        let data = SubsetDataset(try IDXDataset.fashionMNIST(split: .test), prefix: 50)
        let straight = try DataLoader(dataset: data, batchSize: 8, transforms: fashionTransforms(), seed: 3, prefetch: 2)
        _ = try batches(straight, 9)
        let saved = try JSONDecoder().decode(LoaderState.self, from: JSONEncoder().encode(straight.state))
        let expected = try batches(straight, 5)
        let resumed = try DataLoader(dataset: data, batchSize: 8, transforms: fashionTransforms(), seed: 3, prefetch: 3, state: saved)
        XCTAssertEqual(try batches(resumed, 5), expected)
        straight.stop()
        XCTAssertEqual(try straight.next(), try resumed.next(), "after stop() the stream continues synchronously")
    }

    func testPassBoundariesDropLastAndPartialBatches() throws {
        let data = CountingDataset(count: 10)
        let dropping = try DataLoader(dataset: data, batchSize: 4, shuffle: false, dropLast: true)
        XCTAssertEqual(dropping.batchesPerPass, 2)
        XCTAssertEqual(try batches(dropping, 3).map(\.indices), [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 2, 3]])
        let keeping = try DataLoader(dataset: data, batchSize: 4, shuffle: false, dropLast: false)
        let kept = try batches(keeping, 4)
        XCTAssertEqual(kept.map(\.indices), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3]])
        XCTAssertEqual(kept[2].images.floats, [Float](repeating: 8, count: 4) + [Float](repeating: 9, count: 4))
        XCTAssertEqual(kept[2].labels.asFloats, [2, 0])
    }

    func testEvalBatchesAreOneOrderedPass() throws {
        let loader = try DataLoader(dataset: CountingDataset(count: 10), batchSize: 4, shuffle: true, seed: 5, prefetch: 2)
        var eval = loader.evalBatches()
        XCTAssertEqual(eval.count, 3)
        var seen: [[Int]] = []
        while let batch = try eval.next() { seen.append(batch.indices) }
        XCTAssertEqual(seen, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    }

    func testErrorsPropagateFromThePrefetchThread() throws {
        let loader = try DataLoader(dataset: CountingDataset(count: 12, failAt: 5), batchSize: 4, shuffle: false, prefetch: 3)
        XCTAssertEqual(try loader.next().indices, [0, 1, 2, 3])
        assertDataError(["sample-5", "broken on purpose"]) { _ = try loader.next() }
        XCTAssertEqual(loader.state, LoaderState(pass: 0, offset: 4), "the failed batch is not consumed")
        assertDataError(["sample-5"]) { _ = try loader.next() }
    }

    func testConfigurationErrors() throws {
        assertDataError(["fewer than one batch", "drop_last"]) {
            _ = try DataLoader(dataset: CountingDataset(count: 3), batchSize: 4, dropLast: true)
        }
        XCTAssertNoThrow(try DataLoader(dataset: CountingDataset(count: 3), batchSize: 4, dropLast: false))
        assertDataError(["empty"]) { _ = try DataLoader(dataset: CountingDataset(count: 0), batchSize: 1) }
        assertDataError(["batch size"]) { _ = try DataLoader(dataset: CountingDataset(count: 3), batchSize: 0) }
        assertDataError(["not a batch boundary"]) {
            _ = try DataLoader(dataset: CountingDataset(count: 10), batchSize: 4, state: LoaderState(pass: 0, offset: 3))
        }
        assertDataError(["Normalize"]) {
            _ = try DataLoader(dataset: CountingDataset(count: 10), batchSize: 4, transforms: [try Normalize(mean: [0, 0, 0], std: [1, 1, 1])])
        }
    }

    func testDeinitStopsThePrefetchThread() throws {
        for _ in 0..<20 {
            let loader = try DataLoader(dataset: CountingDataset(count: 64), batchSize: 2, prefetch: 2)
            _ = try loader.next()
        }
    }
}
